module wasmrt.invalid/tests/go/reactor

go 1.24
