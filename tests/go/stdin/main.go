// stdin: copies stdin to stdout (Go makes fd 0 non-blocking, so a pipe
// that has no data yet must give EAGAIN and poll_oneoff readiness, never a
// 0-byte read) and reports the byte count on stderr.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	copied, err := io.Copy(os.Stdout, os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "copy failed:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "copied %d bytes\n", copied)
}
