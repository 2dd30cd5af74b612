// Sorting: slices.Sort of integers, sort.Slice of structs through a
// closure (reflection-based swaps), slices.SortStableFunc by a string key,
// and sort.Strings.
package main

import (
	"cmp"
	"fmt"
	"slices"
	"sort"

	"wasmrt.bench/workloads/common"
)

type record struct {
	key  uint32
	name string
	seq  int
}

func main() {
	rng := common.NewRng()
	ints := make([]uint64, 4000)
	recs := make([]record, 800)
	strs := make([]string, 500)
	var sum uint64
	rounds := common.Scaled(100)
	for r := 0; r < rounds; r++ {
		for i := range ints {
			ints[i] = rng.Next() >> (r % 40) // later rounds: more duplicates
		}
		slices.Sort(ints)
		for i := range recs {
			recs[i] = record{key: uint32(rng.Intn(300)), name: fmt.Sprintf("n%03d", rng.Intn(100)), seq: i}
		}
		sort.Slice(recs, func(i, j int) bool { return recs[i].key < recs[j].key })
		// Stable, so equal names keep the order sort.Slice left (unstable but
		// deterministic for a given build).
		slices.SortStableFunc(recs, func(a, b record) int { return cmp.Compare(a.name, b.name) })
		for i := range strs {
			strs[i] = fmt.Sprintf("%x", rng.Next()>>(rng.Next()%48))
		}
		sort.Strings(strs)
		if !slices.IsSorted(ints) || !sort.StringsAreSorted(strs) {
			common.Fail("not sorted")
		}
		for i := 0; i < len(ints); i += 100 {
			sum = common.Mix(sum, ints[i])
		}
		for i := 0; i < len(recs); i += 17 {
			sum = common.Mix(sum, uint64(recs[i].key)<<32|uint64(recs[i].name[1])<<16|uint64(recs[i].seq))
		}
		sum = common.Mix(sum, uint64(len(strs[0])+len(strs[len(strs)-1])))
	}
	common.Print(sum)
}
