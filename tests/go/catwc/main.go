// catwc: a cat -n / wc / sha256sum in one, reading stdin to EOF in odd-sized
// chunks straight from os.Stdin (no bufio), the way stream filters read.
//
//	catwc gen FILE BYTES   write deterministic UTF-8 text
//	catwc trickle FILE     write FILE to stdout slowly (a slow producer)
//	catwc [-concurrent]    stdin numbered like cat -n on stdout; counts and
//	                       checksums on stderr
//
// Run the same way natively and on wasmrt, with stdin a file and a pipe;
// tests/go/programs.cmake compares the two byte for byte.
package main

import (
	"bufio"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"
)

func generate(path string, size int) {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "catwc:", err)
		os.Exit(1)
	}
	w := bufio.NewWriter(f)
	rng := rand.New(rand.NewPCG(3, 1415))
	pieces := []string{"the", "quick", "brown", "fox", "jumps", "över", "the", "lazy", "dög", "—", "日本語", "✓", "\t", "  ", "αβγ", "wasm", "wasip1"}
	written := 0
	for written < size {
		line := ""
		for range rng.IntN(25) {
			line += pieces[rng.IntN(len(pieces))] + " "
		}
		if rng.IntN(50) == 0 {
			line += string(make([]byte, rng.IntN(3))) // NUL bytes
		}
		if rng.IntN(200) == 0 {
			line += "\r" // CRLF line
		}
		line += "\n"
		if written+len(line) > size {
			line = line[:size-written] // no newline at the very end
		}
		w.WriteString(line)
		written += len(line)
	}
	w.Flush()
	f.Close()
}

// trickle writes a file to stdout slowly, in small pieces with pauses, as
// a slow producer (a download, a compiler) feeds a pipe.
func trickle(path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "catwc:", err)
		os.Exit(1)
	}
	for i := 0; len(data) > 0; i++ {
		n := min(len(data), 1+i*7919%4001)
		if _, err := os.Stdout.Write(data[:n]); err != nil {
			fmt.Fprintln(os.Stderr, "catwc:", err)
			os.Exit(1)
		}
		data = data[n:]
		if i%8 == 0 {
			time.Sleep(2 * time.Millisecond)
		}
	}
}

func main() {
	if len(os.Args) == 3 && os.Args[1] == "trickle" {
		trickle(os.Args[2])
		return
	}
	if len(os.Args) == 4 && os.Args[1] == "gen" {
		size, err := strconv.Atoi(os.Args[3])
		if err != nil {
			fmt.Fprintln(os.Stderr, "catwc:", err)
			os.Exit(1)
		}
		generate(os.Args[2], size)
		return
	}
	// -concurrent: a goroutine reads and hands chunks over a channel while
	// a 1 ms ticker runs, as tools with a progress display do (the ticks
	// are counted, not printed: they depend on timing).
	concurrent := len(os.Args) == 2 && os.Args[1] == "-concurrent"
	var ticks atomic.Int64
	if concurrent {
		ticker := time.NewTicker(time.Millisecond)
		defer ticker.Stop()
		go func() {
			for range ticker.C {
				ticks.Add(1)
			}
		}()
	}
	out := bufio.NewWriterSize(os.Stdout, 16*1024+3)
	sha := sha256.New()
	crc := crc32.NewIEEE()
	sizes := []int{1, 7, 4093, 65521, 13, 32768, 255, 100003}
	buf := make([]byte, 100003)
	var bytes, lines, words, runes, reads, longest, current int64
	inWord, atLineStart := false, true
	lineNo := int64(0)
	var pending []byte // an incomplete UTF-8 sequence at a chunk's end
	type chunk struct {
		data []byte
		err  error
	}
	chunks := make(chan chunk, 4)
	read := func(i int) chunk {
		n, err := os.Stdin.Read(buf[:sizes[i%len(sizes)]])
		return chunk{buf[:n], err}
	}
	if concurrent {
		go func() {
			for i := 0; ; i++ {
				n, err := os.Stdin.Read(buf[:sizes[i%len(sizes)]])
				chunks <- chunk{append([]byte(nil), buf[:n]...), err}
				if err != nil {
					close(chunks)
					return
				}
			}
		}()
	}
	for i := 0; ; i++ {
		var c chunk
		if concurrent {
			c = <-chunks
		} else {
			c = read(i)
		}
		n, err := len(c.data), c.err
		if n > 0 {
			reads++
			data := c.data
			bytes += int64(n)
			sha.Write(data)
			crc.Write(data)
			for _, c := range data {
				if atLineStart {
					lineNo++
					fmt.Fprintf(out, "%6d\t", lineNo)
					atLineStart = false
				}
				out.WriteByte(c)
				if c == '\n' {
					lines++
					longest = max(longest, current)
					current = 0
					atLineStart = true
				} else {
					current++
				}
			}
			data = append(pending, data...)
			for len(data) > 0 {
				r, size := utf8.DecodeRune(data)
				if r == utf8.RuneError && size == 1 && !utf8.FullRune(data) {
					break
				}
				runes++
				space := unicode.IsSpace(r)
				if !space && !inWord {
					words++
				}
				inWord = !space
				data = data[size:]
			}
			pending = append([]byte(nil), data...)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			out.Flush()
			fmt.Fprintln(os.Stderr, "catwc: read:", err)
			os.Exit(1)
		}
	}
	longest = max(longest, current)
	if err := out.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "catwc: write:", err)
		os.Exit(1)
	}
	// The number of reads depends on how the input arrives (a pipe gives
	// short reads), so it is not printed; everything else is.
	_ = reads
	fmt.Fprintf(os.Stderr, "%d lines, %d words, %d runes, %d bytes, longest line %d\n", lines, words, runes, bytes, longest)
	fmt.Fprintf(os.Stderr, "sha256 %x crc32 %08x\n", sha.Sum(nil), crc.Sum32())
}
