module wasmrt.invalid/tests/go/plugin_reactor

go 1.24
