// hello: the smallest real Go program (fmt, so os and syscall initialize:
// preopen scan, non-blocking stdio, fd_write).
package main

import "fmt"

func main() {
	fmt.Println("Hello, wasmrt!")
	fmt.Printf("%d + %d = %d\n", 2, 3, 2+3)
}
