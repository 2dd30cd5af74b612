#!/usr/bin/env bash
# Installs what the arm64 cross build and its tests under qemu-user need, on
# Debian bookworm x86-64 (see docs/aarch64.md): the aarch64-linux-gnu cross
# g++, qemu-user, and the arm64 (multiarch) copies of the libraries the build
# links (asmjit, GoogleTest).
# Idempotent: every package is checked with dpkg first; apt-get update runs
# only when something is missing, so a second run does nothing and needs no
# network. The host's own prerequisites are scripts/setup.sh's job.
set -euo pipefail

# Host (amd64) packages -> why we need them.
host_packages=(
  g++-aarch64-linux-gnu  # the cross compiler (g++ 12)
  qemu-user              # qemu-aarch64: runs the arm64 tests (no binfmt here)
)
# arm64 packages (Multi-Arch: same, installed beside the amd64 copies).
arm64_packages=(
  libasmjit-dev:arm64    # the JIT's assembler (find_package(asmjit) on arm64)
  libgtest-dev:arm64     # unit tests
  libssl-dev:arm64       # libcrypto: SHA-256 for the code cache
)

if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  as_root=(false)
fi
need_root() {
  if [[ "${as_root[*]}" == false ]]; then
    echo "setup_aarch64: ERROR: $1, and not root, no sudo available" >&2
    exit 1
  fi
}
missing_of() {
  local package
  for package in "$@"; do
    if ! dpkg -s "$package" >/dev/null 2>&1; then
      printf '%s\n' "$package"
    fi
  done
}
export DEBIAN_FRONTEND=noninteractive
changed=0

mapfile -t missing < <(missing_of "${host_packages[@]}")
if ((${#missing[@]} > 0)); then
  need_root "missing packages (${missing[*]})"
  echo "setup_aarch64: installing missing packages: ${missing[*]}"
  "${as_root[@]}" apt-get update -q
  "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
  changed=1
fi

mapfile -t missing < <(missing_of "${arm64_packages[@]}")
if ((${#missing[@]} > 0)); then
  need_root "missing packages (${missing[*]})"
  echo "setup_aarch64: installing missing packages: ${missing[*]}"
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    "${as_root[@]}" dpkg --add-architecture arm64
  fi
  "${as_root[@]}" apt-get update -q
  "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
  changed=1
fi

if ((changed == 0)); then
  echo "setup_aarch64: all packages present"
fi
