// Strict parsers for wasm-run's limit options: counts (--fuel,
// --max-memory-pages), durations (--timeout) and sizes (--max-stack).
//
// Each parser takes the whole option value and either produces a number or
// a short reason ("is not a duration ...") for a one-line usage error. They
// accept nothing a human might mistype silently: no signs, no spaces, no
// hexadecimal, no unit-less durations, and every overflow is an error
// rather than a wrapped or clamped value.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace wasm_run {

// A decimal count in [min, max]: digits only. Returns "" on success, else
// why `text` was refused.
std::string parse_count(std::string_view text, uint64_t min, uint64_t max, uint64_t& out);

// A duration: DIGITS[.DIGITS]UNIT with UNIT one of ns, us, ms, s, m, h
// ("100ms", "1.5s", "500us", "1m"). Fractions below a nanosecond are
// dropped; zero and anything past kMaxDuration are refused.
inline constexpr std::chrono::nanoseconds kMaxDuration = std::chrono::hours(24 * 365 * 100);
std::string parse_duration(std::string_view text, std::chrono::nanoseconds& out);

// A byte size: DIGITS[UNIT] with UNIT one of B, KiB, MiB, GiB, TiB (powers
// of 1024) or KB, MB, GB, TB (powers of 1000); no unit means bytes.
// Returns "" when the size is in [min, max].
std::string parse_size(std::string_view text, uint64_t min, uint64_t max, uint64_t& out);

// "8MiB", "512KiB", "1000B": the largest binary unit dividing `bytes`.
std::string format_size(uint64_t bytes);

}  // namespace wasm_run
