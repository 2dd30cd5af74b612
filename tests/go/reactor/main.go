// A Go WASI reactor (plugin) for examples/plugin_host: built with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o reactor.wasm .
//
// it exports _initialize (run by the host's Linker::instantiate), memory,
// and the //go:wasmexport functions below; main is never run. The
// string/buffer convention is documented in docs/go-reactors.md:
//
//   - the host asks for guest memory with alloc(size) -> ptr, writes its
//     bytes there and passes (ptr, len);
//   - a result of variable size comes back as one i64, (ptr << 32) | len,
//     pointing at a buffer the guest allocated the same way;
//   - the host releases every buffer it got or made with free(ptr).
//
// Buffers are kept reachable in `pinned` until freed, so Go's garbage
// collector neither frees nor moves them while the host holds the address.
package main

import (
	"math"
	"strings"
	"unsafe"
)

func main() {}

// ---- host imports ----

// log(ptr, len): the host prints the guest's message.
//
//go:wasmimport env log
func hostLog(ptr unsafe.Pointer, length uint32)

// callback(x): the host calls back into this same instance's `square`
// export and returns square(x) + 1.
//
//go:wasmimport env callback
func hostCallback(x int32) int32

func logString(message string) {
	if len(message) == 0 {
		return
	}
	hostLog(unsafe.Pointer(unsafe.StringData(message)), uint32(len(message)))
}

// ---- memory shared with the host ----

var pinned = map[uintptr][]byte{}

func pin(buffer []byte) uintptr {
	if len(buffer) == 0 {
		buffer = make([]byte, 1) // a real, distinct address even for empty results
	}
	address := uintptr(unsafe.Pointer(unsafe.SliceData(buffer)))
	pinned[address] = buffer
	return address
}

//go:wasmexport alloc
func alloc(size uint32) uint32 {
	return uint32(pin(make([]byte, size)))
}

// free releases a buffer from alloc or a packed result; 1 if it was live.
//
//go:wasmexport free
func free(address uint32) int32 {
	if _, ok := pinned[uintptr(address)]; !ok {
		return 0
	}
	delete(pinned, uintptr(address))
	return 1
}

// live reports how many buffers are pinned (a leak check for the host).
//
//go:wasmexport live
func live() int32 { return int32(len(pinned)) }

func packResult(result []byte) uint64 {
	address := pin(result)
	return uint64(address)<<32 | uint64(len(result))
}

// ---- scalar exports: one per wasm value type ----

//go:wasmexport add_i32
func addI32(a, b int32) int32 { return a + b }

//go:wasmexport mul_i64
func mulI64(a, b int64) int64 { return a * b }

//go:wasmexport scale_f32
func scaleF32(x, factor float32) float32 { return x * factor }

//go:wasmexport hypot_f64
func hypotF64(x, y float64) float64 { return math.Hypot(x, y) }

// ---- strings through guest memory ----

// shout(ptr, len) -> packed (ptr << 32 | len): the input upper-cased with
// "!" appended, logged through env.log on the way.
//
//go:wasmexport shout
func shout(address, length uint32) uint64 {
	input := unsafe.String((*byte)(unsafe.Pointer(uintptr(address))), length)
	result := strings.ToUpper(input) + "!"
	logString("shout: " + input)
	return packResult([]byte(result))
}

// word_count takes the string directly (a Go string parameter is the
// (i32 ptr, i32 len) pair on the wasm side).
//
//go:wasmexport word_count
func wordCount(text string) int32 { return int32(len(strings.Fields(text))) }

// ---- re-entrancy: host -> guest -> host -> guest ----

//go:wasmexport square
func square(x int32) int32 { return x * x }

// via_host(x) asks the host's env.callback, which calls square(x) back
// in this instance and adds 1.
//
//go:wasmexport via_host
func viaHost(x int32) int32 { return hostCallback(x) * 2 }

// ---- per-instance state ----

var counter int32

//go:wasmexport next
func next() int32 {
	counter++
	return counter
}

// spin burns CPU for `rounds` iterations: the host's fuel limit stops it.
//
//go:wasmexport spin
func spin(rounds int64) int64 {
	var accumulator int64
	for i := int64(0); i < rounds; i++ {
		accumulator = accumulator*31 + i
	}
	return accumulator
}
