// filetree: a file-tree tool working in a directory it is given (on wasmrt
// a preopen): it creates hundreds of files in nested directories, saves
// some again the way editors and package managers do (write a temporary
// file, rename it over the old one), renames directories, removes files
// and whole subtrees, appends and truncates, lists a directory of 700
// entries in batches, makes symbolic and hard links, then walks the tree with
// filepath.WalkDir and prints a sorted manifest with sizes and SHA-256s.
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
}
