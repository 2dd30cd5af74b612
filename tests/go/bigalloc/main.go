// bigalloc: one 1 GiB allocation. Linear memory grows past 1 GiB (and the
// slice's upper part sits at addresses above 1 GiB); every MiB of it is
// written and read back.
package main

import (
	"fmt"
	"os"
)

const size = 1 << 30
const stride = 1 << 20

func main() {
	buffer := make([]byte, size)
	for offset := 0; offset < size; offset += stride {
		buffer[offset] = byte(offset / stride)
	}
	buffer[size-1] = 0xAB
	for offset := 0; offset < size; offset += stride {
		if buffer[offset] != byte(offset/stride) {
			fmt.Printf("byte at %d is %d, want %d\n", offset, buffer[offset], byte(offset/stride))
			os.Exit(1)
		}
	}
	if buffer[size-1] != 0xAB || buffer[size-2] != 0 {
		fmt.Println("the last bytes of the allocation are wrong")
		os.Exit(1)
	}
	fmt.Printf("allocated, wrote and read back %d bytes\n", len(buffer))
}
