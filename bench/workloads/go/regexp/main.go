// regexp over generated access-log lines: submatch extraction (backtracker
// and NFA paths), an unanchored search, case folding and a replacement.
package main

import (
	"fmt"
	"regexp"
	"strings"

	"wasmrt.bench/workloads/common"
)

func main() {
	rng := common.NewRng()
	methods := []string{"GET", "POST", "PUT", "DELETE"}
	agents := []string{"curl/8.5", "Mozilla/5.0 (X11; Linux x86_64)", "Go-http-client/1.1", "wasm-bench"}
	var b strings.Builder
	for i := 0; i < 240; i++ {
		fmt.Fprintf(&b, "2026-11-%02d %02d:%02d:%02d host%d %s /api/v%d/items/%d?q=%x status=%d agent=%q user=%s@example.org\n",
			1+rng.Intn(28), rng.Intn(24), rng.Intn(60), rng.Intn(60), rng.Intn(16), methods[rng.Intn(4)],
			1+rng.Intn(3), rng.Intn(100000), rng.Next(), []int{200, 201, 404, 500}[rng.Intn(4)],
			agents[rng.Intn(4)], strings.Repeat("u", 1+rng.Intn(6)))
	}
	text := b.String()
	line := regexp.MustCompile(`(?m)^(\d{4})-(\d{2})-(\d{2}) (\d\d):(\d\d):\d\d host(\d+) (GET|POST) (/api/v\d+/items/\d+)\?q=([0-9a-f]+) status=(404|500)`)
	digits := regexp.MustCompile(`items/(\d*7\d*)\?`)
	agent := regexp.MustCompile(`(?i)agent="(mozilla|curl)[^"]*"`)
	email := regexp.MustCompile(`\b([a-z]+)@([a-z]+)\.(org|com)\b`)
	var sum uint64
	rounds := common.Scaled(100)
	for r := 0; r < rounds; r++ {
		// Each round searches a different window of the text.
		start := r * 997 % (len(text) * 3 / 4)
		window := text[start : start+len(text)/4]
		for _, m := range line.FindAllStringSubmatch(window, -1) {
			sum = common.Mix(sum, uint64(len(m[8])<<16|len(m[9])<<8|len(m[7])))
		}
		sum = common.Mix(sum, uint64(len(digits.FindAllStringIndex(window, -1))))
		sum = common.Mix(sum, uint64(len(agent.FindAllStringSubmatchIndex(window, -1))))
		if r%4 == 0 {
			sum = common.MixBytes(sum, []byte(email.ReplaceAllString(window[:2048], "<$1 at $2>")))
		}
	}
	common.Print(sum)
}
