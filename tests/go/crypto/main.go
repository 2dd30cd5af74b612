// crypto: crypto/rand (random_get), crypto/sha256 and encoding/json.
package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
)

type Item struct {
	Name     string            `json:"name"`
	Count    int               `json:"count"`
	Price    float64           `json:"price"`
	Tags     []string          `json:"tags,omitempty"`
	Attrs    map[string]string `json:"attrs"`
	Children []Item            `json:"children,omitempty"`
}

func fail(format string, args ...any) {
	fmt.Printf("FAIL "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	first := make([]byte, 32)
	second := make([]byte, 32)
	if _, err := rand.Read(first); err != nil {
		fail("crypto/rand: %v", err)
	}
	if _, err := rand.Read(second); err != nil {
		fail("crypto/rand: %v", err)
	}
	if bytes.Equal(first, second) || bytes.Equal(first, make([]byte, 32)) {
		fail("crypto/rand gave %x then %x", first, second)
	}
	fmt.Println("crypto/rand: two different 32-byte reads")
	if text := rand.Text(); len(text) != 26 {
		fail("rand.Text gave %q", text)
	}

	sum := sha256.Sum256([]byte("abc"))
	fmt.Printf("sha256(abc) = %s\n", hex.EncodeToString(sum[:]))
	hash := sha256.New()
	for i := 0; i < 1000; i++ {
		hash.Write([]byte(strings.Repeat("a", 1000)))
	}
	fmt.Printf("sha256(a x 1e6) = %x\n", hash.Sum(nil))

	item := Item{
		Name: "widget", Count: 3, Price: 9.75, Tags: []string{"new", "ünïcode"},
		Attrs:    map[string]string{"z": "last", "a": "first"},
		Children: []Item{{Name: "part", Count: 1, Attrs: map[string]string{}}},
	}
	encoded, err := json.Marshal(item)
	if err != nil {
		fail("json.Marshal: %v", err)
	}
	fmt.Printf("json: %s\n", encoded)
	var decoded Item
	if err := json.Unmarshal(encoded, &decoded); err != nil {
		fail("json.Unmarshal: %v", err)
	}
	if !reflect.DeepEqual(item, decoded) {
		fail("json round trip: %+v != %+v", decoded, item)
	}
	var generic map[string]any
	if err := json.Unmarshal([]byte(`{"n": 1.5e3, "list": [true, null, "x"]}`), &generic); err != nil {
		fail("json.Unmarshal generic: %v", err)
	}
	fmt.Printf("json generic: n=%v list=%v\n", generic["n"], generic["list"])
	fmt.Println("json: round trip ok")
}
