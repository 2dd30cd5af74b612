// math/big: digits of pi by Machin's formula in fixed point (long
// division by small words), a factorial (multiplication), its decimal
// string (divide and conquer conversion) and a modular exponentiation.
package main

import (
	"math/big"
	"strings"

	"wasmrt.bench/workloads/common"
)

// arctanInv returns atan(1/x) * unity by the alternating Taylor series.
func arctanInv(x int64, unity *big.Int) *big.Int {
	sum := new(big.Int)
	power := new(big.Int).Quo(unity, big.NewInt(x)) // unity / x^(2k+1)
	x2 := big.NewInt(x * x)
	term := new(big.Int)
	for k := int64(0); power.Sign() != 0; k++ {
		term.Quo(power, big.NewInt(2*k+1))
		if k%2 == 0 {
			sum.Add(sum, term)
		} else {
			sum.Sub(sum, term)
		}
		power.Quo(power, x2)
	}
	return sum
}

func pi(digits int) string {
	unity := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits+10)), nil)
	p := new(big.Int).Mul(big.NewInt(16), arctanInv(5, unity))
	p.Sub(p, new(big.Int).Mul(big.NewInt(4), arctanInv(239, unity)))
	return p.String()[:digits]
}

func main() {
	if !strings.HasPrefix(pi(60), "314159265358979323846264338327950288419716939937510582097494") {
		common.Fail("digits of pi")
	}
	rng := common.NewRng()
	modulus := new(big.Int).SetUint64(rng.Next())
	for modulus.BitLen() < 512 {
		modulus.Lsh(modulus, 64).Or(modulus, new(big.Int).SetUint64(rng.Next()))
	}
	modulus.SetBit(modulus, 0, 1) // odd: Montgomery multiplication
	var sum uint64
	rounds := common.Scaled(100)
	for r := 0; r < rounds; r++ {
		digits := pi(400 + r%7*20)
		sum = common.MixBytes(sum, []byte(digits[len(digits)-40:]))
		f := new(big.Int).MulRange(1, int64(500+r%5*40))
		text := f.String()
		sum = common.Mix(sum, uint64(len(text))<<8|uint64(text[len(text)/2]))
		base := new(big.Int).SetUint64(rng.Next() | 1<<63)
		exp := new(big.Int).Lsh(base, 448)
		exp.Add(exp, big.NewInt(int64(r)))
		sum = common.Mix(sum, new(big.Int).Exp(base, exp, modulus).Uint64())
	}
	common.Print(sum)
}
