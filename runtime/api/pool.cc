// InstancePool and InstanceLease (wasmrt/pool.h): a bounded set of stores
// with one instance each, reset between leases by
// api_detail::reset_pooled_instance.
#include <algorithm>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "runtime/api/engine_state.h"
#include "wasmrt/wasmrt.h"

namespace wasmrt {

namespace pool_detail {

// One pooled instance and the store that holds it (and nothing else).
struct Slot {
  explicit Slot(const Engine& engine) : store(engine) {}
  Store store;
  Instance instance;
};

// What the pool reaches inside Store and Instance.
struct Access {
  static void set_instance(Slot& slot, Result<Instance> made) { slot.instance = std::move(made).value(); }
  // True when only the slot itself refers to its store (the Store and the
  // Instance): no handle taken during the lease outlived it.
  static bool unshared(const Slot& slot) { return slot.store.state_.use_count() == 2; }
  static Result<void> reset(Slot& slot) {
    return api_detail::reset_pooled_instance(*slot.store.state_, slot.instance.instance_);
  }
};

struct PoolState {
  PoolState(const Engine& pool_engine, const Linker& pool_linker, std::shared_ptr<const Module> pool_module,
            const InstancePoolConfig& pool_config)
      : engine(pool_engine), linker(pool_linker), module(std::move(pool_module)), config(pool_config) {
    // Reserved up front: release() runs in destructors, where growing the
    // vector must not be able to throw.
    idle.reserve(std::min(config.max_idle, config.max_instances));
  }

  Result<std::unique_ptr<Slot>> make_slot() const {
    auto slot = std::make_unique<Slot>(engine);
    auto made = linker.instantiate(slot->store, module);
    if (!made.ok()) return std::move(made).error();
    Access::set_instance(*slot, std::move(made));
    return slot;
  }

  void release(std::unique_ptr<Slot> slot) {
    const bool keep = Access::unshared(*slot) && Access::reset(*slot).ok();
    std::unique_ptr<Slot> discard;
    {
      std::lock_guard lock(mutex);
      if (keep && idle.size() < config.max_idle) {
        idle.push_back(std::move(slot));
      } else {
        --stats.live;
        ++stats.discarded;
        discard = std::move(slot);
      }
    }
    // Destroyed outside the lock: unmapping memories takes a while.
  }

  const Engine engine;
  const Linker linker;
  const std::shared_ptr<const Module> module;
  const InstancePoolConfig config;
  mutable std::mutex mutex;
  std::vector<std::unique_ptr<Slot>> idle;
  InstancePoolStats stats;  // idle is idle.size(), filled in by stats()
};

}  // namespace pool_detail

using pool_detail::PoolState;
using pool_detail::Slot;

namespace {

bool is_wasi_module_name(const std::string& name) {
  return name == "wasi_snapshot_preview1" || name == "wasi_unstable";
}

// Why `module` cannot be pooled (pool.h), or nothing.
Result<void> check_poolable(const Module& module) {
  for (const ImportDescriptor& import : module.imports()) {
    const std::string what = "import \"" + import.module + "\".\"" + import.name + "\"";
    if (is_wasi_module_name(import.module)) {
      return Error{Phase::Unlinkable, "instance pool: " + what +
                                          " is WASI, whose state a reset cannot restore (instantiate WASI "
                                          "modules afresh per request)"};
    }
    if (import.kind != ExternalKind::Function) {
      return Error{Phase::Unlinkable, "instance pool: " + what + " is a " +
                                          std::string(external_kind_name(import.kind)) +
                                          " of another store, which a reset cannot restore"};
    }
  }
  return ok();
}

}  // namespace

// ---- InstanceLease --------------------------------------------------------

InstanceLease::InstanceLease() = default;
InstanceLease::~InstanceLease() {
  release();
}

InstanceLease::InstanceLease(InstanceLease&& other) noexcept
    : pool_(std::move(other.pool_)), slot_(std::move(other.slot_)) {}

InstanceLease& InstanceLease::operator=(InstanceLease&& other) noexcept {
  if (this != &other) {
    release();
    pool_ = std::move(other.pool_);
    slot_ = std::move(other.slot_);
  }
  return *this;
}

const Instance& InstanceLease::instance() const {
  return slot_->instance;
}

Store& InstanceLease::store() const {
  return slot_->store;
}

void InstanceLease::release() {
  if (slot_ == nullptr) return;
  pool_->release(std::move(slot_));
  pool_.reset();
}

// ---- InstancePool ---------------------------------------------------------

InstancePool::InstancePool(std::shared_ptr<PoolState> state) : state_(std::move(state)) {}
InstancePool::~InstancePool() = default;

Result<std::shared_ptr<InstancePool>> InstancePool::create(const Engine& engine, const Linker& linker,
                                                           std::shared_ptr<const Module> module,
                                                           InstancePoolConfig config) {
  if (module == nullptr) return Error{Phase::Unlinkable, "instance pool: no module"};
  WASMRT_TRY(check_poolable(*module));
  if (config.max_instances == 0) return Error{Phase::Invalid, "instance pool: max_instances is 0"};
  auto state = std::make_shared<PoolState>(engine, linker, std::move(module), config);
  const uint32_t prefill = std::min({config.prefill, config.max_instances, config.max_idle});
  for (uint32_t i = 0; i < prefill; ++i) {
    auto slot = state->make_slot();
    if (!slot.ok()) return std::move(slot).error();
    state->idle.push_back(std::move(slot).value());
    ++state->stats.live;
    ++state->stats.created;
  }
  return std::shared_ptr<InstancePool>(new InstancePool(std::move(state)));
}

Result<InstanceLease> InstancePool::acquire() {
  PoolState& pool = *state_;
  std::unique_ptr<Slot> slot;
  {
    std::lock_guard lock(pool.mutex);
    if (!pool.idle.empty()) {
      slot = std::move(pool.idle.back());
      pool.idle.pop_back();
      ++pool.stats.reused;
    } else if (pool.stats.live < pool.config.max_instances) {
      ++pool.stats.live;  // taken now, so concurrent callers see the bound
    } else {
      ++pool.stats.refused;
      Error error{Phase::Unlinkable, "instance pool: all " + std::to_string(pool.config.max_instances) +
                                         " instances are leased (InstancePoolConfig::max_instances)"};
      error.limit = ResourceLimit::Instances;
      return error;
    }
  }
  if (slot == nullptr) {
    auto made = pool.make_slot();
    std::lock_guard lock(pool.mutex);
    if (!made.ok()) {
      --pool.stats.live;
      return std::move(made).error();
    }
    ++pool.stats.created;
    slot = std::move(made).value();
  }
  InstanceLease lease;
  lease.pool_ = state_;
  lease.slot_ = std::move(slot);
  return lease;
}

InstancePoolStats InstancePool::stats() const {
  std::lock_guard lock(state_->mutex);
  InstancePoolStats out = state_->stats;
  out.idle = static_cast<uint32_t>(state_->idle.size());
  return out;
}

const InstancePoolConfig& InstancePool::config() const {
  return state_->config;
}

}  // namespace wasmrt
