// filetree: a file-tree tool working in a directory it is given (on wasmrt
// a preopen): it creates hundreds of files in nested directories, saves
// some again the way editors and package managers do (write a temporary
// file, rename it over the old one), renames directories, removes files
// and whole subtrees, appends and truncates, lists a directory of 700
// entries in batches, makes symbolic and hard links, then walks the tree with
// filepath.WalkDir and prints a sorted manifest with sizes and SHA-256s;
// then the edge cases tools meet (see edgeCases).
//
//	filetree DIR      paths printed relative to DIR
//
// Run the same way natively and on wasmrt; tests/go/programs.cmake compares
// the output and the tree left behind byte for byte.
package main

import (
	"bufio"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

var out = bufio.NewWriter(os.Stdout)

func check(err error) {
	if err != nil {
		out.Flush()
		fmt.Fprintln(os.Stderr, "filetree:", err)
		os.Exit(1)
	}
}

// rel prints a path relative to the root, the same natively and on wasmrt.
func rel(root, path string) string {
	r, err := filepath.Rel(root, path)
	check(err)
	return filepath.ToSlash(r)
}

func content(rng *rand.Rand, name string, size int) []byte {
	var b strings.Builder
	b.WriteString("# " + name + "\n")
	for b.Len() < size {
		fmt.Fprintf(&b, "%08x %s\n", rng.Uint32(), strings.Repeat(string(rune('a'+rng.IntN(26))), rng.IntN(90)))
	}
	return []byte(b.String()[:size])
}

// atomicWrite saves data as path through a temporary file in the same
// directory and a rename over the old file.
func atomicWrite(path string, data []byte) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".save-*")
	check(err)
	_, err = tmp.Write(data)
	check(err)
	check(tmp.Sync())
	check(tmp.Close())
	check(os.Rename(tmp.Name(), path))
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: filetree DIR")
		os.Exit(2)
	}
	root := filepath.Join(os.Args[1], "tree")
	check(os.RemoveAll(root))
	rng := rand.New(rand.NewPCG(7, 11))
	defer out.Flush()

	// 1. Create: 6 top-level modules, 4 packages each, up to 3 levels deep.
	var files []string
	for m := range 6 {
		for p := range 4 {
			dir := filepath.Join(root, fmt.Sprintf("mod%d", m), fmt.Sprintf("pkg%d", p))
			if p%2 == 1 {
				dir = filepath.Join(dir, "internal", fmt.Sprintf("deep%d", p))
			}
			check(os.MkdirAll(dir, 0o755))
			for f := range 5 + rng.IntN(15) {
				name := filepath.Join(dir, fmt.Sprintf("file%02d.txt", f))
				check(os.WriteFile(name, content(rng, rel(root, name), rng.IntN(20000)), 0o644))
				files = append(files, name)
			}
		}
	}
	fmt.Fprintf(out, "created %d files\n", len(files))

	// 2. Save a third of them again through a temporary file renamed over
	// the old one, and rename some over another existing file.
	saved, replaced := 0, 0
	for i, name := range files {
		switch {
		case i%3 == 0:
			atomicWrite(name, content(rng, "v2 "+rel(root, name), rng.IntN(30000)))
			saved++
		case i%17 == 5 && i+1 < len(files):
			check(os.Rename(name, files[i+1]))
			files[i] = ""
			replaced++
		}
	}
	fmt.Fprintf(out, "saved %d files atomically, renamed %d over others\n", saved, replaced)

	// 3. Appends, a truncation and a write at an offset.
	for i, name := range files {
		if name == "" || i%7 != 2 {
			continue
		}
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
		check(err)
		fmt.Fprintf(f, "appended line %d\n", i)
		check(f.Close())
	}
	for i, name := range files {
		if name == "" || i%11 != 4 {
			continue
		}
		check(os.Truncate(name, 100))
		f, err := os.OpenFile(name, os.O_RDWR, 0)
		check(err)
		_, err = f.WriteAt([]byte("<patched>"), 50)
		check(err)
		_, err = f.Seek(0, io.SeekEnd)
		check(err)
		_, err = f.WriteString("\nend\n")
		check(err)
		check(f.Close())
	}

	// 4. Remove: single files, one whole subtree, and rename a directory.
	removed := 0
	for i, name := range files {
		if name != "" && i%13 == 7 {
			check(os.Remove(name))
			removed++
		}
	}
	check(os.RemoveAll(filepath.Join(root, "mod3")))
	check(os.Rename(filepath.Join(root, "mod5", "pkg2"), filepath.Join(root, "mod5", "pkg2-renamed")))
	check(os.MkdirAll(filepath.Join(root, "empty", "a", "b"), 0o755))
	fmt.Fprintf(out, "removed %d files and mod3\n", removed)

	// Errors a real tool must handle.
	_, err := os.Stat(filepath.Join(root, "mod3"))
	fmt.Fprintf(out, "stat removed dir: not exist=%v\n", errors.Is(err, fs.ErrNotExist))
	err = os.Remove(filepath.Join(root, "mod0"))
	fmt.Fprintf(out, "remove non-empty dir fails: %v\n", err != nil)
	err = os.Mkdir(filepath.Join(root, "mod0"), 0o755)
	fmt.Fprintf(out, "mkdir existing: exist=%v\n", errors.Is(err, fs.ErrExist))
	_, err = os.ReadFile(filepath.Join(root, "mod0"))
	fmt.Fprintf(out, "read a directory fails: %v\n", err != nil)

	// 5. A flat directory of many long names, read back in batches (a
	// directory listing longer than one fd_readdir buffer), then thinned.
	bulk := filepath.Join(root, "bulk")
	check(os.Mkdir(bulk, 0o755))
	for i := range 700 {
		name := fmt.Sprintf("entry-%04d-%s.dat", (i*389)%700, strings.Repeat("x", i%61))
		check(os.WriteFile(filepath.Join(bulk, name), []byte(name), 0o644))
	}
	dir, err := os.Open(bulk)
	check(err)
	listed := map[string]bool{}
	batches := 0
	for {
		batch, err := dir.ReadDir(37)
		for _, e := range batch {
			if listed[e.Name()] {
				check(fmt.Errorf("%s listed twice", e.Name()))
			}
			listed[e.Name()] = true
		}
		if err == io.EOF {
			break
		}
		check(err)
		batches++
	}
	check(dir.Close())
	fmt.Fprintf(out, "bulk: %d names listed in %d batches of up to 37\n", len(listed), batches)
	thinned := 0
	for name := range listed {
		if number := name[len("entry-") : len("entry-")+4]; number[3] == '3' || number[3] == '7' || strings.HasSuffix(name, strings.Repeat("x", 40)+".dat") {
			check(os.Remove(filepath.Join(bulk, name)))
			thinned++
		}
	}
	names, err := os.ReadDir(bulk)
	check(err)
	fmt.Fprintf(out, "bulk: removed %d, %d left\n", thinned, len(names))

	// 6. Links: a relative symbolic link to a file, one to a directory, a
	// dangling one, and a hard link.
	check(os.Symlink("pkg0/file00.txt", filepath.Join(root, "mod0", "latest.txt")))
	check(os.Symlink("../mod1/pkg0", filepath.Join(root, "mod0", "sibling")))
	check(os.Symlink("does-not-exist", filepath.Join(root, "dangling")))
	check(os.Link(filepath.Join(root, "mod0", "pkg0", "file01.txt"), filepath.Join(root, "hardlink.txt")))
	target, err := os.Readlink(filepath.Join(root, "mod0", "sibling"))
	check(err)
	data, err := os.ReadFile(filepath.Join(root, "mod0", "latest.txt"))
	check(err)
	via, err := os.ReadDir(filepath.Join(root, "mod0", "sibling"))
	check(err)
	_, err = os.Stat(filepath.Join(root, "dangling"))
	fmt.Fprintf(out, "links: sibling -> %s with %d entries, latest.txt %d bytes, dangling not exist=%v\n",
		target, len(via), len(data), errors.Is(err, fs.ErrNotExist))

	// 7. Walk and print the sorted manifest.
	type entry struct {
		path, kind string
		size       int64
		sum        string
	}
	var entries []entry
	var total int64
	check(filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			entries = append(entries, entry{path: rel(root, path) + "/", kind: "d"})
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			entries = append(entries, entry{path: rel(root, path) + " -> " + target, kind: "l"})
			return nil
		}
		if !info.Mode().IsRegular() {
			return fmt.Errorf("%s: unexpected mode %v", rel(root, path), info.Mode().Type())
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		n, err := io.Copy(h, f)
		if err != nil {
			return err
		}
		if n != info.Size() {
			return fmt.Errorf("%s: read %d bytes, stat says %d", rel(root, path), n, info.Size())
		}
		total += n
		entries = append(entries, entry{rel(root, path), "f", n, fmt.Sprintf("%x", h.Sum(nil))})
		return nil
	}))
	sort.Slice(entries, func(i, j int) bool { return entries[i].path < entries[j].path })
	for _, e := range entries {
		if e.kind != "f" {
			fmt.Fprintf(out, "%s %s\n", e.kind, e.path)
		} else {
			fmt.Fprintf(out, "f %7d %s %s\n", e.size, e.sum, e.path)
		}
	}
	fmt.Fprintf(out, "%d entries, %d bytes\n", len(entries), total)

	// ReadDir of one directory, in Go's sorted order, and a leftover
	// temporary file would be a bug of the rename path.
	names, err = os.ReadDir(filepath.Join(root, "mod0", "pkg0"))
	check(err)
	for _, n := range names {
		if strings.HasPrefix(n.Name(), ".save-") {
			check(fmt.Errorf("leftover temporary file %s", n.Name()))
		}
	}
	fmt.Fprintf(out, "mod0/pkg0 has %d entries, first %s, last %s\n", len(names), names[0].Name(), names[len(names)-1].Name())

	edgeCases(filepath.Join(root, "edge"))
}

// errorClass names an error by what a tool tests with errors.Is, so the
// output does not depend on the platform's wording of errno texts.
func errorClass(err error) string {
	if err == nil {
		return "ok"
	}
	for _, c := range []struct {
		name   string
		target error
	}{{"exist", fs.ErrExist}, {"not-exist", fs.ErrNotExist}, {"permission", fs.ErrPermission}, {"eof", io.EOF},
		{"ELOOP", syscall.ELOOP}, {"EISDIR", syscall.EISDIR}, {"ENOTDIR", syscall.ENOTDIR},
		{"ENOTEMPTY", syscall.ENOTEMPTY}, {"EINVAL", syscall.EINVAL}, {"ENAMETOOLONG", syscall.ENAMETOOLONG}} {
		if errors.Is(err, c.target) {
			return c.name
		}
	}
	return "unexpected: " + err.Error()
}

// edgeCases: what tools run into besides the happy path (lock files made
// with O_EXCL, renames that must fail, symbolic link loops, a file removed
// while open, sparse files past 4 GiB as dd makes them, timestamps set as
// tar and rsync set them), each printed with its outcome.
func edgeCases(dir string) {
	check(os.MkdirAll(filepath.Join(dir, "full", "x"), 0o755))
	check(os.Mkdir(filepath.Join(dir, "empty"), 0o755))
	check(os.WriteFile(filepath.Join(dir, "file"), []byte("file"), 0o644))
	p := func(label string, v ...any) {
		fmt.Fprintln(out, append([]any{"edge: " + label + ":"}, v...)...)
	}
	path := func(name string) string { return filepath.Join(dir, name) }

	p("rename dir over empty dir", errorClass(os.Rename(path("full"), path("empty"))))
	p("rename file over dir", errorClass(os.Rename(path("file"), path("full"))))
	p("rename dir over file", errorClass(os.Rename(path("full"), path("file"))))
	p("rename dir into itself", errorClass(os.Rename(path("full"), path("full/x/y"))))
	_, err := os.OpenFile(path("file"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	p("O_EXCL on an existing file", errorClass(err))
	lock, err := os.OpenFile(path("lock"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	p("O_EXCL on a new file", errorClass(err))
	check(lock.Close())

	check(os.Symlink("loop2", path("loop1")))
	check(os.Symlink("loop1", path("loop2")))
	_, err = os.Stat(path("loop1"))
	p("stat a symlink loop", errorClass(err))
	info, err := os.Lstat(path("loop1"))
	check(err)
	p("lstat a symlink loop", info.Mode().Type() == fs.ModeSymlink)

	f, err := os.Create(path("open"))
	check(err)
	_, err = f.WriteString("still here")
	check(err)
	p("remove an open file", errorClass(os.Remove(path("open"))))
	buf := make([]byte, 20)
	n, err := f.ReadAt(buf, 0)
	p("read it after", n, string(buf[:n]), errorClass(err))
	check(f.Close())

	f, err = os.Create(path("sparse"))
	check(err)
	offset, err := f.Seek(5<<30, io.SeekStart)
	p("seek to 5 GiB", offset, errorClass(err))
	_, err = f.Write([]byte("z"))
	check(err)
	info, err = f.Stat()
	check(err)
	p("size", info.Size())
	n, err = f.ReadAt(buf, 5<<30)
	p("read at 5 GiB", n, errorClass(err))
	p("grow to 6 GiB", errorClass(f.Truncate(6<<30)))
	info, err = f.Stat()
	check(err)
	p("size", info.Size())
	p("truncate to -1", errorClass(f.Truncate(-1)))
	check(f.Close())
	check(os.Remove(path("sparse")))

	when := time.Date(2001, 2, 3, 4, 5, 6, 789000000, time.UTC)
	p("chtimes a file", errorClass(os.Chtimes(path("file"), when, when)))
	p("chtimes a directory", errorClass(os.Chtimes(path("full"), when, when)))
	p("chtimes a missing file", errorClass(os.Chtimes(path("missing"), when, when)))
	for _, name := range []string{"file", "full"} {
		info, err := os.Stat(path(name))
		check(err)
		p("mtime of "+name, info.ModTime().UTC().Format(time.RFC3339Nano))
	}

	_, err = os.OpenFile(path("full"), os.O_WRONLY, 0)
	p("open a directory for writing", errorClass(err))
	_, err = os.ReadDir(path("file"))
	p("list a file", errorClass(err))
	_, err = os.Open(path("file/x"))
	p("open through a file", errorClass(err))
	p("mkdir through a file", errorClass(os.Mkdir(path("file/x"), 0o755)))
	p("remove a missing file", errorClass(os.Remove(path("missing"))))
	p("rmdir a non-empty dir", errorClass(syscall.Rmdir(path("full"))))
	p("remove a file named with a slash", errorClass(os.Remove(path("file")+"/")))
	p("name of 255 bytes", errorClass(os.WriteFile(path(strings.Repeat("n", 255)), nil, 0o644)))
	p("name of 256 bytes", errorClass(os.WriteFile(path(strings.Repeat("n", 256)), nil, 0o644)))

	f, err = os.OpenFile(path("file"), os.O_RDWR|os.O_APPEND, 0)
	check(err)
	_, err = f.Seek(0, io.SeekStart)
	check(err)
	_, err = f.Write([]byte("+appended"))
	check(err)
	offset, err = f.Seek(0, io.SeekCurrent)
	p("O_APPEND write after seeking to 0", offset, errorClass(err))
	check(f.Close())
	data, err := os.ReadFile(path("file"))
	check(err)
	p("content", string(data))
	check(os.Link(path("file"), path("link")))
	a, err := os.Stat(path("file"))
	check(err)
	b, err := os.Stat(path("link"))
	check(err)
	p("hard link is the same file", os.SameFile(a, b))
	p("link over an existing name", errorClass(os.Link(path("file"), path("link"))))
	p("symlink over an existing name", errorClass(os.Symlink("x", path("link"))))
	_, err = os.Readlink(path("file"))
	p("readlink a file", errorClass(err))

	var walked []string
	check(filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Name() == "full" {
			return fs.SkipDir
		}
		walked = append(walked, rel(dir, p)+" "+d.Type().String())
		return nil
	}))
	p("walk", strings.Join(walked, ", "))
	check(os.RemoveAll(dir))
	_, err = os.Stat(dir)
	p("after RemoveAll", errorClass(err))
}
