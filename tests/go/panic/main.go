// panic: an unrecovered panic prints Go's panic text and a goroutine trace
// on stderr and exits with status 2.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println("about to panic")
	if len(os.Args) > 0 {
		panic("something went wrong")
	}
}
