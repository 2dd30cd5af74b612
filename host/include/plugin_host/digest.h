// Content digests of modules: "sha256:" and 64 lower-case hex digits,
// computed with OpenSSL's libcrypto.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace wasmrt::plugin {

inline constexpr std::string_view kDigestPrefix = "sha256:";

std::string sha256_digest(std::span<const uint8_t> bytes);

// True for exactly the strings sha256_digest returns (prefix, 64 lower-case
// hex digits), so a digest can be used as a file name without escaping.
bool is_digest(std::string_view text);

}  // namespace wasmrt::plugin
