// fileio: file-system work inside a preopened directory (argv[1], e.g.
// /sandbox): create, write, read, seek, append, pread/pwrite, rename, a
// directory of 2,000 entries read back in full, stat, truncate, remove,
// mkdir/rmdir, timestamps and a symlink inside the jail. Prints one line
// per step; the first failure prints why and exits 1.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
)

var root string

func path(name string) string { return filepath.Join(root, name) }

func fail(step string, format string, args ...any) {
	fmt.Printf("FAIL %s: %s\n", step, fmt.Sprintf(format, args...))
	os.Exit(1)
}

func check(step string, err error) {
	if err != nil {
		fail(step, "%v", err)
	}
}

func expectContent(step, name, want string) {
	got, err := os.ReadFile(path(name))
	check(step, err)
	if string(got) != want {
		fail(step, "%s holds %q, want %q", name, got, want)
	}
}

func createWriteRead() {
	check("create", os.WriteFile(path("a.txt"), []byte("hello\n"), 0o644))
	expectContent("read", "a.txt", "hello\n")
	// The host put this file there before the run.
	expectContent("read host file", "host.txt", "written by the host\n")
	fmt.Println("ok create, write, read")
}

func seekAndPositionalIO() {
	f, err := os.OpenFile(path("a.txt"), os.O_RDWR, 0)
	check("open rdwr", err)
	defer f.Close()
	pos, err := f.Seek(2, io.SeekStart)
	check("seek", err)
	if pos != 2 {
		fail("seek", "position %d, want 2", pos)
	}
	_, err = f.Write([]byte("LL"))
	check("write at 2", err)
	pos, err = f.Seek(-2, io.SeekEnd)
	check("seek end", err)
	if pos != 4 {
		fail("seek end", "position %d, want 4", pos)
	}
	pos, err = f.Seek(-1, io.SeekCurrent)
	check("seek current", err)
	if pos != 3 {
		fail("seek current", "position %d, want 3", pos)
	}
	buf := make([]byte, 3)
	n, err := f.ReadAt(buf, 1)
	check("pread", err)
	if string(buf[:n]) != "eLL" {
		fail("pread", "read %q, want \"eLL\"", buf[:n])
	}
	_, err = f.WriteAt([]byte("O"), 4)
	check("pwrite", err)
	// pread/pwrite leave the position alone.
	pos, err = f.Seek(0, io.SeekCurrent)
	check("tell", err)
	if pos != 3 {
		fail("tell", "position %d after pread/pwrite, want 3", pos)
	}
	expectContent("after seek writes", "a.txt", "heLLO\n")
	fmt.Println("ok seek, pread, pwrite")
}

func appendMode() {
	f, err := os.OpenFile(path("a.txt"), os.O_WRONLY|os.O_APPEND, 0)
	check("open append", err)
	_, err = f.Write([]byte("world\n"))
	check("append", err)
	check("close append", f.Close())
	expectContent("append", "a.txt", "heLLO\nworld\n")
	// O_EXCL on an existing file fails with ErrExist.
	_, err = os.OpenFile(path("a.txt"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if !errors.Is(err, fs.ErrExist) {
		fail("exclusive create", "got %v, want ErrExist", err)
	}
	fmt.Println("ok append, exclusive create")
}

func statAndTruncate() {
	info, err := os.Stat(path("a.txt"))
	check("stat", err)
	if info.Size() != 12 || !info.Mode().IsRegular() || info.IsDir() || info.Name() != "a.txt" {
		fail("stat", "size %d mode %v name %q", info.Size(), info.Mode(), info.Name())
	}
	dirInfo, err := os.Stat(root)
	check("stat dir", err)
	if !dirInfo.IsDir() {
		fail("stat dir", "%s is not a directory: %v", root, dirInfo.Mode())
	}
	check("truncate", os.Truncate(path("a.txt"), 5))
	expectContent("truncate", "a.txt", "heLLO")
	f, err := os.OpenFile(path("a.txt"), os.O_RDWR, 0)
	check("open for ftruncate", err)
	check("ftruncate", f.Truncate(2))
	check("ftruncate grow", f.Truncate(4))
	info, err = f.Stat()
	check("fstat", err)
	if info.Size() != 4 {
		fail("fstat", "size %d, want 4", info.Size())
	}
	check("sync", f.Sync())
	check("close", f.Close())
	expectContent("ftruncate", "a.txt", "he\x00\x00")
	f, err = os.OpenFile(path("a.txt"), os.O_WRONLY|os.O_TRUNC, 0)
	check("open truncating", err)
	check("close truncated", f.Close())
	expectContent("O_TRUNC", "a.txt", "")

	when := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	check("chtimes", os.Chtimes(path("a.txt"), when, when))
	info, err = os.Stat(path("a.txt"))
	check("stat after chtimes", err)
	if !info.ModTime().Equal(when) {
		fail("chtimes", "mtime %v, want %v", info.ModTime().UTC(), when)
	}
	fmt.Println("ok stat, truncate, chtimes")
}

func renameAndRemove() {
	check("rename", os.Rename(path("a.txt"), path("b.txt")))
	if _, err := os.Stat(path("a.txt")); !errors.Is(err, fs.ErrNotExist) {
		fail("rename", "old name: %v, want ErrNotExist", err)
	}
	check("write before overwrite", os.WriteFile(path("c.txt"), []byte("c"), 0o644))
	check("rename over", os.Rename(path("c.txt"), path("b.txt")))
	expectContent("rename over", "b.txt", "c")
	check("remove", os.Remove(path("b.txt")))
	if _, err := os.Stat(path("b.txt")); !errors.Is(err, fs.ErrNotExist) {
		fail("remove", "stat after remove: %v, want ErrNotExist", err)
	}
	if err := os.Remove(path("b.txt")); !errors.Is(err, fs.ErrNotExist) {
		fail("remove missing", "got %v, want ErrNotExist", err)
	}
	fmt.Println("ok rename, remove")
}

func directories() {
	check("mkdir", os.Mkdir(path("sub"), 0o755))
	if err := os.Mkdir(path("sub"), 0o755); !errors.Is(err, fs.ErrExist) {
		fail("mkdir twice", "got %v, want ErrExist", err)
	}
	check("mkdirall", os.MkdirAll(path("sub/x/y"), 0o755))
	check("file in subdir", os.WriteFile(path("sub/x/file"), []byte("deep"), 0o644))
	if err := os.Remove(path("sub/x")); err == nil {
		fail("rmdir non-empty", "removing a non-empty directory succeeded")
	}
	check("rmdir", os.Remove(path("sub/x/y")))
	check("rename dir", os.Rename(path("sub/x"), path("sub/z")))
	expectContent("file in renamed dir", "sub/z/file", "deep")
	check("chdir", os.Chdir(path("sub")))
	expectContent("relative path", "sub/z/file", "deep")
	got, err := os.ReadFile("z/file")
	check("read relative", err)
	if string(got) != "deep" {
		fail("read relative", "got %q", got)
	}
	check("chdir back", os.Chdir(root))
	check("removeall", os.RemoveAll(path("sub")))
	if _, err := os.Stat(path("sub")); !errors.Is(err, fs.ErrNotExist) {
		fail("removeall", "stat after RemoveAll: %v", err)
	}
	fmt.Println("ok mkdir, rmdir, chdir, removeall")
}

// 2,000 entries need many fd_readdir calls with Go's 8 KiB buffer: the
// cookies must resume exactly where the last complete entry ended.
func bigDirectory() {
	const count = 2000
	check("mkdir many", os.Mkdir(path("many"), 0o755))
	want := make([]string, 0, count)
	for i := 0; i < count; i++ {
		name := fmt.Sprintf("entry-with-a-longish-name-%04d.txt", i)
		want = append(want, name)
		check("create entry", os.WriteFile(path("many/"+name), nil, 0o644))
	}
	entries, err := os.ReadDir(path("many"))
	check("readdir", err)
	if len(entries) != count {
		fail("readdir", "%d entries, want %d", len(entries), count)
	}
	for i, entry := range entries {
		if entry.Name() != want[i] || entry.IsDir() {
			fail("readdir", "entry %d is %q (dir %v), want %q", i, entry.Name(), entry.IsDir(), want[i])
		}
	}
	// In chunks through one open directory, then again after rewinding.
	dir, err := os.Open(path("many"))
	check("open dir", err)
	for pass := 0; pass < 2; pass++ {
		var names []string
		for {
			chunk, err := dir.Readdirnames(150)
			names = append(names, chunk...)
			if errors.Is(err, io.EOF) {
				break
			}
			check("readdirnames", err)
		}
		sort.Strings(names)
		if len(names) != count {
			fail("readdirnames", "pass %d: %d names, want %d", pass, len(names), count)
		}
		for i := range names {
			if names[i] != want[i] {
				fail("readdirnames", "pass %d: name %d is %q, want %q", pass, i, names[i], want[i])
			}
		}
		_, err = dir.Seek(0, io.SeekStart)
		check("rewind dir", err)
	}
	check("close dir", dir.Close())
	check("remove many", os.RemoveAll(path("many")))
	fmt.Println("ok a directory of 2000 entries read back in full")
}

func symlinks() {
	check("target", os.WriteFile(path("target.txt"), []byte("through the link"), 0o644))
	check("symlink", os.Symlink("target.txt", path("link")))
	target, err := os.Readlink(path("link"))
	check("readlink", err)
	if target != "target.txt" {
		fail("readlink", "got %q", target)
	}
	expectContent("read through link", "link", "through the link")
	info, err := os.Lstat(path("link"))
	check("lstat", err)
	if info.Mode()&fs.ModeSymlink == 0 {
		fail("lstat", "mode %v is not a symlink", info.Mode())
	}
	info, err = os.Stat(path("link"))
	check("stat through link", err)
	if !info.Mode().IsRegular() || info.Size() != int64(len("through the link")) {
		fail("stat through link", "mode %v size %d", info.Mode(), info.Size())
	}
	check("mkdir for dir link", os.Mkdir(path("d"), 0o755))
	check("dir symlink", os.Symlink("../d", path("d/self")))
	check("file in linked dir", os.WriteFile(path("d/self/f"), []byte("x"), 0o644))
	expectContent("via dir link", "d/f", "x")
	check("hard link", os.Link(path("target.txt"), path("hard.txt")))
	expectContent("hard link", "hard.txt", "through the link")
	check("remove link", os.Remove(path("link")))
	expectContent("target survives", "target.txt", "through the link")
	check("cleanup", os.RemoveAll(path("d")))
	check("cleanup", os.Remove(path("hard.txt")))
	check("cleanup", os.Remove(path("target.txt")))
	fmt.Println("ok symlinks and hard links inside the jail")
}

func keep() {
	// The host checks this file after the run.
	f, err := os.Create(path("kept.txt"))
	check("create kept", err)
	var buf bytes.Buffer
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&buf, "line %d\n", i)
	}
	_, err = f.Write(buf.Bytes())
	check("write kept", err)
	check("close kept", f.Close())
	fmt.Println("ok kept.txt written for the host")
}

func main() {
	if len(os.Args) != 2 {
		fmt.Println("usage: fileio GUEST_DIR")
		os.Exit(1)
	}
	root = os.Args[1]
	createWriteRead()
	seekAndPositionalIO()
	appendMode()
	statAndTruncate()
	renameAndRemove()
	directories()
	bigDirectory()
	symlinks()
	keep()
	fmt.Println("all file tests passed")
}
