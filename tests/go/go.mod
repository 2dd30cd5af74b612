module wasmrt.invalid/tests/go

go 1.24
