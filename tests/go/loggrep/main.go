// loggrep: a grep/sed-like, regexp-heavy log processor.
//
//	loggrep gen FILE LINES              write a deterministic web-server log
//	loggrep grep [-v] [-c] [-o] [-i] PATTERN [FILE...]
//	                                    grep's exit statuses: 0 a line was
//	                                    selected, 1 none, 2 an error (bad
//	                                    pattern, unreadable file); no FILE
//	                                    reads stdin
//	loggrep report FILE                 many patterns, submatches and
//	                                    ReplaceAllStringFunc: the log with
//	                                    addresses and e-mails masked on
//	                                    stdout, then statistics
//
// Run the same way natively and on wasmrt; tests/go/programs.cmake compares
// the two byte for byte.
package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: loggrep gen|grep|report ...")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "gen":
		lines, err := strconv.Atoi(os.Args[3])
		if err != nil {
			fmt.Fprintln(os.Stderr, "loggrep:", err)
			os.Exit(2)
		}
		generate(os.Args[2], lines)
	case "grep":
		os.Exit(grep(os.Args[2:]))
	case "report":
		os.Exit(report(os.Args[2]))
	default:
		fmt.Fprintf(os.Stderr, "loggrep: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
}

var paths = []string{"/", "/index.html", "/api/v1/users", "/api/v1/users/%d", "/api/v2/orders/%d/items",
	"/static/js/app.%x.js", "/static/css/site.css", "/login", "/logout", "/search?q=%s", "/healthz",
	"/admin/settings", "/download/release-%d.%d.tar.gz", "/ünïcödé/päth"}
var agents = []string{"Mozilla/5.0 (X11; Linux x86_64)", "curl/8.5.0", "Go-http-client/1.1",
	"python-requests/2.31", "Googlebot/2.1 (+http://www.google.com/bot.html)"}
var methods = []string{"GET", "GET", "GET", "POST", "PUT", "DELETE", "HEAD"}
var statuses = []int{200, 200, 200, 200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 404, 500, 502, 503}
var users = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"}

func generate(path string, lines int) {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loggrep:", err)
		os.Exit(2)
	}
	w := bufio.NewWriter(f)
	rng := rand.New(rand.NewPCG(2026, 16))
	for i := range lines {
		ip := fmt.Sprintf("%d.%d.%d.%d", 10+rng.IntN(200), rng.IntN(256), rng.IntN(256), 1+rng.IntN(254))
		p := paths[rng.IntN(len(paths))]
		switch strings.Count(p, "%") {
		case 1:
			if strings.Contains(p, "%s") {
				p = fmt.Sprintf(p, users[rng.IntN(len(users))]+"+"+strconv.Itoa(rng.IntN(99)))
			} else {
				p = fmt.Sprintf(p, rng.IntN(1<<20))
			}
		case 2:
			p = fmt.Sprintf(p, rng.IntN(10), rng.IntN(40))
		}
		sec := i * 7 / 3
		ts := fmt.Sprintf("2026-12-%02d %02d:%02d:%02d.%03d", 1+sec/86400%28, sec/3600%24, sec/60%60, sec%60, rng.IntN(1000))
		user := "-"
		if rng.IntN(3) == 0 {
			user = users[rng.IntN(len(users))] + "@example.com"
		}
		fmt.Fprintf(w, "%s %s %s \"%s %s HTTP/1.1\" %d %d %.3fms \"%s\"",
			ts, ip, user, methods[rng.IntN(len(methods))], p, statuses[rng.IntN(len(statuses))],
			rng.IntN(2_000_000), rng.Float64()*900, agents[rng.IntN(len(agents))])
		if rng.IntN(40) == 0 {
			fmt.Fprintf(w, " error=\"upstream %s timed out after %ds\" trace_id=%016x", ip, 1+rng.IntN(30), rng.Uint64())
		}
		w.WriteString("\n")
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "loggrep:", err)
		os.Exit(2)
	}
	f.Close()
}

func grep(args []string) int {
	invert, count, only, fold := false, false, false, false
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && len(args[0]) > 1 {
		for _, c := range args[0][1:] {
			switch c {
			case 'v':
				invert = true
			case 'c':
				count = true
			case 'o':
				only = true
			case 'i':
				fold = true
			default:
				fmt.Fprintf(os.Stderr, "loggrep: unknown option -%c\n", c)
				return 2
			}
		}
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "loggrep: no pattern")
		return 2
	}
	pattern := args[0]
	if fold {
		pattern = "(?i)" + pattern
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loggrep:", err)
		return 2
	}
	files := args[1:]
	if len(files) == 0 {
		files = []string{"-"}
	}
	out := bufio.NewWriterSize(os.Stdout, 64*1024)
	defer out.Flush()
	selected, failed := false, false
	for _, name := range files {
		var r io.Reader = os.Stdin
		if name != "-" {
			f, err := os.Open(name)
			if err != nil {
				fmt.Fprintln(os.Stderr, "loggrep:", pathError(err))
				failed = true
				continue
			}
			defer f.Close()
			r = f
		}
		prefix := ""
		if len(files) > 1 {
			prefix = name + ":"
		}
		scanner := bufio.NewScanner(r)
		scanner.Buffer(make([]byte, 64*1024), 1024*1024)
		n := 0
		for scanner.Scan() {
			line := scanner.Text()
			if re.MatchString(line) == invert {
				continue
			}
			n++
			selected = true
			switch {
			case count:
			case only && !invert:
				for _, m := range re.FindAllString(line, -1) {
					out.WriteString(prefix + m + "\n")
				}
			default:
				out.WriteString(prefix + line + "\n")
			}
		}
		if err := scanner.Err(); err != nil {
			fmt.Fprintf(os.Stderr, "loggrep: %s: %v\n", name, err)
			failed = true
		}
		if count {
			fmt.Fprintf(out, "%s%d\n", prefix, n)
		}
	}
	switch {
	case failed:
		return 2
	case selected:
		return 0
	}
	return 1
}

var (
	lineRE  = regexp.MustCompile(`^(?P<date>\d{4}-\d{2}-\d{2}) (?P<time>\d{2}:\d{2}:\d{2})\.\d{3} (?P<ip>(?:\d{1,3}\.){3}\d{1,3}) (?P<user>\S+) "(?P<method>[A-Z]+) (?P<path>[^ "]*) HTTP/(?P<proto>[0-9.]+)" (?P<status>\d{3}) (?P<bytes>\d+) (?P<ms>[0-9.]+)ms "(?P<agent>[^"]*)"(?P<rest>.*)$`)
	ipRE    = regexp.MustCompile(`\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\b`)
	emailRE = regexp.MustCompile(`([a-z]+)@([a-z]+\.[a-z]{2,})`)
	idRE    = regexp.MustCompile(`/(\d+)(/|$|\?)`)
	hexRE   = regexp.MustCompile(`\.[0-9a-f]{3,}\.js$`)
	errRE   = regexp.MustCompile(`error="upstream [0-9.]+ timed out after (\d+)s" trace_id=([0-9a-f]{16})`)
	agentRE = regexp.MustCompile(`(?i)(bot|crawler|spider)|^(curl|python-requests|go-http-client)/`)
	unicode = regexp.MustCompile(`\p{L}*[^\x00-\x7f]\p{L}*`)
)

type counter map[string]int

func (c counter) top(n int) []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if c[keys[i]] != c[keys[j]] {
			return c[keys[i]] > c[keys[j]]
		}
		return keys[i] < keys[j]
	})
	if len(keys) > n {
		keys = keys[:n]
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fmt.Sprintf("%s=%d", k, c[k])
	}
	return out
}

func report(path string) int {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loggrep:", pathError(err))
		return 2
	}
	defer f.Close()
	out := bufio.NewWriterSize(os.Stdout, 64*1024)
	defer out.Flush()
	names := lineRE.SubexpNames()
	byStatus, byMethod, byRoute, byAgent, byHour, words := counter{}, counter{}, counter{}, counter{}, counter{}, counter{}
	var lines, malformed, timeouts, timeoutSeconds int
	var bytesTotal int64
	var msTotal float64
	hash := sha256.New()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		line := scanner.Text()
		lines++
		m := lineRE.FindStringSubmatch(line)
		if m == nil {
			malformed++
			continue
		}
		fields := map[string]string{}
		for i, n := range names {
			if n != "" {
				fields[n] = m[i]
			}
		}
		byStatus[fields["status"]]++
		byMethod[fields["method"]]++
		byHour[fields["time"][:2]]++
		b, _ := strconv.ParseInt(fields["bytes"], 10, 64)
		bytesTotal += b
		ms, _ := strconv.ParseFloat(fields["ms"], 64)
		msTotal += ms
		route := idRE.ReplaceAllString(fields["path"], "/:id$2")
		route = hexRE.ReplaceAllString(route, ".HASH.js")
		if i := strings.IndexByte(route, '?'); i >= 0 {
			route = route[:i] + "?…"
		}
		byRoute[route]++
		if am := agentRE.FindStringSubmatch(fields["agent"]); am != nil {
			kind := strings.ToLower(am[1] + am[2])
			byAgent[kind]++
		} else {
			byAgent["browser"]++
		}
		for _, w := range unicode.FindAllString(fields["path"], -1) {
			words[w]++
		}
		if em := errRE.FindStringSubmatch(fields["rest"]); em != nil {
			timeouts++
			s, _ := strconv.Atoi(em[1])
			timeoutSeconds += s
		}
		// The masked line: the last two octets of addresses hidden, user
		// names of e-mails replaced by a digest, trace ids shortened.
		masked := ipRE.ReplaceAllStringFunc(line, func(ip string) string {
			p := ipRE.FindStringSubmatch(ip)
			return p[1] + "." + p[2] + ".x.x"
		})
		masked = emailRE.ReplaceAllStringFunc(masked, func(email string) string {
			p := emailRE.FindStringSubmatch(email)
			sum := sha256.Sum256([]byte(p[1]))
			return hex.EncodeToString(sum[:4]) + "@" + p[2]
		})
		masked = errRE.ReplaceAllString(masked, `error="upstream timeout ${1}s" trace=${2}`)
		hash.Write([]byte(masked))
		out.WriteString(masked)
		out.WriteByte('\n')
	}
	if err := scanner.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "loggrep:", err)
		return 2
	}
	fmt.Fprintf(out, "== %d lines, %d malformed, %d bytes served, mean %.4f ms\n", lines, malformed, bytesTotal, msTotal/float64(max(lines, 1)))
	fmt.Fprintf(out, "== timeouts: %d, %d s in all\n", timeouts, timeoutSeconds)
	fmt.Fprintf(out, "== status: %s\n", strings.Join(byStatus.top(20), " "))
	fmt.Fprintf(out, "== method: %s\n", strings.Join(byMethod.top(10), " "))
	fmt.Fprintf(out, "== hour: %s\n", strings.Join(byHour.top(24), " "))
	fmt.Fprintf(out, "== agent: %s\n", strings.Join(byAgent.top(10), " "))
	fmt.Fprintf(out, "== route: %s\n", strings.Join(byRoute.top(15), " "))
	fmt.Fprintf(out, "== non-ascii words: %s\n", strings.Join(words.top(5), " "))
	fmt.Fprintf(out, "== masked sha256: %x\n", hash.Sum(nil))
	return 0
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
