// compress/flate: compression at two levels and decompression of
// semi-redundant text, 32 KiB per round, with the round trip checked.
package main

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"

	"wasmrt.bench/workloads/common"
)

func main() {
	rng := common.NewRng()
	words := []string{"alpha", "beta", "gamma", "delta", "wasm", "runtime", "interpreter", "benchmark",
		"module", "memory", "table", "global", "function", "export", "import", "instance"}
	var src bytes.Buffer
	for src.Len() < 256<<10 {
		fmt.Fprintf(&src, "%s %d %s\n", words[rng.Intn(len(words))], rng.Intn(5000), words[rng.Intn(len(words))])
		if rng.Intn(8) == 0 { // some incompressible bytes
			for k := 0; k < 16; k++ {
				src.WriteByte(byte(rng.Next()))
			}
		}
	}
	const chunk = 32 << 10
	var packed bytes.Buffer
	writers := map[int]*flate.Writer{}
	var reader io.ReadCloser
	out := make([]byte, 0, chunk)
	var sum uint64
	rounds := common.Scaled(100)
	for r := 0; r < rounds; r++ {
		offset := r * 40009 % (src.Len() - chunk)
		in := src.Bytes()[offset : offset+chunk]
		level := []int{2, 6}[r%2]
		packed.Reset()
		w := writers[level]
		if w == nil {
			w, _ = flate.NewWriter(&packed, level)
			writers[level] = w
		} else {
			w.Reset(&packed)
		}
		w.Write(in)
		w.Close()
		if reader == nil {
			reader = flate.NewReader(bytes.NewReader(packed.Bytes()))
		} else {
			reader.(flate.Resetter).Reset(bytes.NewReader(packed.Bytes()), nil)
		}
		out = out[:0]
		buf := bytes.NewBuffer(out)
		if _, err := io.Copy(buf, reader); err != nil || !bytes.Equal(buf.Bytes(), in) {
			common.Fail("flate round trip")
		}
		out = buf.Bytes()
		sum = common.Mix(sum, uint64(packed.Len()))
		sum = common.MixBytes(sum, packed.Bytes()[:64])
	}
	common.Print(sum)
}
