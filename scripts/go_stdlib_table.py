#!/usr/bin/env python3
"""Writes docs/go-stdlib.md from two results files of
`scripts/go_stdlib_tests.sh --all` (one run on wasmrt, one with
--runtime wazero) and a file of reasons for the failures:

    scripts/go_stdlib_table.py WASMRT.tsv WAZERO.tsv [--reasons FILE] [-o OUT]

A results file has `# key<TAB>value...` lines describing the run and one
row per package: package, status, seconds, detail. When a package has
several rows (a rerun appended to the same file), the last one counts.
The reasons file (default scripts/go_stdlib_reasons.tsv) has
`package<TAB>why` lines, `#` comments ignored; a failing package without
one gets the run's own detail (the failed tests, the panic line).
Only the Python standard library is used.
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
RAN = ("pass", "fail", "timeout")


def read_results(path):
    meta, rows, order = {}, {}, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            if line.startswith("# "):
                key, _, value = line[2:].partition("\t")
                meta.setdefault(key, []).append(value)
                continue
            fields = line.split("\t")
            while len(fields) < 4:
                fields.append("")
            package, status, seconds, detail = fields[:4]
            if package not in rows:
                order.append(package)
            rows[package] = (status, float(seconds or 0), detail)
    return meta, rows, order


def read_reasons(path):
    reasons = {}
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                package, _, why = line.partition("\t")
                reasons[package] = why.strip()
    return reasons


def count(rows):
    c = {"pass": 0, "fail": 0, "timeout": 0, "skip-build": 0, "no-tests": 0}
    seconds = 0.0
    for status, s, _ in rows.values():
        c[status] = c.get(status, 0) + 1
        if status in RAN:
            seconds += s
    return c, seconds


def minutes(s):
    return f"{s:.0f} s ({s / 60:.1f} min)"


def last(meta, key, default="unknown"):
    values = meta.get(key)
    return values[-1] if values else default


def wall(meta):
    """The wall time of the last --all run in the file (it includes building
    the test binaries that run was the first to need)."""
    finished = last(meta, "finished", "")
    parts = finished.split("\t")
    for part in parts[1:]:
        head = part.split(" s wall")[0]
        try:
            return minutes(float(head))
        except ValueError:
            pass
    return "unknown"


def cell(status, seconds):
    if status in RAN:
        return status.upper() if status != "pass" else "pass", f"{seconds:.1f}"
    return {"skip-build": "no build", "no-tests": "no tests"}.get(status, status or "not run"), ""


def escape(text):
    return text.replace("|", "\\|").replace("/usr/local/go/src/", "$GOROOT/src/")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("wasmrt")
    p.add_argument("wazero")
    p.add_argument("--reasons", default=os.path.join(HERE, "go_stdlib_reasons.tsv"))
    p.add_argument("-o", "--output", default=os.path.join(REPO, "docs", "go-stdlib.md"))
    p.add_argument("--wasm-run-commit", default="", help="the commit wasm-run was built from")
    p.add_argument("--note", action="append", default=[], help="a paragraph for the run's section")
    a = p.parse_args()

    wmeta, wrows, worder = read_results(a.wasmrt)
    zmeta, zrows, zorder = read_results(a.wazero)
    reasons = read_reasons(a.reasons)
    packages = sorted(set(worder) | set(zorder))
    wc, ws = count(wrows)
    zc, zs = count(zrows)

    regressions = [p for p in packages if zrows.get(p, ("",))[0] == "pass" and wrows.get(p, ("",))[0] != "pass"]
    wasmrt_only = [p for p in packages if wrows.get(p, ("",))[0] == "pass" and zrows.get(p, ("",))[0] != "pass"]
    both_fail = [p for p in packages
                 if wrows.get(p, ("",))[0] in ("fail", "timeout") and zrows.get(p, ("",))[0] in ("fail", "timeout")]

    wasm_run = last(wmeta, "runtime").split("\t")[-1]
    if a.wasm_run_commit:
        wasm_run += f", built from commit {a.wasm_run_commit}"
    out = []
    w = out.append
    w("# The Go standard library on wasmrt and wazero")
    w("")
    w("Every package of `go list std` (the host's list: the packages that cannot")
    w("build for `GOOS=wasip1 GOARCH=wasm` are listed too, as *no build*, with")
    w("the compiler's reason) with test files: its test binary is built once")
    w("(`go test -c`) and run, the way `go test` runs it (in the package's source")
    w("directory, the host's `/` mounted as `/`, `PWD` and `PATH` passed), on")
    w("wasmrt's default engine (`--engine auto`: the JIT) and on wazero's CLI")
    w("(its compiler). Both runs use the same binaries and the same flags:")
    w("`-test.short`, as Go's own port builders run std through `cmd/dist test`,")
    w("and a timeout of 10 minutes per package. Generated by")
    w("`scripts/go_stdlib_table.py` from the results of:")
    w("")
    w("```sh")
    w("scripts/go_stdlib_tests.sh --all --short --log-dir L --bin-dir B --results wasmrt.tsv")
    w("scripts/go_stdlib_tests.sh --all --short --runtime wazero --log-dir L --bin-dir B --results wazero.tsv")
    w("scripts/go_stdlib_table.py wasmrt.tsv wazero.tsv   # writes this file")
    w("```")
    w("")
    w("(wazero installed as `bench/peers/install.sh` does: `go install")
    w("github.com/tetratelabs/wazero/cmd/wazero@v1.12.0`.) CI runs a quick subset")
    w("on each tier: `go_stdlib_quick` and `go_stdlib_quick_jit`")
    w("(`scripts/go_stdlib_tests.sh --quick`).")
    w("")
    w("## The run")
    w("")
    w(f"- Go: {last(wmeta, 'go')}")
    w(f"- wasmrt: {wasm_run}")
    w(f"- wazero: {last(zmeta, 'runtime').split(chr(9))[-1]} (compiler)")
    w(f"- machine: {last(wmeta, 'host')} (shared with other work while it ran)")
    w(f"- date: {last(wmeta, 'started')} (wasmrt), {last(zmeta, 'started')} (wazero)")
    w(f"- test flags: `{last(wmeta, 'flags')}`")
    w("")
    w("| | wasmrt | wazero |")
    w("| --- | ---: | ---: |")
    w(f"| packages | {len(wrows)} | {len(zrows)} |")
    for key, label in (("pass", "pass"), ("fail", "fail"), ("timeout", "time out (10 min)"),
                       ("skip-build", "do not build for wasip1"), ("no-tests", "no test files")):
        w(f"| {label} | {wc.get(key, 0)} | {zc.get(key, 0)} |")
    w(f"| time running tests (sum over packages) | {minutes(ws)} | {minutes(zs)} |")
    w(f"| wall time of the whole run | {wall(wmeta)} | {wall(zmeta)} |")
    w("")
    if regressions:
        w(f"**Pass on wazero but not on wasmrt: {len(regressions)}** "
          f"({', '.join('`' + p + '`' for p in regressions)}).")
    else:
        w("**Every package that passes on wazero passes on wasmrt.**")
    if wasmrt_only:
        w(f"Pass on wasmrt but not on wazero: {', '.join('`' + p + '`' for p in wasmrt_only)}.")
    if both_fail:
        w(f"Fail on both: {', '.join('`' + p + '`' for p in both_fail)}; the table says why.")
    w("")
    for note in a.note:
        w(note)
        w("")
    w("Times are the test binary's run alone (not the build), wall clock, on a")
    w("machine shared with other work; they compare roughly, not precisely.")
    w("Each binary runs once, so both runtimes compile it every time")
    w("(wazero without `-cachedir`): its smallest test binaries take 1.1 s on")
    w("wazero against 0.2 s on wasmrt, which is mostly compile time.")
    w("")
    w("## Packages")
    w("")
    w("| package | wasmrt | s | wazero | s | why (failures, no build) |")
    w("| --- | --- | ---: | --- | ---: | --- |")
    for package in packages:
        ws_, wsec, wdet = wrows.get(package, ("", 0.0, ""))
        zs_, zsec, zdet = zrows.get(package, ("", 0.0, ""))
        wr, wt = cell(ws_, wsec)
        zr, zt = cell(zs_, zsec)
        why = reasons.get(package, "")
        if not why:
            if ws_ == "skip-build" or (ws_ == "no-tests" and wdet != "no test files"):
                why = wdet
            elif ws_ in ("fail", "timeout") or zs_ in ("fail", "timeout"):
                parts = []
                if ws_ in ("fail", "timeout"):
                    parts.append(f"wasmrt: {wdet}")
                if zs_ in ("fail", "timeout"):
                    parts.append(f"wazero: {zdet}")
                why = "; ".join(parts)
        w(f"| `{package}` | {wr} | {wt} | {zr} | {zt} | {escape(why)} |")
    w("")
    text = "\n".join(out)
    if a.output == "-":
        sys.stdout.write(text)
    else:
        with open(a.output, "w", encoding="utf-8") as f:
            f.write(text)
    print(f"wasmrt: {wc['pass']} pass, {wc['fail']} fail, {wc['timeout']} timeout, {wc['skip-build']} no build, "
          f"{wc['no-tests']} no tests, {ws:.0f} s; wazero: {zc['pass']} pass, {zc['fail']} fail, "
          f"{zc['timeout']} timeout, {zs:.0f} s; pass on wazero only: {' '.join(regressions) or 'none'}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
