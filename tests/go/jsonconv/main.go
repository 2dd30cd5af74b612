// jsonconv: a jq/yq-like converter between JSON, YAML and TOML, the way
// such CLI tools are written: decode a document generically, transform it
// (filter, compute fields, sort, aggregate), and re-emit it in another
// format. Malformed input ends it with status 1 and the parser's message.
//
//	jsonconv gen DIR PACKAGES           write catalog.{json,yaml,toml} and
//	                                    bad.{json,yaml,toml} into DIR
//	jsonconv convert FROM TO IN OUT     IN/OUT a path or "-" (stdin/stdout)
//	jsonconv validate FORMAT FILE...    parse each file, report, status 1
//	                                    if any is malformed
//
// Run the same way natively and on wasmrt; tests/go/programs.cmake compares
// the two byte for byte.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"gopkg.in/yaml.v3"
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "jsonconv: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: jsonconv gen|convert|validate ...")
	}
	switch os.Args[1] {
	case "gen":
		if len(os.Args) != 4 {
			fail("usage: jsonconv gen DIR PACKAGES")
		}
		n, err := strconv.Atoi(os.Args[3])
		if err != nil {
			fail("bad package count: %v", err)
		}
		generate(os.Args[2], n)
	case "convert":
		if len(os.Args) != 6 {
			fail("usage: jsonconv convert FROM TO IN OUT")
		}
		convert(os.Args[2], os.Args[3], os.Args[4], os.Args[5])
	case "validate":
		if len(os.Args) < 4 {
			fail("usage: jsonconv validate FORMAT FILE...")
		}
		validate(os.Args[2], os.Args[3:])
	default:
		fail("unknown command %q", os.Args[1])
	}
}

// ---- generating the inputs (run natively, deterministic) ----

var words = strings.Fields(`alpha bravo charlie delta echo foxtrot golf hotel
india juliet kilo lima mike november oscar papa quebec romeo sierra tango
uniform victor whiskey xray yankee zulu async cache codec daemon engine
fetch graph http index json kernel lexer mutex net orbit parse queue
router schema token utf8 vector worker yaml zip`)
var licenses = []string{"MIT", "Apache-2.0", "BSD-3-Clause", "MPL-2.0", "ISC", "GPL-3.0-only"}

func catalog(n int) map[string]any {
	rng := rand.New(rand.NewPCG(16, 5))
	word := func() string { return words[rng.IntN(len(words))] }
	packages := make([]any, 0, n)
	for i := range n {
		name := fmt.Sprintf("%s-%s-%d", word(), word(), i)
		tags := []any{}
		for range rng.IntN(5) {
			tags = append(tags, word())
		}
		deps := []any{}
		for range rng.IntN(6) {
			deps = append(deps, map[string]any{
				"name":       fmt.Sprintf("%s-%s-%d", word(), word(), rng.IntN(n)),
				"constraint": fmt.Sprintf("^%d.%d.0", rng.IntN(4), rng.IntN(20)),
				"optional":   rng.IntN(4) == 0,
			})
		}
		maintainers := []any{}
		for range 1 + rng.IntN(3) {
			first, last := word(), word()
			maintainers = append(maintainers, map[string]any{
				"name":  strings.ToUpper(first[:1]) + first[1:] + " " + strings.ToUpper(last[:1]) + last[1:],
				"email": first + "." + last + "@example.org",
			})
		}
		pkg := map[string]any{
			"name":        name,
			"version":     fmt.Sprintf("%d.%d.%d", rng.IntN(5), rng.IntN(30), rng.IntN(100)),
			"license":     licenses[rng.IntN(len(licenses))],
			"downloads":   int64(rng.IntN(50_000_000)),
			"score":       float64(rng.IntN(100000)) / 1000,
			"deprecated":  rng.IntN(10) == 0,
			"description": fmt.Sprintf("The %s %s for %s \"%s\" — ünïcödé ✓ line\twith tab", word(), word(), word(), word()),
			"tags":        tags,
			"deps":        deps,
			"maintainers": maintainers,
			"meta": map[string]any{
				"homepage": "https://example.org/" + name,
				"stars":    int64(rng.IntN(100000)),
				"ratio":    rng.Float64(),
			},
		}
		packages = append(packages, pkg)
	}
	return map[string]any{
		"registry": map[string]any{"name": "example", "generation": int64(42), "mirror": "https://mirror.example.org/"},
		"packages": packages,
	}
}

func writeFile(path string, data []byte) {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		fail("%v", err)
	}
}

func generate(dir string, n int) {
	doc := catalog(n)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fail("%v", err)
	}
	js, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		fail("%v", err)
	}
	writeFile(filepath.Join(dir, "catalog.json"), append(js, '\n'))
	ym, err := yaml.Marshal(doc)
	if err != nil {
		fail("%v", err)
	}
	writeFile(filepath.Join(dir, "catalog.yaml"), ym)
	var tm bytes.Buffer
	if err := toml.NewEncoder(&tm).Encode(doc); err != nil {
		fail("%v", err)
	}
	writeFile(filepath.Join(dir, "catalog.toml"), tm.Bytes())
	// Malformed copies, broken about two thirds of the way in, so the
	// parsers go through megabytes before they fail.
	writeFile(filepath.Join(dir, "bad.json"), breakAt(js, []byte(`"score": `), []byte(`"score": 1.2.3`)))
	writeFile(filepath.Join(dir, "bad.yaml"), breakAt(ym, []byte("    license: "), []byte("    license: [unterminated\n  - ")))
	writeFile(filepath.Join(dir, "bad.toml"), breakAt(tm.Bytes(), []byte("  score = "), []byte("  score = 1..5\n  score = ")))
}

// breakAt replaces the first occurrence of old after two thirds of data.
func breakAt(data, old, replacement []byte) []byte {
	start := len(data) * 2 / 3
	i := bytes.Index(data[start:], old)
	if i < 0 {
		fail("cannot break the input: %q not found", old)
	}
	i += start
	out := append([]byte{}, data[:i]...)
	out = append(out, replacement...)
	return append(out, data[i+len(old):]...)
}

// ---- decoding and encoding ----

func readInput(path string) []byte {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		fail("%s", pathError(err))
	}
	return data
}

// pathError prints err as Linux's strerror would: Go's wasip1 port has its
// own table of errno texts, capitalized ("No such file or directory"), so
// the text after the path is given a lower-case first letter on both.
func pathError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		text := pe.Err.Error()
		if text != "" {
			text = strings.ToLower(text[:1]) + text[1:]
		}
		return pe.Op + " " + pe.Path + ": " + text
	}
	return err.Error()
}

func decode(format, name string, data []byte) (any, error) {
	var doc any
	var err error
	switch format {
	case "json":
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		err = dec.Decode(&doc)
		if err == nil && dec.More() {
			err = errors.New("trailing data after the document")
		}
		if syntax := (*json.SyntaxError)(nil); errors.As(err, &syntax) {
			line := 1 + bytes.Count(data[:syntax.Offset], []byte("\n"))
			err = fmt.Errorf("%v (offset %d, line %d)", err, syntax.Offset, line)
		}
		if err != nil {
			err = fmt.Errorf("json: %w", err)
		}
	case "yaml":
		err = yaml.Unmarshal(data, &doc)
	case "toml":
		var m map[string]any
		_, err = toml.Decode(string(data), &m)
		if perr := (toml.ParseError{}); errors.As(err, &perr) {
			err = fmt.Errorf("%s", perr.ErrorWithPosition())
		}
		doc = m
	default:
		fail("unknown format %q", format)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return normalize(doc), nil
}

// normalize turns each decoder's generic values into one vocabulary:
// map[string]any, []any, string, bool, int64, float64.
func normalize(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = normalize(e)
		}
		return v
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[fmt.Sprint(k)] = normalize(e)
		}
		return m
	case []any:
		for i, e := range v {
			v[i] = normalize(e)
		}
		return v
	case []map[string]any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = normalize(e)
		}
		return out
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, err := v.Float64()
		if err != nil {
			fail("bad number %q", v)
		}
		return f
	case int:
		return int64(v)
	case uint64:
		return int64(v)
	default:
		return v
	}
}

func encode(format string, doc any) []byte {
	var buf bytes.Buffer
	switch format {
	case "json":
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "\t")
		if err := enc.Encode(doc); err != nil {
			fail("json: %v", err)
		}
	case "yaml":
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(doc); err != nil {
			fail("yaml: %v", err)
		}
		enc.Close()
	case "toml":
		enc := toml.NewEncoder(&buf)
		enc.Indent = "    "
		if err := enc.Encode(doc); err != nil {
			fail("toml: %v", err)
		}
	default:
		fail("unknown format %q", format)
	}
	return buf.Bytes()
}

// ---- the transformation ----

func asInt(v any) int64 {
	switch v := v.(type) {
	case int64:
		return v
	case float64:
		return int64(v)
	}
	return 0
}

func asFloat(v any) float64 {
	switch v := v.(type) {
	case int64:
		return float64(v)
	case float64:
		return v
	}
	return 0
}

type licenseStats struct {
	count     int64
	downloads int64
	score     float64
}

// transform drops deprecated packages, adds computed fields, sorts by
// downloads, and adds a per-license summary, as a jq script would.
func transform(doc any) (any, int, int) {
	root, ok := doc.(map[string]any)
	if !ok {
		fail("the document is not a mapping")
	}
	list, _ := root["packages"].([]any)
	kept := make([]map[string]any, 0, len(list))
	stats := map[string]*licenseStats{}
	for _, p := range list {
		pkg, ok := p.(map[string]any)
		if !ok {
			continue
		}
		if dep, _ := pkg["deprecated"].(bool); dep {
			continue
		}
		delete(pkg, "deprecated")
		deps, _ := pkg["deps"].([]any)
		required := 0
		for _, d := range deps {
			if dm, ok := d.(map[string]any); ok {
				if opt, _ := dm["optional"].(bool); !opt {
					required++
				}
			}
		}
		pkg["required_deps"] = int64(required)
		pkg["id"] = strings.ToUpper(strings.ReplaceAll(pkg["name"].(string), "-", "_"))
		if tags, ok := pkg["tags"].([]any); ok {
			names := make([]string, 0, len(tags))
			for _, t := range tags {
				names = append(names, fmt.Sprint(t))
			}
			sort.Strings(names)
			pkg["tag_line"] = strings.Join(names, ",")
		}
		lic, _ := pkg["license"].(string)
		s := stats[lic]
		if s == nil {
			s = &licenseStats{}
			stats[lic] = s
		}
		s.count++
		s.downloads += asInt(pkg["downloads"])
		s.score += asFloat(pkg["score"])
		kept = append(kept, pkg)
	}
	sort.SliceStable(kept, func(i, j int) bool {
		di, dj := asInt(kept[i]["downloads"]), asInt(kept[j]["downloads"])
		if di != dj {
			return di > dj
		}
		return kept[i]["name"].(string) < kept[j]["name"].(string)
	})
	out := make([]any, len(kept))
	for i, p := range kept {
		p["rank"] = int64(i + 1)
		out[i] = p
	}
	summary := map[string]any{}
	for lic, s := range stats {
		summary[lic] = map[string]any{
			"packages":   s.count,
			"downloads":  s.downloads,
			"mean_score": strconv.FormatFloat(s.score/float64(s.count), 'f', 4, 64),
		}
	}
	return map[string]any{"registry": root["registry"], "summary": summary, "packages": out}, len(list), len(kept)
}

func convert(from, to, in, out string) {
	data := readInput(in)
	doc, err := decode(from, in, data)
	if err != nil {
		fail("%v", err)
	}
	result, before, after := transform(doc)
	encoded := encode(to, result)
	if out == "-" {
		w := bufio.NewWriterSize(os.Stdout, 32*1024)
		w.Write(encoded)
		if err := w.Flush(); err != nil {
			fail("%v", err)
		}
	} else {
		writeFile(out, encoded)
		fmt.Printf("%s (%s, %d bytes) -> %s (%s, %d bytes): %d packages, %d kept\n",
			in, from, len(data), out, to, len(encoded), before, after)
	}
}

func validate(format string, files []string) {
	status := 0
	for _, f := range files {
		data := readInput(f)
		doc, err := decode(format, f, data)
		if err != nil {
			fmt.Fprintf(os.Stderr, "jsonconv: %v\n", err)
			status = 1
			continue
		}
		list, _ := doc.(map[string]any)["packages"].([]any)
		fmt.Printf("%s: valid %s, %d bytes, %d packages\n", f, format, len(data), len(list))
	}
	os.Exit(status)
}
