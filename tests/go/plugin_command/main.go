// A Go command guest for the plugin host (docs/plugin-host.md, "Command
// guests"): an ordinary wasip1 program. It reads the request body from
// stdin and answers with its line, word and byte counts as JSON on stdout;
// a body containing "fail" is an application error: a message on stderr
// and exit status 3.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	body, err := io.ReadAll(bufio.NewReader(os.Stdin))
	if err != nil {
		fmt.Fprintln(os.Stderr, "reading the request:", err)
		os.Exit(1)
	}
	text := string(body)
	if strings.Contains(text, "fail") {
		fmt.Fprintln(os.Stderr, "the request asked to fail")
		os.Exit(3)
	}
	out, _ := json.Marshal(map[string]any{
		"lines":  strings.Count(text, "\n"),
		"words":  len(strings.Fields(text)),
		"bytes":  len(body),
		"tenant": os.Getenv("WASMRT_TENANT"),
	})
	fmt.Println(string(out))
}
