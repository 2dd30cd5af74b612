#!/usr/bin/env bash
# Builds every benchmark workload into OUTDIR/<name>.wasm (the Go ones as
# OUTDIR/go_<name>.wasm). Incremental: an output newer than its sources and
# than this script is kept.
#
#   bench/workloads/build.sh OUTDIR
#
# C: clang --target=wasm32-wasi --sysroot=/usr -O2 (Debian's clang 14, lld
# and wasi-libc). clang 14's default wasm target is the MVP feature set (no
# bulk memory, SIMD, threads or exceptions), so older interpreters can run
# every workload. Debug sections from wasi-libc are stripped (they would
# triple the file size and only slow down decoding); the name section stays
# for profilers.
# Go: GOOS=wasip1 GOARCH=wasm, offline (GOPROXY=off, GOTOOLCHAIN=local,
# stdlib only), with a GOCACHE under OUTDIR so no user cache is touched.
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: bench/workloads/build.sh OUTDIR" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
script="$here/build.sh"
mkdir -p "$1"
out="$(cd "$1" && pwd)"

# stale TARGET DEPENDENCY...: true if TARGET is missing or older than any.
stale() {
  local target="$1" dep
  shift
  [ -e "$target" ] || return 0
  for dep in "$@" "$script"; do
    [ "$dep" -nt "$target" ] && return 0
  done
  return 1
}

# --- C ---------------------------------------------------------------------
c_flags=(--target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -Werror -Wl,--strip-debug)
c_sources=("$here"/c/*.c)
c_todo=()
for source in "${c_sources[@]}"; do
  name="$(basename "$source" .c)"
  stale "$out/$name.wasm" "$source" "$here/c/common.h" && c_todo+=("$source")
done
if [ ${#c_todo[@]} -gt 0 ]; then
  clang_bin="${CLANG:-$(command -v clang || true)}"
  if [ -z "$clang_bin" ] || ! command -v "$clang_bin" >/dev/null; then
    echo "build.sh: clang not found (install Debian's clang, lld, wasi-libc and libclang-rt-14-dev-wasm32; scripts/setup.sh does)" >&2
    exit 1
  fi
  # One trial link finds a missing wasm-ld, wasi-libc or compiler-rt before
  # twelve confusing failures do.
  probe="$out/.probe.$$"
  printf '#include <stdio.h>\nint main(void) { puts("ok"); return 0; }\n' >"$probe.c"
  if ! "$clang_bin" "${c_flags[@]}" -o "$probe.wasm" "$probe.c" 2>"$probe.log"; then
    sed 's/^/  /' "$probe.log" >&2
    rm -f "$probe.c" "$probe.wasm" "$probe.log"
    echo "build.sh: $clang_bin cannot build for wasm32-wasi: install Debian's lld, wasi-libc and libclang-rt-14-dev-wasm32 (scripts/setup.sh does)" >&2
    exit 1
  fi
  rm -f "$probe.c" "$probe.wasm" "$probe.log"
  for source in "${c_todo[@]}"; do
    name="$(basename "$source" .c)"
    # Through a temporary file: an interrupted build leaves no output that
    # looks up to date.
    "$clang_bin" "${c_flags[@]}" -o "$out/$name.wasm.tmp" "$source"
    mv -f "$out/$name.wasm.tmp" "$out/$name.wasm"
    echo "built $name.wasm"
  done
fi

# --- Go --------------------------------------------------------------------
mapfile -t go_sources < <(find "$here/go" -name '*.go' -o -name go.mod)
go_todo=()
for dir in "$here"/go/*/; do
  name="$(basename "$dir")"
  [ "$name" = common ] && continue  # a library package, not a workload
  stale "$out/go_$name.wasm" "${go_sources[@]}" && go_todo+=("$name")
done
if [ ${#go_todo[@]} -gt 0 ]; then
  go_bin="${GO:-}"
  if [ -z "$go_bin" ]; then
    if [ -x /usr/local/go/bin/go ]; then go_bin=/usr/local/go/bin/go; else go_bin="$(command -v go || true)"; fi
  fi
  if [ -z "$go_bin" ]; then
    echo "build.sh: Go not found: install Go >= 1.24 in /usr/local/go (the workloads were sized with 1.26), or set GO=/path/to/go" >&2
    exit 1
  fi
  export GOOS=wasip1 GOARCH=wasm GOTOOLCHAIN=local GOPROXY=off GOFLAGS= GOWORK=off CGO_ENABLED=0
  export GOCACHE="$out/go-cache" GOPATH="$out/go-path"
  go_version="$("$go_bin" env GOVERSION 2>/dev/null || true)"
  if ! [[ "$go_version" =~ ^go1\.([0-9]+) ]] || [ "${BASH_REMATCH[1]}" -lt 24 ]; then
    echo "build.sh: $go_bin is '${go_version:-unusable}'; the workloads need Go >= 1.24 (GOOS=wasip1)" >&2
    exit 1
  fi
  for name in "${go_todo[@]}"; do
    # -buildvcs=false: the output must not depend on the state of the git
    # work tree (or fail when git refuses to read it).
    (cd "$here/go" && "$go_bin" build -trimpath -buildvcs=false -o "$out/go_$name.wasm.tmp" "./$name")
    mv -f "$out/go_$name.wasm.tmp" "$out/go_$name.wasm"
    echo "built go_$name.wasm ($go_version)"
  done
fi
echo "workloads in $out ($(( ${#c_todo[@]} + ${#go_todo[@]} )) rebuilt)"
