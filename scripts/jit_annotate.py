#!/usr/bin/env python3
"""Where machine code spends its time, instruction by instruction.

Run the program under `perf record` with WASMRT_PERF_MAP=1 (which writes
/tmp/perf-<pid>.map and the code's bytes, /tmp/perf-<pid>-<addr>.bin),
then:  python3 scripts/jit_annotate.py perf.data [--top N] [--lines L]
Prints the N hottest JIT functions' hottest instructions with their share
of the samples, disassembled by objdump (x86-64 or AArch64, from the
recorded code).
"""
import argparse
import collections
import glob
import os
import re
import subprocess


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--top", type=int, default=3, help="functions to show")
    ap.add_argument("--lines", type=int, default=40, help="instructions per function")
    ap.add_argument("--arch", default="i386:x86-64", help="objdump -m machine (aarch64 for arm64)")
    args = ap.parse_args()
    out = subprocess.run(["perf", "script", "-i", args.data, "-F", "pid,ip,sym"], capture_output=True,
                         text=True, check=True).stdout
    samples = collections.Counter()
    syms = {}
    pid = None
    total = 0
    for line in out.splitlines():
        parts = line.split(None, 2)
        if len(parts) < 2:
            continue
        total += 1
        pid = parts[0]
        ip = int(parts[1], 16)
        samples[ip] += 1
        if len(parts) == 3:
            syms[ip] = parts[2].strip()
    if pid is None:
        raise SystemExit("no samples")
    blobs = []
    for path in glob.glob(f"/tmp/perf-{pid}-*.bin"):
        start = int(re.search(r"-([0-9a-f]+)\.bin$", path).group(1), 16)
        blobs.append((start, start + os.path.getsize(path), path))
    ranges = []
    with open(f"/tmp/perf-{pid}.map") as f:
        for line in f:
            start, size, name = line.rstrip("\n").split(" ", 2)
            ranges.append((int(start, 16), int(start, 16) + int(size, 16), name))
    per_range = collections.Counter()
    for ip, n in samples.items():
        for r in ranges:
            if r[0] <= ip < r[1]:
                per_range[r] += n
                break
    print(f"{total} samples; JIT code: {sum(per_range.values())}")
    for r, n in per_range.most_common(args.top):
        print(f"\n== {r[2]}: {n} samples ({100.0 * n / total:.1f}%), {r[1] - r[0]} bytes at {r[0]:#x}")
        blob = next((b for b in blobs if b[0] <= r[0] < b[1]), None)
        if blob is None:
            print("   (no code file)")
            continue
        dis = subprocess.run(["objdump", "-D", "-b", "binary", "-m", args.arch, f"--adjust-vma={blob[0]:#x}",
                              f"--start-address={r[0]:#x}", f"--stop-address={r[1]:#x}", blob[2]],
                             capture_output=True, text=True, check=True).stdout
        rows = []
        for line in dis.splitlines():
            m = re.match(r"\s*([0-9a-f]+):\s+(?:[0-9a-f]{2} )+\s*(.*)", line)
            if m:
                rows.append((int(m.group(1), 16), m.group(2).strip()))
        hot = sorted(rows, key=lambda row: -samples.get(row[0], 0))[:args.lines]
        keep = {row[0] for row in hot if samples.get(row[0], 0) > 0}
        last = None
        for k, (addr, text) in enumerate(rows):
            if addr not in keep:
                continue
            if last is not None and k != last + 1:
                print("   ...")
            last = k
            c = samples.get(addr, 0)
            print(f"{100.0 * c / n:6.2f}%  {addr - r[0]:6x}  {text}")


if __name__ == "__main__":
    main()
