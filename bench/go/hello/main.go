// The benchmark's guest module: a plain fmt hello world. Built for
// GOOS=wasip1 GOARCH=wasm it is a ~2 MB module with thousands of functions,
// a realistic decode/validate workload (and, later, a WASI run target).
package main

import "fmt"

func main() {
	fmt.Println("Hello, world!")
}
