// Whether this test process runs under a user-mode CPU emulator (qemu-user),
// as the arm64 tests do on the x86-64 machines (docs/aarch64.md). A few
// tests check things qemu-user does not reproduce (wall-time budgets, the
// kernel's own /proc/self/maps, RLIMIT_AS); they adapt or skip only when
// this finds evidence of the emulator, never on a flag a script could set
// by mistake on a native machine.
#pragma once

#include <cstdio>
#include <cstring>
#include <string>

namespace wasmrt {

// The evidence that this process is emulated, for a test's message; ""
// natively. Read once: the answer cannot change while the process runs.
inline const std::string& emulation_evidence() {
  static const std::string evidence = [] {
    // qemu-user runs the guest inside its own host process, and the kernel
    // names a process after the executable it exec'd: qemu's, not the
    // test's ("qemu-aarch64"). qemu 7.2 passes /proc/self/status through
    // unchanged.
    if (std::FILE* status = std::fopen("/proc/self/status", "r")) {
      char line[256];
      std::string found;
      while (std::fgets(line, sizeof line, status) != nullptr) {
        if (std::strncmp(line, "Name:", 5) != 0) continue;
        std::string name = line + 5;
        name.erase(0, name.find_first_not_of(" \t"));
        name.erase(name.find_last_not_of("\n") + 1);
        if (name.rfind("qemu-", 0) == 0) found = "the process is '" + name + "' (qemu-user)";
        break;
      }
      std::fclose(status);
      if (!found.empty()) return found;
    }
#if !defined(__x86_64__) && !defined(__i386__)
    // Under binfmt_misc the process keeps the test's name, but qemu 7.2
    // still shows the host's /proc/cpuinfo: an x86 CPU ("vendor_id", a
    // field only x86 kernels print) under a non-x86 build.
    if (std::FILE* cpuinfo = std::fopen("/proc/cpuinfo", "r")) {
      char line[256];
      bool x86 = false;
      while (!x86 && std::fgets(line, sizeof line, cpuinfo) != nullptr)
        x86 = std::strncmp(line, "vendor_id", 9) == 0;
      std::fclose(cpuinfo);
      if (x86) return std::string("/proc/cpuinfo describes an x86 CPU under a non-x86 build (user-mode emulation)");
    }
#endif
    return std::string();
  }();
  return evidence;
}

inline bool emulated() { return !emulation_evidence().empty(); }

}  // namespace wasmrt
