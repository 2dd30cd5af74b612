// Host functions: C++ callables that wasm code imports.
//
//   linker.define("env", "add", [](wasmrt::HostContext&, int32_t a, int32_t b) -> int32_t {
//     return a + b;
//   });
//
// The wasm signature is deduced from the callable: the first parameter is
// `HostContext&`, the others and the result map as
//   int32_t, uint32_t -> i32     int64_t, uint64_t -> i64
//   float -> f32   double -> f64   V128 -> v128
//   FuncRef -> funcref   ExternRef -> externref
// and the result may be void, one of those, or std::tuple<...> of them
// (multiple results). To trap, call `ctx.trap("message")` and return any
// value; the call then traps with TrapKind::HostError and that message.
// A C++ exception escaping the callable is caught at the boundary and also
// becomes a trap: no exception ever unwinds through wasm frames.
#pragma once

#include <array>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "wasmrt/value.h"

namespace wasmrt {

class Func;
class Memory;

struct FuncSignature {
  std::vector<ValueType> params;
  std::vector<ValueType> results;
  bool operator==(const FuncSignature&) const = default;
  // "(func (param i32) (result i64))"
  std::string to_string() const;
};

// What a host function can see and do during a call.
class HostContext {
 public:
  // The calling instance's memory `index` as bytes (empty if it has none).
  // Valid until the memory grows or the call returns.
  std::span<uint8_t> memory(uint32_t index = 0) const;
  // Bounds-checked copies between the caller's memory 0 and host buffers.
  // Return false (copying nothing) if the range is out of bounds.
  bool read(uint64_t address, std::span<uint8_t> out) const;
  bool write(uint64_t address, std::span<const uint8_t> bytes) const;
  template <typename T>
  bool load(uint64_t address, T& out) const {
    static_assert(std::is_trivially_copyable_v<T>);
    return read(address, std::span<uint8_t>(reinterpret_cast<uint8_t*>(&out), sizeof(T)));
  }
  template <typename T>
  bool store(uint64_t address, const T& value) const {
    static_assert(std::is_trivially_copyable_v<T>);
    return write(address, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(&value), sizeof(T)));
  }

  // ---- cancellation: a host function that blocks must wake on these ----
  // True once the current call has been interrupted or passed its
  // deadline; the call traps when the host function returns.
  bool interrupted() const;
  // Sleeps up to `duration`; returns false as soon as the call is
  // interrupted (true when the full duration passed).
  bool sleep_for(std::chrono::nanoseconds duration) const;
  // A file descriptor that polls readable (POLLIN) while the call is
  // interrupted, to wait on together with other descriptors. Owned by the
  // runtime: never read, write or close it. -1 if none could be created.
  int interrupt_fd() const;

  // Ends the guest once the callable returns, like WASI proc_exit: every
  // wasm frame unwinds and the embedder's call returns Phase::Exit with
  // Error::exit_code = `code`. Takes precedence over trap().
  void exit(int32_t code);
  bool exited() const { return exited_; }
  int32_t exit_code() const { return exit_code_; }

  // An export of the calling instance (for a host function that calls back
  // into the guest, e.g. a //go:wasmimport function invoking a
  // //go:wasmexport one). Holding the handle past the call is allowed.
  std::optional<Func> caller_func(std::string_view name) const;
  std::optional<Memory> caller_memory(std::string_view name = "memory") const;

  // Makes the current call trap with `message` once the callable returns.
  void trap(std::string message);
  bool trapped() const { return trapped_; }
  const std::string& trap_message() const { return trap_message_; }

  // Constructed by the runtime only.
  explicit HostContext(void* internal) : internal_(internal) {}

 private:
  void* internal_;  // the runtime's per-call context
  bool trapped_ = false;
  bool exited_ = false;
  int32_t exit_code_ = 0;
  std::string trap_message_;
};

// Untyped form: arguments and results in the runtime's cell encoding (one
// uint64_t per value, two for v128 (low half first); i32 zero-extended,
// floats as bit patterns, references as opaque words with 0 = null).
using HostCallback = std::function<void(HostContext&, const uint64_t* args, uint64_t* results)>;

struct HostFunction {
  FuncSignature signature;
  HostCallback callback;
};

namespace host_detail {

template <typename T>
struct WasmTypeOf;
template <>
struct WasmTypeOf<int32_t> {
  static constexpr ValueType type = ValueType::I32;
  static constexpr size_t cells = 1;
  static int32_t get(const uint64_t* c) { return static_cast<int32_t>(static_cast<uint32_t>(c[0])); }
  static void put(int32_t v, uint64_t* c) { c[0] = static_cast<uint32_t>(v); }
};
template <>
struct WasmTypeOf<uint32_t> {
  static constexpr ValueType type = ValueType::I32;
  static constexpr size_t cells = 1;
  static uint32_t get(const uint64_t* c) { return static_cast<uint32_t>(c[0]); }
  static void put(uint32_t v, uint64_t* c) { c[0] = v; }
};
template <>
struct WasmTypeOf<int64_t> {
  static constexpr ValueType type = ValueType::I64;
  static constexpr size_t cells = 1;
  static int64_t get(const uint64_t* c) { return static_cast<int64_t>(c[0]); }
  static void put(int64_t v, uint64_t* c) { c[0] = static_cast<uint64_t>(v); }
};
template <>
struct WasmTypeOf<uint64_t> {
  static constexpr ValueType type = ValueType::I64;
  static constexpr size_t cells = 1;
  static uint64_t get(const uint64_t* c) { return c[0]; }
  static void put(uint64_t v, uint64_t* c) { c[0] = v; }
};
template <>
struct WasmTypeOf<float> {
  static constexpr ValueType type = ValueType::F32;
  static constexpr size_t cells = 1;
  static float get(const uint64_t* c) { return std::bit_cast<float>(static_cast<uint32_t>(c[0])); }
  static void put(float v, uint64_t* c) { c[0] = std::bit_cast<uint32_t>(v); }
};
template <>
struct WasmTypeOf<double> {
  static constexpr ValueType type = ValueType::F64;
  static constexpr size_t cells = 1;
  static double get(const uint64_t* c) { return std::bit_cast<double>(c[0]); }
  static void put(double v, uint64_t* c) { c[0] = std::bit_cast<uint64_t>(v); }
};
template <>
struct WasmTypeOf<V128> {
  static constexpr ValueType type = ValueType::V128;
  static constexpr size_t cells = 2;
  static V128 get(const uint64_t* c) {
    V128 v;
    std::memcpy(v.bytes, c, 16);
    return v;
  }
  static void put(const V128& v, uint64_t* c) { std::memcpy(c, v.bytes, 16); }
};
template <>
struct WasmTypeOf<FuncRef> {
  static constexpr ValueType type = ValueType::FuncRef;
  static constexpr size_t cells = 1;
  static FuncRef get(const uint64_t* c) { return FuncRef{c[0]}; }
  static void put(FuncRef v, uint64_t* c) { c[0] = v.handle; }
};
template <>
struct WasmTypeOf<ExternRef> {
  static constexpr ValueType type = ValueType::ExternRef;
  static constexpr size_t cells = 1;
  static ExternRef get(const uint64_t* c) { return ExternRef{c[0]}; }
  static void put(ExternRef v, uint64_t* c) { c[0] = v.word; }
};

// Cell offset of each of Ts (v128 takes two cells).
template <typename... Ts>
constexpr std::array<size_t, sizeof...(Ts) + 1> cell_offsets() {
  std::array<size_t, sizeof...(Ts) + 1> out{};
  constexpr size_t sizes[] = {WasmTypeOf<Ts>::cells..., 0};
  for (size_t i = 0; i < sizeof...(Ts); ++i) out[i + 1] = out[i] + sizes[i];
  return out;
}

template <typename R>
struct ResultTypes {
  static std::vector<ValueType> types() { return {WasmTypeOf<R>::type}; }
  static void put(const R& value, uint64_t* cells) { WasmTypeOf<R>::put(value, cells); }
};
template <>
struct ResultTypes<void> {
  static std::vector<ValueType> types() { return {}; }
};
template <typename... Rs>
struct ResultTypes<std::tuple<Rs...>> {
  static std::vector<ValueType> types() { return {WasmTypeOf<Rs>::type...}; }
  static void put(const std::tuple<Rs...>& values, uint64_t* cells) {
    put_all(values, cells, std::index_sequence_for<Rs...>{});
  }
  template <size_t... I>
  static void put_all(const std::tuple<Rs...>& values, uint64_t* cells, std::index_sequence<I...>) {
    constexpr auto offsets = cell_offsets<Rs...>();
    (WasmTypeOf<Rs>::put(std::get<I>(values), cells + offsets[I]), ...);
  }
};

template <typename T>
struct CallableTraits : CallableTraits<decltype(&std::decay_t<T>::operator())> {};
template <typename R, typename... A>
struct CallableTraits<R (*)(A...)> {
  using Result = R;
  using Args = std::tuple<A...>;
};
template <typename R, typename... A>
struct CallableTraits<R(A...)> : CallableTraits<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct CallableTraits<R (C::*)(A...)> : CallableTraits<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct CallableTraits<R (C::*)(A...) const> : CallableTraits<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct CallableTraits<R (C::*)(A...) noexcept> : CallableTraits<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct CallableTraits<R (C::*)(A...) const noexcept> : CallableTraits<R (*)(A...)> {};

template <typename F, typename R, typename... A, size_t... I>
void call_typed(F& f, HostContext& ctx, const uint64_t* args, uint64_t* results, std::index_sequence<I...>) {
  constexpr auto offsets = cell_offsets<std::decay_t<A>...>();
  (void)offsets;
  (void)args;
  if constexpr (std::is_void_v<R>) {
    f(ctx, WasmTypeOf<std::decay_t<A>>::get(args + offsets[I])...);
    (void)results;
  } else {
    R value = f(ctx, WasmTypeOf<std::decay_t<A>>::get(args + offsets[I])...);
    ResultTypes<R>::put(value, results);
  }
}

template <typename F, typename R, typename Ctx, typename... A>
HostFunction make(F f, std::tuple<Ctx, A...>*) {
  static_assert(std::is_same_v<Ctx, HostContext&>, "a host function's first parameter must be HostContext&");
  HostFunction out;
  out.signature.params = {WasmTypeOf<std::decay_t<A>>::type...};
  out.signature.results = ResultTypes<R>::types();
  out.callback = [f = std::move(f)](HostContext& ctx, const uint64_t* args, uint64_t* results) mutable {
    call_typed<F, R, A...>(f, ctx, args, results, std::index_sequence_for<A...>{});
  };
  return out;
}

}  // namespace host_detail

// Wraps a typed C++ callable (see the header comment) as a HostFunction.
template <typename F>
HostFunction host_function(F f) {
  using Traits = host_detail::CallableTraits<F>;
  return host_detail::make<F, typename Traits::Result>(std::move(f),
                                                       static_cast<typename Traits::Args*>(nullptr));
}

}  // namespace wasmrt
