// escape: tries to leave a preopened directory and to modify a read-only
// one, calling WASI directly (//go:wasmimport) so that paths reach the
// runtime exactly as written: Go's os package would clean `..` away first.
//
// fd 3 is /jail (read-write), fd 4 is /ro (read-only). On the host the jail
// holds symlinks the host made that point out of it (see setup.cmake);
// argv[1] is the host path of the secret file beside the jail. Every
// attempt must fail; the host checks afterwards that nothing outside the
// jail and nothing in the read-only directory changed.
package main

import (
	"fmt"
	"os"
	"unsafe"
)

const (
	jailFD     = 3
	readOnlyFD = 4

	lookupFollow = 1
	oflagCreat   = 1
	oflagDir     = 2
	oflagTrunc   = 8
	allRights    = 0x1FFFFFFF         // every preview1 right (Go passes only the low 32 bits)
	rightFdWrite = 1 << 6             // a directory asked for with it is EISDIR
	readRights   = 1<<1 | 1<<2 | 1<<5 // fd_read, fd_seek, fd_tell
	fdflagAppend = 1
	fstflagsMtim = 4

	secret = "top secret\n"
)

//go:wasmimport wasi_snapshot_preview1 path_open
//go:noescape
func pathOpen(fd int32, dirflags uint32, path unsafe.Pointer, pathLen uint32, oflags uint32,
	rightsBase uint64, rightsInheriting uint64, fdflags uint32, newFD unsafe.Pointer) uint32

//go:wasmimport wasi_snapshot_preview1 path_symlink
//go:noescape
func pathSymlink(oldPath unsafe.Pointer, oldLen uint32, fd int32, newPath unsafe.Pointer, newLen uint32) uint32

//go:wasmimport wasi_snapshot_preview1 path_link
//go:noescape
func pathLink(oldFD int32, oldFlags uint32, oldPath unsafe.Pointer, oldLen uint32, newFD int32,
	newPath unsafe.Pointer, newLen uint32) uint32

//go:wasmimport wasi_snapshot_preview1 path_rename
//go:noescape
func pathRename(fd int32, oldPath unsafe.Pointer, oldLen uint32, newFD int32, newPath unsafe.Pointer, newLen uint32) uint32

//go:wasmimport wasi_snapshot_preview1 path_create_directory
//go:noescape
func pathCreateDirectory(fd int32, path unsafe.Pointer, pathLen uint32) uint32

//go:wasmimport wasi_snapshot_preview1 path_remove_directory
//go:noescape
func pathRemoveDirectory(fd int32, path unsafe.Pointer, pathLen uint32) uint32

//go:wasmimport wasi_snapshot_preview1 path_unlink_file
//go:noescape
func pathUnlinkFile(fd int32, path unsafe.Pointer, pathLen uint32) uint32

//go:wasmimport wasi_snapshot_preview1 path_filestat_get
//go:noescape
func pathFilestatGet(fd int32, flags uint32, path unsafe.Pointer, pathLen uint32, buf unsafe.Pointer) uint32

//go:wasmimport wasi_snapshot_preview1 path_filestat_set_times
//go:noescape
func pathFilestatSetTimes(fd int32, flags uint32, path unsafe.Pointer, pathLen uint32, atim uint64, mtim uint64, fstflags uint32) uint32

//go:wasmimport wasi_snapshot_preview1 fd_read
//go:noescape
func fdRead(fd int32, iovs unsafe.Pointer, iovsLen uint32, nread unsafe.Pointer) uint32

//go:wasmimport wasi_snapshot_preview1 fd_write
//go:noescape
func fdWrite(fd int32, iovs unsafe.Pointer, iovsLen uint32, nwritten unsafe.Pointer) uint32

//go:wasmimport wasi_snapshot_preview1 fd_close
func fdClose(fd int32) uint32

// C strings are not involved: WASI paths are (pointer, length), so an
// empty string still needs a valid pointer.
func ptr(s string) (unsafe.Pointer, uint32) {
	b := append([]byte(s), 0)
	return unsafe.Pointer(&b[0]), uint32(len(s))
}

func open(dirFD int32, lookup uint32, path string, oflags uint32, fdflags uint32) (int32, uint32) {
	return openWithRights(dirFD, lookup, path, oflags, fdflags, allRights)
}

func openWithRights(dirFD int32, lookup uint32, path string, oflags uint32, fdflags uint32, rights uint64) (int32, uint32) {
	p, n := ptr(path)
	var fd int32 = -1
	errno := pathOpen(dirFD, lookup, p, n, oflags, rights, rights, fdflags, unsafe.Pointer(&fd))
	return fd, errno
}

type iovec struct {
	buf    uint32
	bufLen uint32
}

func read(fd int32) (string, uint32) {
	buf := make([]byte, 256)
	iov := iovec{uint32(uintptr(unsafe.Pointer(&buf[0]))), uint32(len(buf))}
	var n uint32
	errno := fdRead(fd, unsafe.Pointer(&iov), 1, unsafe.Pointer(&n))
	return string(buf[:n]), errno
}

func write(fd int32, text string) uint32 {
	b := []byte(text)
	iov := iovec{uint32(uintptr(unsafe.Pointer(&b[0]))), uint32(len(b))}
	var n uint32
	return fdWrite(fd, unsafe.Pointer(&iov), 1, unsafe.Pointer(&n))
}

var attempts, escapes int

func report(name string, escaped bool, detail string) {
	attempts++
	if escaped {
		escapes++
		fmt.Printf("ESCAPED %s: %s\n", name, detail)
		return
	}
	fmt.Printf("blocked %s\n", name)
}

// An open of something outside the jail must fail; should it succeed, the
// opened file's content (or the secret beside an opened directory) shows
// what leaked.
func tryOpen(name string, dirFD int32, lookup uint32, path string, oflags uint32) {
	fd, errno := open(dirFD, lookup, path, oflags, 0)
	if errno != 0 {
		report(name, false, "")
		return
	}
	content, _ := read(fd)
	if inner, innerErrno := open(fd, 0, "secret.txt", 0, 0); innerErrno == 0 {
		content, _ = read(inner)
		fdClose(inner)
	}
	fdClose(fd)
	report(name, true, fmt.Sprintf("opened %q (read %q)", path, content))
}

// A mutation that must fail (errno != 0).
func tryMutation(name string, errno uint32) {
	report(name, errno == 0, "the call succeeded")
}

func main() {
	if len(os.Args) != 2 {
		fmt.Println("usage: escape HOST_SECRET_PATH")
		os.Exit(1)
	}
	hostSecret := os.Args[1]

	// Paths that climb out.
	tryOpen("dot-dot", jailFD, 0, "../secret.txt", 0)
	tryOpen("dot-dot after a subdirectory", jailFD, 0, "sub/../../secret.txt", 0)
	tryOpen("dot-dot directory", jailFD, 0, "..", oflagDir)
	tryOpen("many dot-dots", jailFD, 0, "sub/../../../../../../../../etc/passwd", 0)
	tryOpen("absolute host path", jailFD, 0, hostSecret, 0)
	tryOpen("absolute /etc/passwd", jailFD, 0, "/etc/passwd", 0)
	tryOpen("trailing dot-dot slash", jailFD, 0, "sub/../../", oflagDir)
	// Symlinks the host planted in the jail.
	tryOpen("relative symlink out", jailFD, lookupFollow, "link_out", 0)
	tryOpen("absolute symlink out", jailFD, lookupFollow, "abs_link", 0)
	tryOpen("symlink to the parent directory", jailFD, lookupFollow, "dir_link/secret.txt", 0)
	tryOpen("symlink to / then down", jailFD, 0, "root_link"+hostSecret, 0)
	tryOpen("chained symlinks out", jailFD, lookupFollow, "chain1", 0)
	tryOpen("symlink in the middle of a path", jailFD, 0, "dir_link/jail/../secret.txt", 0)

	// Symlinks the guest makes. Creating one may succeed (a symlink is only
	// text), but following it out must not.
	for _, link := range []struct{ name, target string }{
		{"made_rel", "../secret.txt"},
		{"made_abs", hostSecret},
		{"sub/made_deep", "../../secret.txt"},
	} {
		oldP, oldN := ptr(link.target)
		newP, newN := ptr(link.name)
		pathSymlink(oldP, oldN, jailFD, newP, newN)
		tryOpen("guest-made symlink "+link.name, jailFD, lookupFollow, link.name, 0)
	}
	// A dangling guest-made symlink pointing out, opened with O_CREAT.
	{
		oldP, oldN := ptr("../created_through_link.txt")
		newP, newN := ptr("dangling")
		pathSymlink(oldP, oldN, jailFD, newP, newN)
		tryOpen("create through a dangling symlink", jailFD, lookupFollow, "dangling", oflagCreat)
	}

	// Hard links and renames across the jail's edge.
	{
		oldP, oldN := ptr("link_out")
		newP, newN := ptr("hard_out")
		pathLink(jailFD, lookupFollow, oldP, oldN, jailFD, newP, newN)
		tryOpen("hard link of an outward symlink", jailFD, lookupFollow, "hard_out", 0)
	}
	{
		oldP, oldN := ptr("../secret.txt")
		newP, newN := ptr("hard_secret")
		tryMutation("hard link to a file outside", pathLink(jailFD, 0, oldP, oldN, jailFD, newP, newN))
	}
	{
		oldP, oldN := ptr("../secret.txt")
		newP, newN := ptr("stolen.txt")
		tryMutation("rename a file from outside in", pathRename(jailFD, oldP, oldN, jailFD, newP, newN))
	}
	{
		oldP, oldN := ptr("sub")
		newP, newN := ptr("../moved_out")
		tryMutation("rename a directory out", pathRename(jailFD, oldP, oldN, jailFD, newP, newN))
	}
	{
		p, n := ptr("../made_dir")
		tryMutation("mkdir outside", pathCreateDirectory(jailFD, p, n))
	}
	tryOpen("create a file outside", jailFD, 0, "../created.txt", oflagCreat)
	{
		p, n := ptr("../secret.txt")
		tryMutation("unlink a file outside", pathUnlinkFile(jailFD, p, n))
	}
	{
		p, n := ptr("dir_link/secret.txt")
		tryMutation("unlink through a symlinked directory", pathUnlinkFile(jailFD, p, n))
	}
	{
		p, n := ptr("../jail")
		tryMutation("rmdir the jail itself via dot-dot", pathRemoveDirectory(jailFD, p, n))
	}
	{
		p, n := ptr("link_out")
		var stat [64]byte
		tryMutation("stat through an outward symlink", pathFilestatGet(jailFD, lookupFollow, p, n, unsafe.Pointer(&stat[0])))
	}
	{
		p, n := ptr("abs_link")
		tryMutation("set times through an outward symlink",
			pathFilestatSetTimes(jailFD, lookupFollow, p, n, 0, 0, fstflagsMtim))
	}
	// stdin is not a directory: no path resolves against it.
	tryOpen("path relative to stdin", 0, 0, "etc/passwd", 0)
	// A directory fd opened inside the jail is a jail too.
	if sub, errno := openWithRights(jailFD, 0, "sub", oflagDir, 0, allRights&^rightFdWrite); errno == 0 {
		tryOpen("dot-dot from a subdirectory fd", sub, 0, "../../secret.txt", 0)
		tryOpen("dot-dot dir from a subdirectory fd", sub, 0, "..", oflagDir)
		fdClose(sub)
	} else {
		fmt.Printf("FAIL cannot open sub: errno %d\n", errno)
		os.Exit(1)
	}
	// Go's own path handling: it resolves ".." lexically and finds no
	// preopen for the result.
	if data, err := os.ReadFile("/jail/../secret.txt"); err == nil {
		report("os.ReadFile dot-dot", true, string(data))
	} else {
		report("os.ReadFile dot-dot", false, "")
	}
	if data, err := os.ReadFile(hostSecret); err == nil {
		report("os.ReadFile host path", true, string(data))
	} else {
		report("os.ReadFile host path", false, "")
	}

	// The read-only preopen refuses every mutation, but reads work.
	if fd, errno := openWithRights(readOnlyFD, 0, "ro.txt", 0, 0, readRights); errno == 0 {
		content, _ := read(fd)
		if content != "read only\n" {
			fmt.Printf("FAIL reading ro.txt gave %q\n", content)
			os.Exit(1)
		}
		fdClose(fd)
	} else {
		fmt.Printf("FAIL cannot read ro.txt: errno %d\n", errno)
		os.Exit(1)
	}
	if fd, errno := openWithRights(readOnlyFD, 0, "ro.txt", 0, 0, readRights); errno == 0 {
		tryMutation("read-only: write through a read-only fd", write(fd, "scribble"))
		fdClose(fd)
	} else {
		fmt.Printf("FAIL cannot reopen ro.txt: errno %d\n", errno)
		os.Exit(1)
	}
	if fd, errno := open(readOnlyFD, 0, "ro.txt", 0, 0); errno == 0 {
		tryMutation("read-only: write to a file", write(fd, "scribble"))
		fdClose(fd)
	} else {
		report("read-only: write to a file", false, "")
	}
	if fd, errno := open(readOnlyFD, 0, "ro.txt", 0, fdflagAppend); errno == 0 {
		tryMutation("read-only: append to a file", write(fd, "scribble"))
		fdClose(fd)
	} else {
		report("read-only: append to a file", false, "")
	}
	tryOpenMutation := func(name, path string, oflags uint32) {
		fd, errno := open(readOnlyFD, 0, path, oflags, 0)
		if errno == 0 {
			fdClose(fd)
		}
		tryMutation(name, errno)
	}
	tryOpenMutation("read-only: truncate", "ro.txt", oflagTrunc)
	tryOpenMutation("read-only: create", "new.txt", oflagCreat)
	{
		p, n := ptr("new_dir")
		tryMutation("read-only: mkdir", pathCreateDirectory(readOnlyFD, p, n))
	}
	{
		p, n := ptr("ro.txt")
		tryMutation("read-only: unlink", pathUnlinkFile(readOnlyFD, p, n))
	}
	{
		oldP, oldN := ptr("ro.txt")
		newP, newN := ptr("renamed.txt")
		tryMutation("read-only: rename", pathRename(readOnlyFD, oldP, oldN, readOnlyFD, newP, newN))
	}
	{
		oldP, oldN := ptr("ro.txt")
		newP, newN := ptr("taken.txt")
		tryMutation("read-only: rename into the writable jail", pathRename(readOnlyFD, oldP, oldN, jailFD, newP, newN))
	}
	{
		oldP, oldN := ptr("ro.txt")
		newP, newN := ptr("ro_hard.txt")
		tryMutation("read-only: hard link into the writable jail", pathLink(readOnlyFD, 0, oldP, oldN, jailFD, newP, newN))
	}
	{
		oldP, oldN := ptr("ro.txt")
		newP, newN := ptr("ro_link")
		tryMutation("read-only: symlink", pathSymlink(oldP, oldN, readOnlyFD, newP, newN))
	}
	{
		p, n := ptr("ro.txt")
		tryMutation("read-only: set times", pathFilestatSetTimes(readOnlyFD, 0, p, n, 0, 0, fstflagsMtim))
	}

	fmt.Printf("%d escape attempts, %d succeeded\n", attempts, escapes)
	if escapes != 0 {
		os.Exit(1)
	}
}
