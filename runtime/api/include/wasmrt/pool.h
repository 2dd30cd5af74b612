// Pooled instances for a per-request platform: InstancePool keeps ready
// instances of one module, hands one out per request (acquire), and puts it
// back in its initial state when the request ends, instead of building a
// store and an instance every time. Included by wasmrt/wasmrt.h.
//
//   auto pool = wasmrt::InstancePool::create(engine, linker, module, {});
//   ...
//   auto lease = (*pool)->acquire();            // Result<InstanceLease>
//   if (!lease.ok()) return reject(lease.error());
//   lease->store().set_timeout(50ms);           // per-request settings
//   auto out = lease->instance().call("handle", {Value::i32(n)});
//   // the lease's destructor resets the instance and returns it
//
// What a reset restores (docs/architecture.md, "Pooled instances"): every
// memory to its initial size and bytes (the kernel drops the pages the
// request wrote: MADV_DONTNEED over the copy-on-write image; grown pages
// made inaccessible again; nothing is zeroed byte by byte), every table to
// its initial size and elements, every global to its initial value, every
// dropped data and element segment; then the active segments and the start
// function run again (and `_initialize` for a WASI-style reactor), exactly
// as at instantiation. The store's fuel goes back to 0, and its timeout,
// deadline and any pending interrupt are cleared. One request can
// therefore never see what an earlier one wrote, and each request starts
// within the same limits: every EngineConfig cap (max_memory_pages,
// max_store_memory_pages, max_table_elements, ...) applies to a pooled
// instance as to any other, and its store's page count falls back to the
// initial pages at each reset.
//
// What a pool refuses (InstancePool::create, Phase::Unlinkable):
// - imports of memories, tables or globals: they belong to another store,
//   and a reset cannot restore what a request wrote to them;
// - imports from "wasi_snapshot_preview1" or "wasi_unstable": a Wasi
//   object's state (open descriptors, stdio buffers, clocks, arguments)
//   lives in the Wasi bound to the linker, shared by every instance the
//   linker makes, and a reset cannot restore it. Instantiate WASI modules
//   afresh per request (with a new Wasi each).
// With EngineConfig::consume_fuel, the start function and `_initialize`
// run, at instantiation and at each reset, on the store's initial fuel (0),
// as with Linker::instantiate in a new store: a module whose start needs
// fuel cannot be pooled (its leases fail with the trap).
// Host functions are shared by every pooled instance, on any thread: they
// must keep no per-request state of their own (or reset it themselves),
// and be safe to call from several threads at once.
//
// Handles taken from a lease (Func, Memory, Global, Table, copies of the
// Instance or Store) must be gone when the lease is released: a lease
// released while such a handle lives does not return its instance to the
// pool (the instance is destroyed when the last handle goes), so a stale
// handle can never reach a later request's instance.
//
// Threads: acquire() and releasing leases are safe from any number of
// threads at once. One lease, like one Store, is used by one thread at a
// time; different leases run in parallel.
#pragma once

#include <cstdint>
#include <memory>

#include "wasmrt/instance.h"
#include "wasmrt/result.h"

namespace wasmrt {

class Engine;
class Module;

struct InstancePoolConfig {
  // The most instances of the pool alive at once, leased or idle; acquire()
  // fails when all of them are leased (see InstancePool::acquire). Each
  // holds its memories' initial pages as far as it touched them, and one
  // guarded reservation per memory.
  uint32_t max_instances = 64;
  // The most idle instances kept ready; an instance released while this
  // many are idle is destroyed instead (its reservation then goes back to
  // the engine, EngineConfig::kept_memory_reservations).
  uint32_t max_idle = 64;
  // Instances made by create(), before the first acquire() (at most
  // max_instances and max_idle), so early requests do not instantiate.
  uint32_t prefill = 0;
};

struct InstancePoolStats {
  uint32_t live = 0;      // leased + idle
  uint32_t idle = 0;
  uint64_t created = 0;   // instantiations
  uint64_t reused = 0;    // acquisitions served by a reset instance
  // Instances destroyed instead of kept: the pool's idle bound, a handle
  // alive at release, or a failed reset (a trap in the start function, or
  // the OS refusing to reset a memory).
  uint64_t discarded = 0;
  uint64_t refused = 0;   // acquire() calls that failed: all instances leased
};

namespace pool_detail {
struct PoolState;
struct Slot;
}  // namespace pool_detail

// One pooled instance, leased to one request. Movable, not copyable; its
// destructor releases it.
class InstanceLease {
 public:
  InstanceLease();
  ~InstanceLease();  // release()
  InstanceLease(InstanceLease&& other) noexcept;
  InstanceLease& operator=(InstanceLease&& other) noexcept;
  InstanceLease(const InstanceLease&) = delete;
  InstanceLease& operator=(const InstanceLease&) = delete;

  bool valid() const { return slot_ != nullptr; }
  // The instance and its store (one store per pooled instance), until the
  // lease is released.
  const Instance& instance() const;
  Store& store() const;

  // Resets the instance and returns it to the pool (see the header
  // comment); afterwards the lease is empty. Also what the destructor
  // does. A reset that fails discards the instance; the pool makes a new
  // one when it needs it.
  void release();

 private:
  friend class InstancePool;
  std::shared_ptr<pool_detail::PoolState> pool_;
  std::unique_ptr<pool_detail::Slot> slot_;
};

class InstancePool {
 public:
  // A pool of instances of `module`, each in a store of `engine`, with its
  // imports from `linker` (copied: later changes to it do not apply). The
  // module must have been compiled by an engine with the same metering
  // (consume_fuel, interruptible) as `engine`. Fails (Unlinkable) for the
  // imports listed in the header comment, for an import `linker` does not
  // define, or when `prefill` instantiations fail.
  static Result<std::shared_ptr<InstancePool>> create(const Engine& engine, const Linker& linker,
                                                      std::shared_ptr<const Module> module,
                                                      InstancePoolConfig config = {});
  ~InstancePool();
  InstancePool(const InstancePool&) = delete;
  InstancePool& operator=(const InstancePool&) = delete;

  // An instance in its initial state: an idle one, or a new one while
  // fewer than max_instances are alive. Never waits: when max_instances are
  // leased it fails at once (Phase::Unlinkable, Error::limit =
  // ResourceLimit::Instances, a message naming max_instances), so the
  // platform decides whether to queue, shed or retry. Instantiation errors
  // (a trap in the start function, a resource limit) are returned as
  // Linker::instantiate returns them.
  Result<InstanceLease> acquire();

  InstancePoolStats stats() const;
  const InstancePoolConfig& config() const;

 private:
  explicit InstancePool(std::shared_ptr<pool_detail::PoolState> state);
  std::shared_ptr<pool_detail::PoolState> state_;
};

}  // namespace wasmrt
