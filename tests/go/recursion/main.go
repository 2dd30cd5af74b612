// recursion: a Go recursion 1,000,000 calls deep. Go grows the goroutine
// stack in linear memory, but each Go call is a wasm call too, so the
// runtime's wasm stack must hold a million frames.
package main

import (
	"fmt"
	"os"
	"strconv"
)

//go:noinline
func depth(n int) int {
	if n == 0 {
		return 0
	}
	return depth(n-1) + 1
}

func main() {
	n := 1_000_000
	if len(os.Args) > 1 {
		parsed, err := strconv.Atoi(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, "bad depth:", err)
			os.Exit(1)
		}
		n = parsed
	}
	fmt.Printf("recursed %d frames deep\n", depth(n))
}
