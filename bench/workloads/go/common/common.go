// Package common holds what every Go workload shares: the scale argument,
// a deterministic PRNG and the checksum line the runner verifies.
package common

import (
	"fmt"
	"os"
	"strconv"
)

// Scaled returns units * argv[1] / 100 (argv[1], a percentage clamped to
// [1, 100000], defaults to 100), at least 1. Workloads repeat a unit of
// work that many times, with units >= 100 at full size so that small
// scales stay proportional. A scale that is not a number is an error
// (exit 2), as in the C workloads.
func Scaled(units int) int {
	percent := 100
	if len(os.Args) > 1 {
		p, err := strconv.Atoi(os.Args[1])
		if err != nil {
			fmt.Fprintf(os.Stderr, "usage: %s [SCALE_PERCENT]\n", os.Args[0])
			os.Exit(2)
		}
		percent = min(max(p, 1), 100000)
	}
	return max(units*percent/100, 1)
}

// Rng is xorshift64*, with a fixed seed: every runtime sees the same inputs.
type Rng struct{ state uint64 }

func NewRng() *Rng { return &Rng{state: 0x9E3779B97F4A7C15} }

func (r *Rng) Next() uint64 {
	r.state ^= r.state >> 12
	r.state ^= r.state << 25
	r.state ^= r.state >> 27
	return r.state * 0x2545F4914F6CDD1D
}

// Intn returns a value in [0, n).
func (r *Rng) Intn(n int) int { return int(r.Next() % uint64(n)) }

// Mix folds v into a running checksum; the shift spreads high bits down.
func Mix(h, v uint64) uint64 {
	h = (h ^ v) * 0x9E3779B97F4A7C15
	return h ^ h>>29
}

// MixBytes folds a byte string into the checksum (FNV-1a over the bytes).
func MixBytes(h uint64, b []byte) uint64 {
	f := uint64(0xCBF29CE484222325)
	for _, c := range b {
		f = (f ^ uint64(c)) * 0x100000001B3
	}
	return Mix(h, f)
}

// Print writes the one line on stdout.
func Print(sum uint64) { fmt.Printf("checksum: %016x\n", sum) }

// Fail reports a failed self-check (a wrong result, not a slow one) on
// stderr and exits non-zero.
func Fail(what string) {
	fmt.Fprintln(os.Stderr, "self-check failed:", what)
	os.Exit(1)
}
