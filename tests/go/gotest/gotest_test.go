// Package gotest checks `go test -exec go_wasip1_wasm_exec` on wasmrt: the
// test binary runs in the package directory with the host's / mounted as
// /, sees PWD, writes temporary files, and its status reaches go test.
package gotest

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var fail = flag.Bool("wasmrt.fail", false, "fail TestRequestedFailure (checks that failures reach go test)")

func TestWorkingDirectory(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if wd != os.Getenv("PWD") || !strings.HasSuffix(wd, filepath.Join("tests", "go", "gotest")) {
		t.Fatalf("working directory %q, PWD %q", wd, os.Getenv("PWD"))
	}
	if os.Getenv("PATH") == "" {
		t.Fatal("PATH is not passed")
	}
	source, err := os.ReadFile("gotest_test.go")
	if err != nil || !strings.Contains(string(source), "package gotest") {
		t.Fatalf("reading our own source relative to the working directory: %v", err)
	}
}

func TestTempDirFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a", "b", "c"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 3 {
		t.Fatalf("ReadDir: %v, %d entries", err, len(entries))
	}
}

func TestRequestedFailure(t *testing.T) {
	if *fail {
		t.Fatal("failing as requested by -wasmrt.fail")
	}
}
