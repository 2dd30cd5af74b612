module wasmrt.invalid/bench/hello

go 1.24
