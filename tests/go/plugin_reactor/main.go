// A Go reactor for the plugin host (docs/plugin-host.md, "Reactor
// guests"), built with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o plugin_reactor.wasm .
//
// handle(ptr, len) answers "Hello, <input>! (tenant <WASMRT_TENANT>)"; an
// input starting with "error:" is refused through wasmrt.set_error with
// code 400 and the rest of the input as the message.
package main

import (
	"os"
	"strings"
	"unsafe"
)

func main() {}

//go:wasmimport wasmrt set_error
func setError(code int32, message unsafe.Pointer, length uint32)

// Buffers the host holds addresses of stay reachable here, so the garbage
// collector neither frees nor moves them (the instance lives for one
// request, so nothing is ever released).
var pinned [][]byte

func pin(buffer []byte) uint32 {
	if len(buffer) == 0 {
		buffer = make([]byte, 1)
	}
	pinned = append(pinned, buffer)
	return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(buffer))))
}

//go:wasmexport alloc
func alloc(size uint32) uint32 { return pin(make([]byte, size)) }

//go:wasmexport handle
func handle(address, length uint32) uint64 {
	input := ""
	if length > 0 {
		input = strings.Clone(unsafe.String((*byte)(unsafe.Pointer(uintptr(address))), length))
	}
	if message, ok := strings.CutPrefix(input, "error:"); ok {
		setError(400, unsafe.Pointer(unsafe.StringData(message)), uint32(len(message)))
		return 0
	}
	response := []byte("Hello, " + input + "! (tenant " + os.Getenv("WASMRT_TENANT") + ")")
	return uint64(pin(response))<<32 | uint64(len(response))
}
