#!/usr/bin/env bash
# Starts `wasm-run serve` (docs/plugin-host.md) on the bundled Go guests:
# builds wasm-run and the guests (tests/go/plugin_reactor, a reactor, and
# tests/go/plugin_command, a WASI command), registers both, activates them
# as the plugins "hello" and "wc", prints a curl line per endpoint, and
# serves in the foreground until Ctrl-C (or SIGTERM).
#
#   bash scripts/serve_demo.sh [HOST:PORT]     (default 127.0.0.1:8080)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
listen="${1:-127.0.0.1:8080}"
# WASMRT_BUILD_DIR: an existing build directory to reuse (default build/serve-demo).
build="${WASMRT_BUILD_DIR:-$root/build/serve-demo}"
bash "$root/scripts/setup.sh" >/dev/null
[[ -f "$build/build.ninja" ]] || cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$build" wasm-run plugin_host_go_guests
wasm_run="$build/tools/wasm-run/wasm-run"
url="http://$listen"

"$wasm_run" serve --listen "$listen" --registry "$build/registry" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server' INT TERM
for _ in $(seq 100); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done

digest_of() { sed -n 's/.*"digest":"\(sha256:[0-9a-f]*\)".*/\1/p'; }
reactor=$(curl -sf -X PUT -H 'Content-Type: application/wasm' --data-binary @"$build/tests/host/plugin_reactor.wasm" "$url/modules" | digest_of)
command=$(curl -sf -X PUT -H 'Content-Type: application/wasm' --data-binary @"$build/tests/host/plugin_command.wasm" "$url/modules" | digest_of)
curl -sf -X PUT -d "{\"digest\":\"$reactor\"}" "$url/plugins/hello" >/dev/null
curl -sf -X PUT -d "{\"digest\":\"$command\"}" "$url/plugins/wc" >/dev/null

cat <<EOT

wasm-run serve on $url (registry $build/registry); try:
  curl -X PUT -H 'Content-Type: application/wasm' --data-binary @MODULE.wasm $url/modules
  curl -X PUT -d '{"digest":"$reactor"}' $url/plugins/hello
  curl $url/plugins/hello
  curl -X POST -d '' $url/plugins/hello/rollback
  curl -H 'X-Tenant: acme' --data-binary 'world' $url/run/hello
  curl -H 'X-Tenant: acme' --data-binary 'error:no thanks' $url/run/hello
  curl -H 'X-Tenant: acme' --data-binary \$'one two\\nthree\\n' $url/run/wc
  curl -H 'X-Tenant: acme' --data-binary 'hi' $url/run/$command
  curl $url/metrics
  curl $url/healthz
Ctrl-C stops it (gracefully).
EOT
wait $server
