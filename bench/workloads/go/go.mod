module wasmrt.bench/workloads

go 1.24
