// nested: a recursive-descent expression parser run on deeply nested
// brackets, the shape of real Go parsers (esbuild's JavaScript parser,
// go/parser): a tokenizer, precedence climbing through one function per
// level of the grammar, and a large primary-expression function with a
// case per token kind. Every nesting level of the input is a chain of six
// Go calls (expr, binary, unary, postfix, primary, array literal), and
// every Go call is a wasm call, so the runtime's default wasm stack must
// hold as many levels as native Go does.
//
//	nested [DEPTH]   (default 100000)
//
// Prints the depth reached, the node count and a checksum of the tree.
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

type tokenKind uint8

const (
	tEOF tokenKind = iota
	tNumber
	tString
	tIdent
	tTrue
	tFalse
	tNull
	tThis
	tNew
	tTypeof
	tVoid
	tLBracket
	tRBracket
	tLBrace
	tRBrace
	tLParen
	tRParen
	tComma
	tColon
	tDot
	tQuestion
	tPlus
	tMinus
	tStar
	tSlash
	tPercent
	tBang
	tTilde
	tLess
	tGreater
	tEqEq
	tNotEq
	tAndAnd
	tOrOr
	tAmp
	tPipe
	tCaret
	tArrow
)

var keywords = map[string]tokenKind{"true": tTrue, "false": tFalse, "null": tNull, "this": tThis, "new": tNew,
	"typeof": tTypeof, "void": tVoid}

type token struct {
	kind tokenKind
	text string
	pos  int
}

type lexer struct {
	src string
	pos int
}

func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) && strings.IndexByte(" \t\r\n", l.src[l.pos]) >= 0 {
		l.pos++
	}
	start := l.pos
	if l.pos >= len(l.src) {
		return token{tEOF, "", start}, nil
	}
	c := l.src[l.pos]
	two := ""
	if l.pos+1 < len(l.src) {
		two = l.src[l.pos : l.pos+2]
	}
	switch two {
	case "==":
		l.pos += 2
		return token{tEqEq, two, start}, nil
	case "!=":
		l.pos += 2
		return token{tNotEq, two, start}, nil
	case "&&":
		l.pos += 2
		return token{tAndAnd, two, start}, nil
	case "||":
		l.pos += 2
		return token{tOrOr, two, start}, nil
	case "=>":
		l.pos += 2
		return token{tArrow, two, start}, nil
	}
	single := map[byte]tokenKind{'[': tLBracket, ']': tRBracket, '{': tLBrace, '}': tRBrace, '(': tLParen,
		')': tRParen, ',': tComma, ':': tColon, '.': tDot, '?': tQuestion, '+': tPlus, '-': tMinus, '*': tStar,
		'/': tSlash, '%': tPercent, '!': tBang, '~': tTilde, '<': tLess, '>': tGreater, '&': tAmp, '|': tPipe,
		'^': tCaret}
	if k, ok := single[c]; ok {
		l.pos++
		return token{k, l.src[start:l.pos], start}, nil
	}
	switch {
	case c >= '0' && c <= '9':
		for l.pos < len(l.src) && (l.src[l.pos] >= '0' && l.src[l.pos] <= '9' || l.src[l.pos] == '.') {
			l.pos++
		}
		return token{tNumber, l.src[start:l.pos], start}, nil
	case c == '"' || c == '\'':
		end := strings.IndexByte(l.src[l.pos+1:], c)
		if end < 0 {
			return token{}, fmt.Errorf("unterminated string at %d", start)
		}
		l.pos += end + 2
		return token{tString, l.src[start+1 : l.pos-1], start}, nil
	case c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		for l.pos < len(l.src) {
			d := l.src[l.pos]
			if d != '_' && d != '$' && !(d >= 'a' && d <= 'z') && !(d >= 'A' && d <= 'Z') && !(d >= '0' && d <= '9') {
				break
			}
			l.pos++
		}
		text := l.src[start:l.pos]
		if k, ok := keywords[text]; ok {
			return token{k, text, start}, nil
		}
		return token{tIdent, text, start}, nil
	}
	return token{}, fmt.Errorf("unexpected character %q at %d", c, start)
}

type node struct {
	op       string
	value    string
	children []*node
}

type parser struct {
	lex      lexer
	tok      token
	depth    int
	maxDepth int
	nodes    int
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) expect(k tokenKind, what string) error {
	if p.tok.kind != k {
		return fmt.Errorf("expected %s at %d, found %q", what, p.tok.pos, p.tok.text)
	}
	return p.advance()
}

func (p *parser) newNode(op, value string, children ...*node) *node {
	p.nodes++
	return &node{op: op, value: value, children: children}
}

//go:noinline
func (p *parser) parseExpr() (*node, error) {
	p.depth++
	if p.depth > p.maxDepth {
		p.maxDepth = p.depth
	}
	n, err := p.parseBinary(0)
	p.depth--
	if err != nil {
		return nil, err
	}
	if p.tok.kind == tQuestion {
		if err := p.advance(); err != nil {
			return nil, err
		}
		yes, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(tColon, "':'"); err != nil {
			return nil, err
		}
		no, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		return p.newNode("?:", "", n, yes, no), nil
	}
	return n, nil
}

func precedence(k tokenKind) int {
	switch k {
	case tOrOr:
		return 1
	case tAndAnd:
		return 2
	case tPipe:
		return 3
	case tCaret:
		return 4
	case tAmp:
		return 5
	case tEqEq, tNotEq:
		return 6
	case tLess, tGreater:
		return 7
	case tPlus, tMinus:
		return 8
	case tStar, tSlash, tPercent:
		return 9
	}
	return 0
}

//go:noinline
func (p *parser) parseBinary(minPrec int) (*node, error) {
	left, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for {
		prec := precedence(p.tok.kind)
		if prec == 0 || prec <= minPrec {
			return left, nil
		}
		op := p.tok.text
		if err := p.advance(); err != nil {
			return nil, err
		}
		right, err := p.parseBinary(prec)
		if err != nil {
			return nil, err
		}
		left = p.newNode(op, "", left, right)
	}
}

//go:noinline
func (p *parser) parseUnary() (*node, error) {
	switch p.tok.kind {
	case tMinus, tPlus, tBang, tTilde, tTypeof, tVoid:
		op := p.tok.text
		if err := p.advance(); err != nil {
			return nil, err
		}
		operand, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return p.newNode("unary"+op, "", operand), nil
	}
	return p.parsePostfix()
}

//go:noinline
func (p *parser) parsePostfix() (*node, error) {
	n, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	for {
		switch p.tok.kind {
		case tDot:
			if err := p.advance(); err != nil {
				return nil, err
			}
			name := p.tok.text
			if err := p.expect(tIdent, "property name"); err != nil {
				return nil, err
			}
			n = p.newNode(".", name, n)
		case tLBracket:
			if err := p.advance(); err != nil {
				return nil, err
			}
			index, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			if err := p.expect(tRBracket, "']'"); err != nil {
				return nil, err
			}
			n = p.newNode("[]", "", n, index)
		case tLParen:
			args, err := p.parseList(tLParen, tRParen)
			if err != nil {
				return nil, err
			}
			n = p.newNode("call", "", append([]*node{n}, args...)...)
		default:
			return n, nil
		}
	}
}

// parsePrimary is the large function: one case per token that can start
// an expression, each with its own locals and error paths.
//
//go:noinline
func (p *parser) parsePrimary() (*node, error) {
	t := p.tok
	switch t.kind {
	case tNumber:
		if _, err := strconv.ParseFloat(t.text, 64); err != nil {
			return nil, fmt.Errorf("bad number %q at %d", t.text, t.pos)
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		return p.newNode("num", t.text), nil
	case tString:
		if err := p.advance(); err != nil {
			return nil, err
		}
		return p.newNode("str", t.text), nil
	case tIdent:
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind == tArrow {
			if err := p.advance(); err != nil {
				return nil, err
			}
			body, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			return p.newNode("=>", t.text, body), nil
		}
		return p.newNode("id", t.text), nil
	case tTrue, tFalse, tNull, tThis:
		if err := p.advance(); err != nil {
			return nil, err
		}
		return p.newNode("lit", t.text), nil
	case tNew:
		if err := p.advance(); err != nil {
			return nil, err
		}
		callee, err := p.parsePostfix()
		if err != nil {
			return nil, err
		}
		return p.newNode("new", "", callee), nil
	case tLParen:
		if err := p.advance(); err != nil {
			return nil, err
		}
		inner, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(tRParen, "')'"); err != nil {
			return nil, err
		}
		return p.newNode("()", "", inner), nil
	case tLBracket:
		items, err := p.parseList(tLBracket, tRBracket)
		if err != nil {
			return nil, err
		}
		return p.newNode("array", "", items...), nil
	case tLBrace:
		return p.parseObject()
	case tEOF:
		return nil, fmt.Errorf("unexpected end of input at %d", t.pos)
	}
	return nil, fmt.Errorf("unexpected %q at %d", t.text, t.pos)
}

//go:noinline
func (p *parser) parseList(open, close tokenKind) ([]*node, error) {
	if err := p.expect(open, "list"); err != nil {
		return nil, err
	}
	var items []*node
	for p.tok.kind != close {
		item, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		items = append(items, item)
		if p.tok.kind != tComma {
			break
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	if err := p.expect(close, "end of list"); err != nil {
		return nil, err
	}
	return items, nil
}

//go:noinline
func (p *parser) parseObject() (*node, error) {
	if err := p.expect(tLBrace, "'{'"); err != nil {
		return nil, err
	}
	obj := p.newNode("object", "")
	for p.tok.kind != tRBrace {
		key := p.tok.text
		if p.tok.kind != tIdent && p.tok.kind != tString {
			return nil, fmt.Errorf("expected property name at %d", p.tok.pos)
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		if err := p.expect(tColon, "':'"); err != nil {
			return nil, err
		}
		value, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		obj.children = append(obj.children, p.newNode("prop", key, value))
		if p.tok.kind != tComma {
			break
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	if err := p.expect(tRBrace, "'}'"); err != nil {
		return nil, err
	}
	return obj, nil
}

// checksum walks the tree recursively too: the way back down is as deep.
func checksum(n *node, level int) uint64 {
	h := uint64(len(n.op))*0x9e3779b97f4a7c15 + uint64(level)
	for i := 0; i < len(n.value); i++ {
		h = h*131 + uint64(n.value[i])
	}
	for i, c := range n.children {
		h = h*31 + checksum(c, level+1) + uint64(i)
	}
	return h
}

func main() {
	depth := 100000
	if len(os.Args) > 1 {
		d, err := strconv.Atoi(os.Args[1])
		if err != nil || d < 1 {
			fmt.Fprintln(os.Stderr, "usage: nested [DEPTH]")
			os.Exit(2)
		}
		depth = d
	}
	// Nested array literals with an operand and an operator at every level,
	// the way bundlers see deeply nested generated code: [1 + [2 * [...]]].
	var b strings.Builder
	for i := 0; i < depth; i++ {
		fmt.Fprintf(&b, "[%d %c ", i%10, "+-*/"[i%4])
	}
	b.WriteString("x")
	b.WriteString(strings.Repeat("]", depth))
	p := &parser{lex: lexer{src: b.String()}}
	if err := p.advance(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	root, err := p.parseExpr()
	if err == nil && p.tok.kind != tEOF {
		err = fmt.Errorf("trailing input at %d", p.tok.pos)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("depth %d, %d nodes, checksum %016x\n", p.maxDepth, p.nodes, checksum(root, 0))
}
