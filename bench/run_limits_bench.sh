#!/usr/bin/env bash
# Issue 4's overhead check: runs bench/limits_bench (Release build) with
# interleaved repetitions and prints, per workload, the median CPU time of
# each metering configuration and the ratios
#   fuel       = fuel1_int0 / fuel0_int0   (target <= 1.10)
#   fuel+int   = fuel1_int1 / fuel0_int1   (target <= 1.10)
#   interrupts = fuel0_int1 / fuel0_int0   (target <= 1.03)
# plus their geometric means. All ratios come from one run: on a shared
# machine only ratios measured side by side mean anything.
#
# Exit status: 0 all within target, 1 a ratio over its target, 2 the
# benchmark failed (a wrong result, a fuel mismatch, a build error).
#
# Usage: bench/run_limits_bench.sh [extra Google Benchmark flags]
# Environment:
#   BUILD_DIR    build tree (default: <repo>/build/limits-release); configured
#                as Release if it has no CMakeCache.txt yet
#   REPETITIONS  repetitions per configuration (default 10, at least 5)
#   MIN_TIME     --benchmark_min_time per repetition, seconds (default 0.3)
#   GATE         which ratios decide the exit status: "each" (every workload
#                and the geometric means; default), "geomean" (only the
#                geometric means) or "none" (report only)
#   STAT         "median" (default) or "min": which per-configuration figure
#                the ratios use. Interference from other processes only ever
#                slows a repetition down, so on a very noisy machine the
#                fastest repetition is a useful second opinion.
#   FUEL_TARGET / INTERRUPT_TARGET   override 1.10 / 1.03
#   TIER         the tier measured: interp (default), baseline, optimizing
#                or jit (tiered; its first repetitions include tier-up)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$repo/build/limits-release}"
repetitions="${REPETITIONS:-10}"
min_time="${MIN_TIME:-0.3}"
gate="${GATE:-each}"
stat="${STAT:-median}"
fuel_target="${FUEL_TARGET:-1.10}"
export WASMRT_LIMITS_TIER="${TIER:-interp}"
interrupt_target="${INTERRUPT_TARGET:-1.03}"

if ((repetitions < 5)); then
  echo "REPETITIONS must be at least 5 (medians of fewer are too noisy)" >&2
  exit 2
fi
case "$gate" in each | geomean | none) ;; *)
  echo "GATE must be each, geomean or none" >&2
  exit 2
  ;;
esac
case "$stat" in median | min) ;; *)
  echo "STAT must be median or min" >&2
  exit 2
  ;;
esac

if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
build_type="$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build_dir/CMakeCache.txt")"
if [[ "$build_type" != "Release" ]]; then
  echo "$build_dir is a '$build_type' build; timings need Release (set BUILD_DIR)" >&2
  exit 2
fi
ninja -C "$build_dir" limits_bench >/dev/null || {
  echo "building limits_bench failed" >&2
  exit 2
}

# The registration order (workload by workload), for a stable table.
workloads="$("$build_dir/bench/limits_bench" --benchmark_list_tests=true | awk -F/ '$1 == "limits" { print $2 }' | uniq | tr '\n' ' ')"

json="$(mktemp --suffix=.json)"
trap 'rm -f "$json"' EXIT

# Random interleaving runs the (configuration, repetition) pairs in a
# shuffled order, so a burst of load from other tenants spreads over all
# configurations instead of landing on one.
"$build_dir/bench/limits_bench" \
  --benchmark_repetitions="$repetitions" \
  --benchmark_enable_random_interleaving=true \
  --benchmark_min_time="$min_time" \
  --benchmark_display_aggregates_only=true \
  --benchmark_out="$json" --benchmark_out_format=json \
  "$@" >&2 || {
  echo "limits_bench failed" >&2
  exit 2
}

python3 - "$json" "$gate" "$fuel_target" "$interrupt_target" "$workloads" "$stat" <<'PY'
import json
import math
import sys

path, gate = sys.argv[1], sys.argv[2]
fuel_target, interrupt_target = float(sys.argv[3]), float(sys.argv[4])
order = sys.argv[5].split()
stat = sys.argv[6]
with open(path) as f:
    report = json.load(f)

configs = ["fuel0_int0", "fuel0_int1", "fuel1_int0", "fuel1_int1"]
medians = {}  # workload -> config -> cpu ms
means = {}    # workload -> config -> cpu ms
stddevs = {}  # workload -> config -> cpu ms
minimums = {}  # workload -> config -> cpu ms of the fastest repetition
fuel = {}     # workload -> {fuel values seen with fuel on}
errors = []
for run in report["benchmarks"]:
    name = run.get("run_name", run["name"])
    parts = name.split("/")
    if len(parts) != 3 or parts[0] != "limits":
        continue
    _, workload, config = parts
    if run.get("error_occurred"):
        errors.append(f"{name}: {run.get('error_message', '?')}")
        continue
    if run.get("run_type") == "aggregate":
        aggregate = {"median": medians, "mean": means, "stddev": stddevs}.get(run.get("aggregate_name"))
        if aggregate is not None:
            aggregate.setdefault(workload, {})[config] = run["cpu_time"]
    else:
        fastest = minimums.setdefault(workload, {})
        fastest[config] = min(fastest.get(config, math.inf), run["cpu_time"])
        if config.startswith("fuel1"):
            fuel.setdefault(workload, set()).add(int(run.get("fuel", 0)))

if errors:
    print("benchmark errors:", *errors, sep="\n  ")
    sys.exit(2)

ratio_defs = [
    ("fuel", "fuel1_int0", "fuel0_int0", fuel_target),
    ("fuel+int", "fuel1_int1", "fuel0_int1", fuel_target),
    ("interrupts", "fuel0_int1", "fuel0_int0", interrupt_target),
]

header = f"{'workload':<18}" + "".join(f"{c:>11}" for c in configs) + "".join(
    f"{r[0] + ' x':>13}" for r in ratio_defs) + f"{'max cv':>8}" + f"{'fuel used':>14}"
print()
print(f"{stat} CPU ms over the repetitions; ratio targets: fuel <= {fuel_target:.2f}, "
      f"interrupts <= {interrupt_target:.2f}")
print(header)
print("-" * len(header))

logs = {r[0]: [] for r in ratio_defs}
failures = []
consistent = True
chosen = medians if stat == "median" else minimums
for workload in order:
    m = chosen.get(workload, {})
    if not m:
        continue  # filtered out
    if any(c not in m for c in configs):
        print(f"{workload:<18} (missing configurations: run without a filter)")
        continue
    row = f"{workload:<18}" + "".join(f"{m[c]:>11.2f}" for c in configs)
    for label, num, den, target in ratio_defs:
        ratio = m[num] / m[den]
        logs[label].append(math.log(ratio))
        mark = "*" if ratio > target else " "
        row += f"{ratio:>12.3f}{mark}"
        if ratio > target and gate == "each":
            failures.append(f"{workload} {label} {ratio:.3f} > {target:.2f}")
    # The noisiest configuration's stddev/mean: a ratio closer to its
    # target than this is within the noise of this run.
    cv = max(stddevs.get(workload, {}).get(c, 0) / means[workload][c] for c in configs)
    row += f"{100 * cv:>7.1f}%"
    seen = fuel.get(workload, set())
    if len(seen) == 1:
        row += f"{next(iter(seen)):>14}"
    else:
        consistent = False
        row += f"{'MISMATCH ' + str(sorted(seen)):>14}"
    print(row)

if logs["fuel"]:
    row = f"{'geomean':<18}" + " " * (11 * len(configs))
    for label, _, _, target in ratio_defs:
        g = math.exp(sum(logs[label]) / len(logs[label]))
        mark = "*" if g > target else " "
        row += f"{g:>12.3f}{mark}"
        if g > target and gate != "none":
            failures.append(f"geomean {label} {g:.3f} > {target:.2f}")
    print(row)
# The other statistic's geometric means, for information only.
other_name, other = ("min", minimums) if stat == "median" else ("median", medians)
other_logs = {r[0]: [] for r in ratio_defs}
for workload in order:
    m = other.get(workload, {})
    if all(c in m for c in configs):
        for label, num, den, _ in ratio_defs:
            other_logs[label].append(math.log(m[num] / m[den]))
if other_logs["fuel"]:
    print(f"{'geomean (' + other_name + ')':<18}" + " " * (11 * len(configs)) + "".join(
        f"{math.exp(sum(v) / len(v)):>12.3f} " for v in other_logs.values()) + "  (not checked)")
print("(* over target; max cv: the largest stddev/mean of the four configurations' repetitions)")

if not consistent:
    print("FAIL: fuel used differs between repetitions or configurations")
    sys.exit(2)
if failures:
    print("FAIL:", *failures, sep="\n  ")
    sys.exit(1)
print("PASS" if gate != "none" else "(GATE=none: not checked)")
PY
