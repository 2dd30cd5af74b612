// encoding/json round trips: a slice of structs (nested slices, maps,
// floats, escaped strings) marshalled, unmarshalled and compared, plus a
// decode into interface{} values.
package main

import (
	"encoding/json"
	"fmt"

	"wasmrt.bench/workloads/common"
)

type Dimensions struct {
	Width  float64 `json:"w"`
	Height float64 `json:"h"`
}

type Item struct {
	ID       int               `json:"id"`
	Name     string            `json:"name"`
	Note     string            `json:"note,omitempty"`
	Price    float64           `json:"price"`
	InStock  bool              `json:"in_stock"`
	Tags     []string          `json:"tags"`
	Attrs    map[string]string `json:"attrs"`
	Size     *Dimensions       `json:"size,omitempty"`
	Readings []int64           `json:"readings"`
}

func makeItems(rng *common.Rng, n int) []Item {
	items := make([]Item, n)
	for i := range items {
		it := Item{
			ID:      i,
			Name:    fmt.Sprintf("item-%d-%x", i, rng.Next()%100000),
			Price:   float64(rng.Intn(1000000)) / 100,
			InStock: rng.Intn(3) != 0,
			Tags:    []string{"wasm", fmt.Sprint("t", rng.Intn(50)), "bench"},
			Attrs:   map[string]string{"color": []string{"red", "green", "blue"}[rng.Intn(3)], "idx": fmt.Sprint(i)},
		}
		if i%3 == 0 {
			it.Note = fmt.Sprintf("quote \" backslash \\ tab \t unicode é %d <tag>", i)
		}
		if i%2 == 0 {
			it.Size = &Dimensions{Width: float64(rng.Intn(10000)) / 8, Height: 1.0 / float64(1+rng.Intn(1000))}
		}
		for k := 0; k < 8; k++ {
			it.Readings = append(it.Readings, int64(rng.Next()>>20)-1<<43)
		}
		items[i] = it
	}
	return items
}

func main() {
	rng := common.NewRng()
	items := makeItems(rng, 12)
	var sum uint64
	rounds := common.Scaled(100)
	for r := 0; r < rounds; r++ {
		data, err := json.Marshal(items)
		if err != nil {
			common.Fail(err.Error())
		}
		var back []Item
		if err := json.Unmarshal(data, &back); err != nil {
			common.Fail(err.Error())
		}
		again, _ := json.Marshal(back)
		if string(again) != string(data) {
			common.Fail("round trip differs")
		}
		var generic []any
		if err := json.Unmarshal(data, &generic); err != nil {
			common.Fail(err.Error())
		}
		sum = common.MixBytes(sum, data)
		sum = common.Mix(sum, uint64(len(generic)))
		// Change one item per round so that rounds differ.
		it := &items[r%len(items)]
		it.Price += 0.25
		it.Readings[r%len(it.Readings)] ^= int64(r)
	}
	common.Print(sum)
}
