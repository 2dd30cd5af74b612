#!/usr/bin/env python3
"""Side-by-side comparison of wasmrt against peer runtimes (issue 6).

Runs every workload on every runtime, interleaved (each round visits the
workloads in order and the runtimes in a fresh random order, so slow drifts
of a shared machine spread evenly over all of them), takes the median of the
rounds, verifies every checksum, and writes a dated Markdown table (plus the
raw samples as JSON) to bench/results/.

    bench/compare.py --wasm-run build/release/tools/wasm-run/wasm-run \
        --peers build/peers/peers.tsv --workloads build/workloads

Usually started through bench/compare.sh, which builds and installs
everything first. Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import atexit
import datetime
import json
import math
import os
import platform
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHECKSUM_LINE = re.compile(r"^checksum: (\S+)\s*$", re.MULTILINE)


@dataclass
class Runtime:
    name: str
    kind: str  # "interp" or "jit"
    status: str  # "ok" or "missing:<reason>"
    version: str
    command: list[str]

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class Sample:
    wall: float
    cpu: float
    ok: bool
    detail: str = ""


@dataclass
class Cell:
    samples: list[Sample] = field(default_factory=list)
    failure: str = ""  # set once a run fails: the rest of the rounds skip it

    def median_wall(self) -> float | None:
        good = [s.wall for s in self.samples if s.ok]
        return statistics.median(good) if good and not self.failure else None


def read_peers(path: Path) -> list[Runtime]:
    runtimes = []
    if not path.exists():
        print(f"compare.py: {path} not found: no peers (run bench/peers/install.sh)", file=sys.stderr)
        return runtimes
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 5:
            print(f"compare.py: ignoring malformed peers.tsv line: {line!r}", file=sys.stderr)
            continue
        name, kind, status, version, command = parts[:5]
        runtimes.append(Runtime(name, kind, status, version, shlex.split(command)))
    return runtimes


def wasmrt_runtimes(wasm_run: Path) -> list[Runtime]:
    version = subprocess.run([str(wasm_run), "--version"], capture_output=True, text=True).stdout.strip()
    runtimes = [Runtime("wasmrt", "interp", "ok", version, [str(wasm_run), "--engine", "interp"])]
    # A build without a JIT answers --engine jit (and baseline) with status
    # 3; list those tiers as missing rather than dropping them.
    with tempfile.TemporaryDirectory() as scratch:
        empty = Path(scratch) / "empty.wat"
        empty.write_text("(module)")
        probe = subprocess.run([str(wasm_run), "--engine", "jit", str(empty)], capture_output=True, text=True)
    jit_status = "ok" if probe.returncode == 0 else "missing:this wasm-run has no JIT"
    # wasmrt-jit is the default engine (auto: the tiered JIT); the baseline
    # compiles every function up front, which tier-up saves on short runs.
    runtimes.append(Runtime("wasmrt-jit", "jit", jit_status, version + " (tiered JIT, the default)",
                            [str(wasm_run), "--engine", "jit"]))
    runtimes.append(Runtime("wasmrt-baseline", "jit", jit_status, version + " (baseline JIT, all up front)",
                            [str(wasm_run), "--engine", "baseline"]))
    # Cold start only: every function translated before the guest starts,
    # against the default, which translates each on its first call.
    runtimes.append(Runtime("wasmrt-eager", "interp", "ok", version + " (interpreter, --compile eager)",
                            [str(wasm_run), "--engine", "interp", "--compile", "eager"]))
    runtimes.append(Runtime("wasmrt-jit-eager", "jit", jit_status, version + " (tiered JIT, --compile eager)",
                            [str(wasm_run), "--engine", "jit", "--compile", "eager"]))
    # Cold start only: the on-disk code cache (docs/code-cache.md), one
    # directory per variant (the cache key includes the engine), removed
    # when this script exits. cold_start() fills each with an untimed run.
    for name, engine, kind, status in (("wasmrt-cached", "interp", "interp", "ok"),
                                       ("wasmrt-jit-cached", "jit", "jit", jit_status)):
        cache = tempfile.mkdtemp(prefix=f"{name}-")
        atexit.register(shutil.rmtree, cache, ignore_errors=True)
        runtimes.append(Runtime(name, kind, status, version + f" ({engine}, --cache)",
                                [str(wasm_run), "--engine", engine, "--cache", cache]))
    return runtimes


def cold_start_only(runtime: Runtime) -> bool:
    """Variants timed only in the cold-start table (caches on, eager compilation)."""
    return runtime.name.endswith("-cached") or runtime.name.endswith("-eager")


def read_expected(path: Path) -> dict[str, str]:
    expected = {}
    if path.exists():
        for line in path.read_text().splitlines():
            parts = line.split()
            if len(parts) == 2 and not line.startswith("#"):
                expected[parts[0]] = parts[1]
    return expected


def run_once(command: list[str], timeout: float) -> tuple[float, int | None, str, str]:
    """Wall seconds, exit status (None on timeout), stdout, stderr."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return time.perf_counter() - start, None, "", ""
    wall = time.perf_counter() - start
    return wall, process.returncode, out.decode(errors="replace"), err.decode(errors="replace")


def children_cpu() -> float:
    # CPU time of reaped children; the delta around one run is that run's.
    usage = os.times()
    return usage.children_user + usage.children_system


def measure(runtime: Runtime, wasm: Path, args: list[str], timeout: float) -> tuple[Sample, str | None]:
    cpu_before = children_cpu()
    wall, status, out, err = run_once(runtime.command + [str(wasm)] + args, timeout)
    cpu = children_cpu() - cpu_before
    if status is None:
        return Sample(wall, cpu, False, f"timed out after {timeout:.0f} s"), None
    if status != 0:
        tail = " | ".join(err.strip().splitlines()[-2:])[:200]
        return Sample(wall, cpu, False, f"exit {status}: {tail}"), None
    found = CHECKSUM_LINE.findall(out)
    if len(found) != 1:
        return Sample(wall, cpu, False, "no checksum line in its output"), None
    return Sample(wall, cpu, True), found[0]


def machine_description() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / (1 << 20):.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    load = ", load average at start %.2f %.2f %.2f" % os.getloadavg()
    return f"{model}, {os.cpu_count()} logical CPUs{mem}; {platform.system()} {platform.release()}{load}"


def geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def format_seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wasm-run", type=Path, default=REPO / "build/release/tools/wasm-run/wasm-run")
    parser.add_argument("--peers", type=Path, default=REPO / "build/peers/peers.tsv")
    parser.add_argument("--workloads", type=Path, default=REPO / "build/workloads",
                        help="directory of built workloads (bench/workloads/build.sh)")
    parser.add_argument("--runs", type=int, default=5, help="rounds; the table shows the median (min 5 for a report)")
    parser.add_argument("--scale", type=int, default=100, help="workload size in percent of the full size")
    parser.add_argument("--only", default="", help="comma-separated workload names (default: all)")
    parser.add_argument("--runtimes", default="", help="comma-separated runtime names (default: all installed)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds per run before it counts as failed (default: 9 x scale, at least 60: "
                             "the slowest finishing peer needs ~4 s at scale 10)")
    parser.add_argument("--cold-start-runs", type=int, default=10)
    parser.add_argument("--cold-start-only", action="store_true",
                        help="only the Go hello-world cold-start table (no workloads)")
    parser.add_argument("--go-hello", type=Path, default=None,
                        help="Go hello-world module for the cold-start figures (default: WORKLOADS/go_hello.wasm)")
    parser.add_argument("--out-dir", type=Path, default=REPO / "bench/results")
    parser.add_argument("--seed", type=int, default=None, help="seed of the runtime order (default: time)")
    options = parser.parse_args()

    if options.runs < 1:
        parser.error("--runs must be at least 1")
    if options.timeout is None:
        # A peer that hangs (the old WAMR on go_flate) must not cost 15
        # minutes a round when the workloads are a tenth of their size.
        options.timeout = max(60.0, 9.0 * options.scale)
    if not options.wasm_run.exists():
        print(f"compare.py: {options.wasm_run} not found (build wasm-run first)", file=sys.stderr)
        return 2
    runtimes = wasmrt_runtimes(options.wasm_run) + read_peers(options.peers)
    if options.runtimes:
        wanted = set(options.runtimes.split(","))
        runtimes = [r for r in runtimes if r.name in wanted]
    active = [r for r in runtimes if r.ok and not cold_start_only(r)]

    expected = read_expected(REPO / "bench/workloads/expected.txt")
    workloads = sorted(p.stem for p in options.workloads.glob("*.wasm") if p.stem != "go_hello")
    if options.only:
        workloads = [w for w in options.only.split(",")]
    if options.cold_start_only:
        workloads = []
    missing_files = [w for w in workloads if not (options.workloads / f"{w}.wasm").exists()]
    if missing_files or (not workloads and not options.cold_start_only):
        print(f"compare.py: workloads missing in {options.workloads}: {missing_files or 'all'}", file=sys.stderr)
        return 2
    args = [] if options.scale == 100 else [str(options.scale)]

    rng = random.Random(options.seed)
    cells = {(w, r.name): Cell() for w in workloads for r in active}
    checksums: dict[tuple[str, str], str] = {}
    started = datetime.datetime.now(datetime.timezone.utc)
    machine = machine_description()
    print(f"{len(workloads)} workloads x {len(active)} runtimes x {options.runs} rounds on {machine}", flush=True)
    for round_index in range(options.runs):
        for workload in workloads:
            order = active[:]
            rng.shuffle(order)
            for runtime in order:
                cell = cells[(workload, runtime.name)]
                if cell.failure:
                    continue
                sample, checksum = measure(runtime, options.workloads / f"{workload}.wasm", args, options.timeout)
                cell.samples.append(sample)
                if not sample.ok:
                    cell.failure = sample.detail
                elif (want := expected.get(workload)) is not None and options.scale == 100 and checksum != want:
                    cell.failure = f"wrong checksum {checksum} (expected {want})"
                else:
                    previous = checksums.setdefault((workload, runtime.name), checksum)
                    if previous != checksum:
                        cell.failure = f"checksum changed between runs: {previous} then {checksum}"
                status = "ok" if not cell.failure else f"FAILED: {cell.failure}"
                print(f"  round {round_index + 1}/{options.runs} {workload:<12} {runtime.name:<14} "
                      f"{sample.wall:8.3f} s  {status}", flush=True)
    # At scales without recorded checksums, every runtime must agree with wasmrt.
    for workload in workloads:
        reference = checksums.get((workload, "wasmrt"))
        for runtime in active:
            got = checksums.get((workload, runtime.name))
            cell = cells[(workload, runtime.name)]
            if reference and got and got != reference and not cell.failure:
                cell.failure = f"checksum {got} differs from wasmrt's {reference}"

    cold = cold_start(options, runtimes, rng)
    report = render(options, runtimes, workloads, cells, cold, started, machine)
    options.out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{started.strftime('%Y-%m-%d-%H%M')}-{platform.node() or 'host'}"
    (options.out_dir / f"{stem}.md").write_text(report)
    raw = {
        "started": started.isoformat(), "machine": machine, "scale": options.scale, "runs": options.runs,
        "runtimes": [r.__dict__ for r in runtimes],
        "samples": {f"{w}/{r}": [s.__dict__ for s in c.samples] for (w, r), c in cells.items()},
        "failures": {f"{w}/{r}": c.failure for (w, r), c in cells.items() if c.failure},
        "cold_start": cold,
    }
    (options.out_dir / f"{stem}.json").write_text(json.dumps(raw, indent=1))
    print(report)
    print(f"wrote {options.out_dir / (stem + '.md')}")
    return 0


def cold_start(options, runtimes: list[Runtime], rng: random.Random) -> dict[str, dict]:
    """Go hello world, process start to exit, for every runtime that runs it."""
    hello = options.go_hello or options.workloads / "go_hello.wasm"
    result: dict[str, dict] = {}
    if not hello.exists() or options.cold_start_runs < 1:
        return result
    candidates = [r for r in runtimes if r.ok]
    # Cached variants get one untimed run first, to fill their cache.
    for runtime in candidates:
        if runtime.name.endswith("-cached"):
            run_once(runtime.command + [str(hello)], options.timeout)
    walls: dict[str, list[float]] = {r.name: [] for r in candidates}
    errors: dict[str, str] = {}
    for _ in range(options.cold_start_runs):
        order = candidates[:]
        rng.shuffle(order)
        for runtime in order:
            if runtime.name in errors:
                continue
            wall, status, out, err = run_once(runtime.command + [str(hello)], options.timeout)
            if status != 0 or "Hello" not in out:
                errors[runtime.name] = f"exit {status}: {err.strip()[-160:]}"
            else:
                walls[runtime.name].append(wall)
    for runtime in candidates:
        if runtime.name in errors:
            result[runtime.name] = {"error": errors[runtime.name]}
        else:
            samples = walls[runtime.name]
            result[runtime.name] = {"median": statistics.median(samples), "min": min(samples), "samples": samples}
    result["_module_bytes"] = {"size": hello.stat().st_size}
    return result


def render(options, runtimes, workloads, cells, cold, started, machine) -> str:
    active = [r for r in runtimes if r.ok and not cold_start_only(r)]
    lines = [
        f"# wasmrt vs peers, {started.strftime('%Y-%m-%d %H:%M UTC')}",
        "",
        f"Machine: {machine}.",
        "",
        f"Median wall time in seconds of {options.runs} interleaved rounds (process start to exit, "
        f"compilation included), workloads at scale {options.scale}%. Every checksum verified. "
        "Ratio = runtime / wasmrt's tier of the same kind (the interpreter among interpreters, "
        "wasmrt-jit among JIT compilers); above 1 means wasmrt is faster.",
        "",
        "## Runtimes",
        "",
        "| runtime | kind | version | status |",
        "|---|---|---|---|",
    ]
    for r in runtimes:
        lines.append(f"| {r.name} | {r.kind} | {r.version} | {r.status} |")
    for kind, title in (("interp", "Interpreters"), ("jit", "JIT compilers")):
        group = [r for r in active if r.kind == kind]
        if not group or not workloads:
            continue
        lines += ["", f"## {title}", ""]
        base_name = "wasmrt-jit" if kind == "jit" and any(r.name == "wasmrt-jit" for r in group) else "wasmrt"
        header = "| workload | " + " | ".join(r.name for r in group) + " |"
        lines += [header, "|---" * (len(group) + 1) + "|"]
        for workload in workloads:
            base = cells.get((workload, base_name))
            base_time = base.median_wall() if base else None
            row = [workload]
            for r in group:
                cell = cells[(workload, r.name)]
                t = cell.median_wall()
                if t is None:
                    row.append(f"failed ({cell.failure[:80]})")
                elif base_time and r.name != base_name:
                    row.append(f"{format_seconds(t)} ({t / base_time:.2f}×)")
                else:
                    row.append(format_seconds(t))
            lines.append("| " + " | ".join(row) + " |")
        for label, prefix in (("C", False), ("Go", True)):
            subset = [w for w in workloads if w.startswith("go_") == prefix]
            if not subset:
                continue
            row = [f"**geomean, {label} ({len(subset)})**"]
            for r in group:
                times = [cells[(w, r.name)].median_wall() for w in subset]
                base = [cells[(w, base_name)].median_wall() for w in subset]
                if any(t is None for t in times):
                    done = sum(t is not None for t in times)
                    row.append(f"incomplete ({done}/{len(subset)})")
                    continue
                g = geomean(times)
                if r.name != base_name and all(b is not None for b in base):
                    ratio = geomean([t / b for t, b in zip(times, base)])
                    row.append(f"**{format_seconds(g)} ({ratio:.2f}×)**")
                else:
                    row.append(f"**{format_seconds(g)}**")
            lines.append("| " + " | ".join(row) + " |")
    if cold:
        size = cold.get("_module_bytes", {}).get("size", 0)
        lines += ["", "## Go hello-world cold start", "",
                  f"Process start to exit, {options.cold_start_runs} interleaved runs, module of {size / 1e6:.2f} MB. "
                  "`-cached` variants run with their compilation cache on (filled by one untimed run); "
                  "`-eager` ones translate every function before the guest starts (`--compile eager`; "
                  "wasmrt's default translates each on its first call).", "",
                  "| runtime | median ms | min ms | ratio to wasmrt |", "|---|---|---|---|"]
        base = cold.get("wasmrt", {}).get("median")
        for name, entry in cold.items():
            if name.startswith("_"):
                continue
            if "error" in entry:
                lines.append(f"| {name} | failed ({entry['error'][:80]}) | | |")
            else:
                ratio = f"{entry['median'] / base:.2f}×" if base else ""
                lines.append(f"| {name} | {entry['median'] * 1e3:.1f} | {entry['min'] * 1e3:.1f} | {ratio} |")
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
