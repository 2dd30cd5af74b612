#!/usr/bin/env bash
# The two tiers of the arm64 build side by side, under qemu-user on an
# x86-64 machine (issue 17, docs/aarch64.md): every C workload of
# bench/workloads/c, once on `--engine interp` and once on `--engine jit`
# (the tiered JIT, the default engine), with the wall time of each and the
# ratio jit/interp.
#
#   bash bench/arm64_tiers.sh [--build-dir DIR] [--scale PERCENT] [--only fib,sieve]
#
# --build-dir  the arm64 build (default build/aarch64, as scripts/test_aarch64.sh
#              makes it); if it has no wasm-run yet, only wasm-run is built there
# --scale      workload size in percent (default 10: the interpreter takes
#              about 50 s per full-size workload under qemu); the checksums
#              are checked against bench/workloads/expected.txt at 100, and
#              the two tiers against each other at every scale
# --only       comma-separated workload names (default: all of bench/workloads/c)
#
# One run each: under emulation an absolute time says little (qemu
# translates arm64 code to x86-64, the interpreter's dispatch suffers most),
# so read the ratio, and only as a rough one. A build without an arm64 JIT
# (`wasm-run --version` lists only interp) prints the interp column and
# "unavailable" for jit. Exits non-zero if a run fails or a checksum is
# wrong (or the tiers disagree, at other scales).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
build_dir=build/aarch64
scale=10
only=""
while (($# > 0)); do
  case "$1" in
    --build-dir) build_dir=$2; shift 2 ;;
    --build-dir=*) build_dir=${1#*=}; shift ;;
    --scale) scale=$2; shift 2 ;;
    --scale=*) scale=${1#*=}; shift ;;
    --only) only=$2; shift 2 ;;
    --only=*) only=${1#*=}; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "arm64_tiers.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ $scale =~ ^[0-9]+$ ]] || ((scale < 1)); then
  echo "arm64_tiers.sh: --scale wants a positive integer (percent), not '$scale'" >&2
  exit 2
fi
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
  export PATH="$PATH:/usr/local/go/bin"
fi
# Without it qemu-user 7.2 never frees the bookkeeping of unmapped guest
# memory and grows by ~48 MB per wasm memory (docs/aarch64.md).
export QEMU_RESERVED_VA=${QEMU_RESERVED_VA:-512G}

wasm_run=$build_dir/tools/wasm-run/wasm-run
if [[ ! -x $wasm_run ]]; then
  bash scripts/setup_aarch64.sh
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake >/dev/null
  ninja -C "$build_dir" -j"${WASMRT_JOBS:-2}" wasm-run
fi
# e_machine of the ELF header: 183 is EM_AARCH64.
if [[ $(od -An -tu2 -j18 -N2 "$wasm_run" | tr -d ' ') != 183 ]]; then
  echo "arm64_tiers.sh: $wasm_run is not an arm64 executable (cross-build with cmake/toolchains/aarch64-linux-gnu.cmake)" >&2
  exit 2
fi
# The arm64 executables are static (the toolchain file links them so), so
# plain qemu-aarch64 runs them, with no -L sysroot.
run=(qemu-aarch64 "$wasm_run")

workloads=build/workloads
bash bench/workloads/build.sh "$workloads" >/dev/null

version=$("${run[@]}" --version)
# "wasm-run (wasmrt) 0.2.0 aarch64: interp, jit", or "...: interp" without a JIT.
have_jit=0
[[ $version == *": interp, jit" ]] && have_jit=1
echo "$version (qemu-aarch64 $(qemu-aarch64 --version | sed -n 's/^qemu-aarch64 version \([^ ]*\).*/\1/p'), QEMU_RESERVED_VA=$QEMU_RESERVED_VA)"
echo "scale ${scale}%, one run per tier; seconds of wall time under emulation"
((have_jit)) || echo "this build has no arm64 JIT: the jit column is unavailable"

expected_checksum() {
  sed -n "s/^$1 \([0-9a-f]*\)$/\1/p" bench/workloads/expected.txt
}

# Runs one workload on one tier; sets `seconds` and `checksum`, or returns 1.
run_tier() {
  local engine=$1 wasm=$2 out start end
  start=$(date +%s.%N)
  if ! out=$("${run[@]}" --engine "$engine" "$wasm" "$scale" 2>&1); then
    printf '%s\n' "$out" | tail -n 3 >&2
    return 1
  fi
  end=$(date +%s.%N)
  seconds=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')
  checksum=$(sed -n 's/^checksum: \([0-9a-f]*\)$/\1/p' <<<"$out" | tail -n 1)
}

failures=0
printf '%-12s %10s %11s %10s  %s\n' workload interp jit jit/interp checksum
for source in bench/workloads/c/*.c; do
  name=$(basename "$source" .c)
  if [[ -n $only && ",$only," != *",$name,"* ]]; then continue; fi
  wasm=$workloads/$name.wasm
  interp_s=failed jit_s=unavailable ratio=- note=""
  expected=""
  ((scale == 100)) && expected=$(expected_checksum "$name")
  interp_sum=""
  if run_tier interp "$wasm"; then
    interp_s=$seconds interp_sum=$checksum
    if [[ -n $expected && $checksum != "$expected" ]]; then note="interp checksum $checksum != $expected"; fi
  else
    note="interp run failed"
  fi
  if ((have_jit)); then
    if run_tier jit "$wasm"; then
      jit_s=$seconds
      if [[ -n $expected && $checksum != "$expected" ]]; then
        note="${note:+$note; }jit checksum $checksum != $expected"
      elif [[ -z $expected && -n $interp_sum && $checksum != "$interp_sum" ]]; then
        note="${note:+$note; }jit checksum $checksum != interp $interp_sum"
      fi
      [[ $interp_s != failed ]] && ratio=$(awk -v j="$jit_s" -v i="$interp_s" 'BEGIN { printf "%.3f", (i > 0 ? j / i : 0) }')
    else
      jit_s=failed
      note="${note:+$note; }jit run failed"
    fi
  fi
  [[ -n $note ]] && failures=$((failures + 1))
  printf '%-12s %10s %11s %10s  %s\n' "$name" "$interp_s" "$jit_s" "$ratio" "${note:-ok${expected:+ (expected)}}"
done
if ((failures > 0)); then
  echo "arm64_tiers.sh: $failures workload(s) failed"
  exit 1
fi
