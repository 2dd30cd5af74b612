// bigout: a report generator writing tens of MB to stdout through bufio,
// then exiting with a chosen status after flushing (the way a linter
// reports findings, then exits 3).
//
//	bigout MEGABYTES [STATUS]
//
// Run the same way natively and on wasmrt; tests/go/programs.cmake compares
// the two byte for byte.
package main

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
)

func main() {
	if len(os.Args) < 2 || len(os.Args) > 3 {
		fmt.Fprintln(os.Stderr, "usage: bigout MEGABYTES [STATUS]")
		os.Exit(2)
	}
	mb, err := strconv.Atoi(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bigout:", err)
		os.Exit(2)
	}
	status := 0
	if len(os.Args) == 3 {
		status, _ = strconv.Atoi(os.Args[2])
	}
	limit := int64(mb) << 20
	w := bufio.NewWriterSize(os.Stdout, 64*1024)
	rng := rand.New(rand.NewPCG(40, 2))
	var written int64
	buf := make([]byte, 0, 256)
	for i := int64(0); written < limit; i++ {
		buf = buf[:0]
		buf = strconv.AppendInt(buf, i, 10)
		buf = append(buf, '\t')
		buf = strconv.AppendUint(buf, rng.Uint64(), 16)
		buf = append(buf, '\t')
		// Only correctly rounded operations (no math.Exp/Log, whose amd64
		// assembly may round differently from the portable Go code wasm
		// runs), so native output is the reference on any host.
		x := (rng.Float64() - 0.5) * 2e3 / (rng.Float64() + 0.01)
		buf = strconv.AppendFloat(buf, x, 'g', -1, 64)
		buf = append(buf, '\t')
		buf = strconv.AppendFloat(buf, math.Sqrt(math.Abs(x)), 'e', 12, 64)
		buf = append(buf, '\t')
		buf = strconv.AppendQuote(buf, "row "+strconv.FormatInt(i%977, 36)+" ✓")
		if i%1000 == 0 {
			// A long line now and then, longer than the buffer.
			buf = append(buf, '\t')
			for j := range 70000 {
				buf = append(buf, byte('a'+(i+int64(j))%26))
			}
		}
		buf = append(buf, '\n')
		n, err := w.Write(buf)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bigout: write:", err)
			os.Exit(1)
		}
		written += int64(n)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "bigout: flush:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "bigout: %d bytes written\n", written)
	os.Exit(status)
}
