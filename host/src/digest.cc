#include "plugin_host/digest.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace wasmrt::plugin {

std::string sha256_digest(std::span<const uint8_t> bytes) {
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int hash_length = 0;
  // EVP_Digest fails only when the library cannot allocate its context;
  // a registry that cannot key its modules must not go on.
  if (EVP_Digest(bytes.data(), bytes.size(), hash, &hash_length, EVP_sha256(), nullptr) != 1) std::abort();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(kDigestPrefix);
  out.reserve(kDigestPrefix.size() + 2 * hash_length);
  for (unsigned int i = 0; i < hash_length; ++i) {
    out.push_back(kHex[hash[i] >> 4]);
    out.push_back(kHex[hash[i] & 15]);
  }
  return out;
}

bool is_digest(std::string_view text) {
  if (!text.starts_with(kDigestPrefix) || text.size() != kDigestPrefix.size() + 64) return false;
  for (char c : text.substr(kDigestPrefix.size())) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace wasmrt::plugin
