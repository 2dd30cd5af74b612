// exit3: os.Exit(3) ends the program at once with status 3 (proc_exit must
// not return, and deferred calls must not run).
package main

import (
	"fmt"
	"os"
)

func main() {
	defer fmt.Println("deferred call ran: proc_exit returned")
	fmt.Println("exiting with status 3")
	os.Exit(3)
}
