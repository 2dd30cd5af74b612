#!/usr/bin/env bash
# Installs the peer runtimes of the benchmark comparison, from package
# registries only (crates.io, PyPI, the Go module proxy; Node from Debian),
# and describes them in DIR/peers.tsv for bench/compare.py:
#
#   bench/peers/install.sh [DIR]        (default: build/peers)
#
# peers.tsv: name<TAB>kind<TAB>status<TAB>version<TAB>command, where kind is
# interp or jit, status is ok or missing:<reason>, and command is the argv
# prefix the runner appends FILE.wasm ARGS... to. A peer that fails to
# install is listed as missing, with the reason, and the script goes on.
#
#   wasmtime   cargo install wasmtime-cli (Cranelift), cache off; and
#              wasmtime-cached with its cache on (cold-start figures)
#   wazero     go install .../wazero/cmd/wazero: the compiler, and
#              wazero-interp (-interpreter); wazero-cached with -cachedir
#   wasmi      cargo install wasmi_cli
#   wasm3      wasm3 0.5.0's sources from PyPI's pywasm3 sdist, compiled
#              -O3 with bench/peers/wasm3_run.c (a WASI runner of ours)
#   wamr       WAMR's sources from the wamr-sys crate, fast interpreter,
#              with bench/peers/wamr_run.c (an embedding runner of ours)
#   v8         Debian's Node.js with bench/peers/node_wasi.mjs
#
# The first run compiles wasmtime (about 20-30 minutes on 2 cores) and
# wasmi; later runs reuse everything and take seconds.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$(dirname "$here")")"
dir="${1:-$repo/build/peers}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
logs="$dir/logs"
mkdir -p "$logs"
tsv="$dir/peers.tsv"
rows=()

# Versions are pinned so every run measures the same peers; wasmtime 48 is
# the newest whose crates build with the machine's rustc (1.95).
readonly wasmtime_version=48.0.8
readonly wasmi_version=2.0.0
readonly wazero_version=v1.12.0
readonly pywasm3_version=0.5.0
readonly wamr_sys_version=0.1.1

go_bin="$(command -v go || true)"
[ -z "$go_bin" ] && [ -x /usr/local/go/bin/go ] && go_bin=/usr/local/go/bin/go
cc_bin="$(command -v clang || command -v gcc || true)"

row() { rows+=("$1"$'\t'"$2"$'\t'"$3"$'\t'"$4"$'\t'"$5"); }
log_tail() { tail -n 3 "$1" 2>/dev/null | tr '\t\n' '  ' | cut -c1-200; }

# --- crates.io: wasmi, wasmtime --------------------------------------------
cargo_install() {  # crate version binary log
  local bin="$dir/cargo/bin/$3"
  if [ -x "$bin" ] && [ -f "$dir/cargo/.$1-$2" ]; then return 0; fi
  if ! command -v cargo >/dev/null 2>&1; then echo "cargo not found" >"$4"; return 1; fi
  echo "install.sh: cargo install $1 $2 (log: $4)"
  CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}" cargo install "$1" --version "$2" --locked --root "$dir/cargo" >"$4" 2>&1 &&
    touch "$dir/cargo/.$1-$2"
}

if cargo_install wasmi_cli "$wasmi_version" wasmi "$logs/wasmi.log"; then
  row wasmi interp ok "wasmi_cli $wasmi_version" "$dir/cargo/bin/wasmi"
else
  row wasmi interp "missing:cargo install wasmi_cli failed: $(log_tail "$logs/wasmi.log")" "" ""
fi

if cargo_install wasmtime-cli "$wasmtime_version" wasmtime "$logs/wasmtime.log"; then
  version="$("$dir/cargo/bin/wasmtime" --version 2>/dev/null)"
  # -C cache=n: no compilation cache, so every run compiles (the cold figure).
  row wasmtime jit ok "$version (Cranelift)" "$dir/cargo/bin/wasmtime run -C cache=n --"
  mkdir -p "$dir/wasmtime-cache"
  printf '[cache]\ndirectory = "%s"\n' "$dir/wasmtime-cache" >"$dir/wasmtime-cache.toml"
  row wasmtime-cached jit ok "$version (Cranelift, cache on)" \
    "$dir/cargo/bin/wasmtime run -C cache=y -C cache-config=$dir/wasmtime-cache.toml --"
else
  row wasmtime jit "missing:cargo install wasmtime-cli failed: $(log_tail "$logs/wasmtime.log")" "" ""
fi

# --- Go module proxy: wazero -----------------------------------------------
wazero="$dir/go-bin/wazero"
if [ ! -x "$wazero" ] && [ -n "$go_bin" ]; then
  echo "install.sh: go install wazero $wazero_version"
  GOBIN="$dir/go-bin" GOPATH="$dir/go-path" GOCACHE="$dir/go-cache" GOFLAGS= GOTOOLCHAIN=local \
    "$go_bin" install "github.com/tetratelabs/wazero/cmd/wazero@$wazero_version" >"$logs/wazero.log" 2>&1
fi
if [ -x "$wazero" ]; then
  version="wazero $("$wazero" version 2>/dev/null)"
  row wazero-interp interp ok "$version (interpreter)" "$wazero run -interpreter --"
  row wazero jit ok "$version (compiler)" "$wazero run --"
  mkdir -p "$dir/wazero-cache"
  row wazero-cached jit ok "$version (compiler, cache on)" "$wazero run -cachedir $dir/wazero-cache --"
else
  reason="${go_bin:+go install failed: $(log_tail "$logs/wazero.log")}"
  row wazero-interp interp "missing:${reason:-Go not found}" "" ""
  row wazero jit "missing:${reason:-Go not found}" "" ""
fi

# --- PyPI: wasm3 0.5.0 sources (pywasm3 sdist) -----------------------------
wasm3="$dir/wasm3/wasm3_run"
if [ ! -x "$wasm3" ] || [ "$here/wasm3_run.c" -nt "$wasm3" ]; then
  rm -rf "$dir/wasm3" && mkdir -p "$dir/wasm3"
  echo "install.sh: wasm3 from pywasm3 $pywasm3_version (PyPI sdist)"
  if python3 -m pip download --no-binary :all: --no-deps "pywasm3==$pywasm3_version" -d "$dir/wasm3" \
      >"$logs/wasm3.log" 2>&1 &&
     tar -xzf "$dir/wasm3/pywasm3-$pywasm3_version.tar.gz" -C "$dir/wasm3" >>"$logs/wasm3.log" 2>&1 &&
     [ -n "$cc_bin" ]; then
    src="$dir/wasm3/pywasm3-$pywasm3_version/wasm3"
    # shellcheck disable=SC2086
    "$cc_bin" -O3 -DNDEBUG -w -I"$src" -o "$wasm3" "$here/wasm3_run.c" "$src"/*.c -lm >>"$logs/wasm3.log" 2>&1
  fi
fi
if [ -x "$wasm3" ]; then
  row wasm3 interp ok "wasm3 $pywasm3_version (pywasm3 sdist, $(basename "$cc_bin") -O3)" "$wasm3"
else
  row wasm3 interp "missing:build from pywasm3 failed: $(log_tail "$logs/wasm3.log")" "" ""
fi

# --- crates.io: WAMR sources (wamr-sys crate) ------------------------------
wamr="$dir/wamr/wamr_run"
if [ ! -x "$wamr" ] || [ "$here/wamr_run.c" -nt "$wamr" ]; then
  echo "install.sh: WAMR from the wamr-sys $wamr_sys_version crate"
  rm -rf "$dir/wamr" && mkdir -p "$dir/wamr/fetch/src"
  (
    set -e
    cd "$dir/wamr/fetch"
    printf '[package]\nname = "fetch-wamr"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\nwamr-sys = "=%s"\n' \
      "$wamr_sys_version" >Cargo.toml
    echo 'fn main() {}' >src/main.rs
    CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" cargo fetch
    crate="$(find "${CARGO_HOME:-$HOME/.cargo}/registry/src" -maxdepth 1 -mindepth 1 -type d \
      -exec test -d "{}/wamr-sys-$wamr_sys_version" \; -print -quit)/wamr-sys-$wamr_sys_version"
    cp -r "$crate/wasm-micro-runtime" "$dir/wamr/src"
    cmake -S "$dir/wamr/src/product-mini/platforms/linux" -B "$dir/wamr/build" -DCMAKE_BUILD_TYPE=Release \
      -DWAMR_BUILD_INTERP=1 -DWAMR_BUILD_FAST_INTERP=1 -DWAMR_BUILD_AOT=0 -DWAMR_BUILD_JIT=0 \
      -DWAMR_BUILD_LIBC_WASI=1 -DWAMR_BUILD_LIBC_BUILTIN=1 -DWAMR_BUILD_BULK_MEMORY=1
    make -C "$dir/wamr/build" -j2 vmlib
    gcc -O3 -I"$dir/wamr/src/core/iwasm/include" -o "$wamr" "$here/wamr_run.c" "$dir/wamr/build/libvmlib.a" \
      -lm -ldl -lpthread
  ) >"$logs/wamr.log" 2>&1
fi
if [ -x "$wamr" ]; then
  row wamr interp ok "WAMR (wamr-sys $wamr_sys_version sources, Dec 2020), fast interpreter" "$wamr"
else
  row wamr interp "missing:build from wamr-sys failed: $(log_tail "$logs/wamr.log")" "" ""
fi

# --- Debian: Node.js (V8) ----------------------------------------------------
if command -v node >/dev/null 2>&1; then
  row v8 jit ok "node $(node --version) (V8)" "node --no-warnings $here/node_wasi.mjs"
else
  row v8 jit "missing:node not found (apt-get install nodejs)" "" ""
fi

printf '%s\n' "${rows[@]}" >"$tsv"
echo
echo "peers in $tsv:"
awk -F'\t' '{ printf "  %-16s %-7s %s\n", $1, $2, ($3 == "ok" ? $4 : $3) }' "$tsv"
