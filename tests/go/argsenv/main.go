// argsenv: the guest's argv and environment are exactly what the command
// line grants. "list" prints argv and the whole (sorted) environment;
// "inherit" looks up variables wasm-run's own environment supplies with
// --env-inherit.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: argsenv list|inherit [ARGS...]")
		os.Exit(1)
	}
	fmt.Printf("argc=%d\n", len(os.Args))
	// argv[0] is the module's path as given to wasm-run: only its base
	// name is stable across build directories.
	fmt.Printf("argv[0]=%s\n", filepath.Base(os.Args[0]))
	for i, arg := range os.Args[1:] {
		fmt.Printf("argv[%d]=%q\n", i+1, arg)
	}
	switch os.Args[1] {
	case "list":
		env := os.Environ()
		sort.Strings(env)
		fmt.Printf("environ: %d variables\n", len(env))
		for _, kv := range env {
			fmt.Printf("  %q\n", kv)
		}
		value, found := os.LookupEnv("EMPTY")
		fmt.Printf("EMPTY=%q found=%v\n", value, found)
		_, found = os.LookupEnv("HOME")
		fmt.Printf("HOME found=%v\n", found)
	case "inherit":
		fmt.Printf("WASMRT_GO_INHERITED=%q\n", os.Getenv("WASMRT_GO_INHERITED"))
		fmt.Printf("GREETING=%q\n", os.Getenv("GREETING"))
		fmt.Printf("more than 1 variable: %v\n", len(os.Environ()) > 1)
	}
}
