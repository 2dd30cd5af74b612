// crypto/sha256 over a chain of 256 KiB buffers, fed in uneven pieces.
package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"

	"wasmrt.bench/workloads/common"
)

func main() {
	// Known answer first: a wrong digest is a broken runtime, not a slow one.
	abc := sha256.Sum256([]byte("abc"))
	if hex.EncodeToString(abc[:]) != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		common.Fail(`sha256("abc")`)
	}
	rng := common.NewRng()
	buf := make([]byte, 256<<10-3)
	for i := range buf {
		buf[i] = byte(rng.Next())
	}
	h := sha256.New()
	var digest []byte
	var sum uint64
	rounds := common.Scaled(150)
	for r := 0; r < rounds; r++ {
		copy(buf, digest) // chain: each round depends on the last
		h.Reset()
		for rest := buf; len(rest) > 0; {
			n := min(len(rest), 1+rng.Intn(20000))
			h.Write(rest[:n])
			rest = rest[n:]
		}
		digest = h.Sum(digest[:0])
		sum = common.Mix(sum, binary.LittleEndian.Uint64(digest))
	}
	common.Print(sum)
}
