#include "runtime/store/tier_up.h"

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <thread>

#include "runtime/store/compiled_module.h"

namespace wasmrt {

namespace {

// The process's tier-up thread: one, started by the first background
// request and joined when the process's static objects are destroyed
// (queued work is dropped then; a compile under way finishes first).
class BackgroundCompiler {
 public:
  static BackgroundCompiler& get() {
    static BackgroundCompiler compiler;
    return compiler;
  }

  // `sink` belongs to `module` (its own or its checked copy's), so it lives
  // as long as the module.
  void enqueue(std::weak_ptr<const CompiledModule> module, ModuleTierUp* sink, uint32_t defined) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      if (!thread_.joinable()) thread_ = std::thread([this] { work(); });
      queue_.push_back({std::move(module), sink, defined});
    }
    wake_.notify_all();
  }

  void wait_idle() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return queue_.empty() && !busy_; });
  }

  ~BackgroundCompiler() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      queue_.clear();
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  struct Job {
    std::weak_ptr<const CompiledModule> module;
    ModuleTierUp* sink;
    uint32_t defined;
  };

  static bool same_module(const std::weak_ptr<const CompiledModule>& a,
                          const std::weak_ptr<const CompiledModule>& b) {
    return !a.owner_before(b) && !b.owner_before(a);
  }

  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      // One batch: the first job's module and every function of it queued
      // by now (one code object, one trampoline, for all of them).
      std::weak_ptr<const CompiledModule> weak = queue_.front().module;
      ModuleTierUp* sink = queue_.front().sink;
      std::vector<uint32_t> defined;
      for (auto it = queue_.begin(); it != queue_.end();) {
        if (it->sink == sink && same_module(it->module, weak)) {
          defined.push_back(it->defined);
          it = queue_.erase(it);
        } else {
          ++it;
        }
      }
      busy_ = true;
      lock.unlock();
      // Alive until its batch is published, or already gone: then there is
      // nothing to compile.
      if (std::shared_ptr<const CompiledModule> module = weak.lock()) sink->compile(*module, defined);
      lock.lock();
      busy_ = false;
      if (queue_.empty()) idle_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::deque<Job> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

ModuleTierUp::ModuleTierUp(const interp::TierUpOptions& options, uint32_t imported_funcs,
                           interp::BoundsChecks bounds)
    : options_(options), imported_funcs_(imported_funcs), bounds_(bounds) {
  const char* log = std::getenv("WASMRT_TIER_UP_LOG");
  log_ = log != nullptr && *log != '\0' && *log != '0';
}

void ModuleTierUp::request(uint32_t func_index) {
  const uint32_t defined = func_index - imported_funcs_;
  if (options_.synchronous) {
    // The caller is running the module, which is therefore alive.
    if (std::shared_ptr<const CompiledModule> module = module_.lock()) compile(*module, {&defined, 1});
    return;
  }
  BackgroundCompiler::get().enqueue(module_, this, defined);
}

void ModuleTierUp::compile(const CompiledModule& module, std::span<const uint32_t> defined) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::shared_ptr<const interp::TierCode>> batch;
  std::vector<uint32_t> left(defined.begin(), defined.end());
  const std::vector<interp::CompiledFunc>& functions = checked_copy_ ? module.checked_copy() : module.code;
  // Compiling a function reads its translation and its direct callees'
  // frame sizes: translate the callees that have not run yet. A function
  // whose callee cannot be translated (out of memory) is declined.
  std::erase_if(left, [&](uint32_t i) {
    const interp::LazyTranslator* lazy = functions[i].lazy;
    return lazy != nullptr && !lazy->translate_with_direct_callees(functions, i).ok();
  });
  for (const interp::Tier* tier : {options_.target, options_.fallback}) {
    if (tier == nullptr || left.empty()) continue;
    auto code = tier->compile_functions(functions, left, bounds_);
    if (code.ok()) batch.push_back(std::move(code).value());
    std::erase_if(left, [&](uint32_t i) { return functions[i].current_tier() != nullptr; });
  }
  size_t kept = 0;
  {
    std::lock_guard lock(mutex_);
    for (auto& code : batch) code_.push_back(std::move(code));
    kept = code_.size();
  }
  size_t compiled_count = 0;
  for (uint32_t i : defined) {
    const interp::CompiledFunc& f = functions[i];
    const bool compiled = f.current_tier() != nullptr;
    compiled_count += compiled ? 1 : 0;
    std::atomic_ref(f.tier_up_state)
        .store(compiled ? interp::TierUpState::Compiled : interp::TierUpState::Declined, std::memory_order_release);
  }
  if (log_) {
    using ms = std::chrono::duration<double, std::milli>;
    const auto end = std::chrono::steady_clock::now();
    std::fprintf(stderr, "wasmrt tier-up: +%.3f ms: %zu function(s) compiled in %.3f ms (%zu declined), batch %zu\n",
                 ms(end - created_).count(), compiled_count, ms(end - start).count(),
                 defined.size() - compiled_count, kept);
  }
}

size_t ModuleTierUp::batches() const {
  std::lock_guard lock(mutex_);
  return code_.size();
}

void wait_for_background_tier_up() { BackgroundCompiler::get().wait_idle(); }

}  // namespace wasmrt
