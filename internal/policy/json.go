package policy

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
)

// This file is a small JSON reader that remembers where every value and
// object key starts in the source, because encoding/json does not. It
// accepts exactly RFC 8259 JSON (no comments, no trailing commas) and
// reports the first syntax error with its line and column.

// nodeKind is the JSON type of a node.
type nodeKind int

const (
	jsonNull nodeKind = iota
	jsonBool
	jsonNumber
	jsonString
	jsonArray
	jsonObject
)

func (k nodeKind) String() string {
	switch k {
	case jsonNull:
		return "null"
	case jsonBool:
		return "a boolean"
	case jsonNumber:
		return "a number"
	case jsonString:
		return "a string"
	case jsonArray:
		return "an array"
	case jsonObject:
		return "an object"
	}
	return "a value"
}

// node is one JSON value and where it starts.
type node struct {
	kind    nodeKind
	pos     diag.Pos
	str     string // jsonString: the decoded text; jsonNumber: the literal
	boolean bool
	elems   []*node  // jsonArray
	members []member // jsonObject, in source order
}

// member is one key of an object.
type member struct {
	key    string
	keyPos diag.Pos
	value  *node
}

// get returns the member named key (exact match) or nil.
func (n *node) get(key string) *member {
	for i := range n.members {
		if n.members[i].key == key {
			return &n.members[i]
		}
	}
	return nil
}

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 128

type jsonReader struct {
	src  []byte
	file string
	off  int
	line int
	col  int // 1-based, in characters
}

// jsonError is a syntax error at a position.
type jsonError struct {
	pos diag.Pos
	msg string
}

func (e *jsonError) Error() string { return e.pos.String() + ": " + e.msg }

// parseJSON reads one JSON document. On a syntax error it returns a
// diagnostic at the offending character.
func parseJSON(src []byte, file string) (*node, *diag.Diagnostic) {
	r := &jsonReader{src: src, file: file, line: 1, col: 1}
	n, err := r.document()
	if err != nil {
		d := diag.Errorf(err.pos, "policy documents are JSON (RFC 8259): check quotes, commas and brackets near this position", "invalid JSON: %s", err.msg)
		d.Code = "json-syntax"
		return nil, &d
	}
	return n, nil
}

func (r *jsonReader) pos() diag.Pos { return diag.Pos{File: r.file, Line: r.line, Col: r.col} }

func (r *jsonReader) errf(format string, args ...any) *jsonError {
	return &jsonError{pos: r.pos(), msg: fmt.Sprintf(format, args...)}
}

// advance moves past one character, tracking lines and columns.
func (r *jsonReader) advance() {
	if r.off >= len(r.src) {
		return
	}
	c := r.src[r.off]
	if c == '\n' {
		r.line++
		r.col = 1
		r.off++
		return
	}
	if c < utf8.RuneSelf {
		r.off++
	} else {
		_, size := utf8.DecodeRune(r.src[r.off:])
		r.off += size
	}
	r.col++
}

func (r *jsonReader) skipSpace() {
	for r.off < len(r.src) {
		switch r.src[r.off] {
		case ' ', '\t', '\n', '\r':
			r.advance()
		default:
			return
		}
	}
}

func (r *jsonReader) document() (*node, *jsonError) {
	// A UTF-8 byte order mark is tolerated: editors on Windows write one.
	if len(r.src) >= 3 && r.src[0] == 0xEF && r.src[1] == 0xBB && r.src[2] == 0xBF {
		r.off = 3
	}
	r.skipSpace()
	if r.off >= len(r.src) {
		return nil, r.errf("empty document")
	}
	n, err := r.value(0)
	if err != nil {
		return nil, err
	}
	r.skipSpace()
	if r.off < len(r.src) {
		return nil, r.errf("unexpected %s after the end of the document", r.describe())
	}
	return n, nil
}

// describe names the character at the cursor for error messages.
func (r *jsonReader) describe() string {
	if r.off >= len(r.src) {
		return "end of input"
	}
	c, _ := utf8.DecodeRune(r.src[r.off:])
	return strconv.QuoteRune(c)
}

func (r *jsonReader) value(depth int) (*node, *jsonError) {
	if depth > maxDepth {
		return nil, r.errf("nesting deeper than %d levels", maxDepth)
	}
	r.skipSpace()
	if r.off >= len(r.src) {
		return nil, r.errf("unexpected end of input, want a value")
	}
	start := r.pos()
	switch c := r.src[r.off]; {
	case c == '{':
		return r.object(start, depth)
	case c == '[':
		return r.array(start, depth)
	case c == '"':
		s, err := r.stringLit()
		if err != nil {
			return nil, err
		}
		return &node{kind: jsonString, pos: start, str: s}, nil
	case c == 't':
		return r.literal(start, "true", &node{kind: jsonBool, pos: start, boolean: true})
	case c == 'f':
		return r.literal(start, "false", &node{kind: jsonBool, pos: start})
	case c == 'n':
		return r.literal(start, "null", &node{kind: jsonNull, pos: start})
	case c == '-' || (c >= '0' && c <= '9'):
		return r.number(start)
	default:
		return nil, r.errf("unexpected %s, want a value", r.describe())
	}
}

func (r *jsonReader) literal(start diag.Pos, word string, n *node) (*node, *jsonError) {
	if !strings.HasPrefix(string(r.src[r.off:min(len(r.src), r.off+len(word))]), word) {
		return nil, &jsonError{pos: start, msg: "invalid literal, want true, false, null, a number, a string, an array or an object"}
	}
	for range word {
		r.advance()
	}
	return n, nil
}

func (r *jsonReader) number(start diag.Pos) (*node, *jsonError) {
	begin := r.off
	digits := func() int {
		n := 0
		for r.off < len(r.src) && r.src[r.off] >= '0' && r.src[r.off] <= '9' {
			r.advance()
			n++
		}
		return n
	}
	if r.src[r.off] == '-' {
		r.advance()
	}
	if r.off < len(r.src) && r.src[r.off] == '0' {
		r.advance()
	} else if digits() == 0 {
		return nil, r.errf("invalid number")
	}
	if r.off < len(r.src) && r.src[r.off] == '.' {
		r.advance()
		if digits() == 0 {
			return nil, r.errf("invalid number: want digits after the decimal point")
		}
	}
	if r.off < len(r.src) && (r.src[r.off] == 'e' || r.src[r.off] == 'E') {
		r.advance()
		if r.off < len(r.src) && (r.src[r.off] == '+' || r.src[r.off] == '-') {
			r.advance()
		}
		if digits() == 0 {
			return nil, r.errf("invalid number: want digits in the exponent")
		}
	}
	return &node{kind: jsonNumber, pos: start, str: string(r.src[begin:r.off])}, nil
}

func (r *jsonReader) stringLit() (string, *jsonError) {
	r.advance() // opening quote
	var b strings.Builder
	for {
		if r.off >= len(r.src) {
			return "", r.errf("unterminated string")
		}
		c := r.src[r.off]
		switch {
		case c == '"':
			r.advance()
			return b.String(), nil
		case c == '\\':
			r.advance()
			if r.off >= len(r.src) {
				return "", r.errf("unterminated string")
			}
			e := r.src[r.off]
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				ru, err := r.hex4()
				if err != nil {
					return "", err
				}
				if utf16.IsSurrogate(ru) {
					// A surrogate pair is two \u escapes in a row.
					if r.off+1 < len(r.src) && r.src[r.off+1] == '\\' && r.off+2 < len(r.src) && r.src[r.off+2] == 'u' {
						r.advance()
						r.advance()
						lo, err := r.hex4()
						if err != nil {
							return "", err
						}
						ru = utf16.DecodeRune(ru, lo)
					} else {
						ru = utf8.RuneError
					}
				}
				b.WriteRune(ru)
			default:
				return "", r.errf("invalid escape \\%c in string", e)
			}
			r.advance()
		case c == '\n':
			return "", r.errf("unterminated string (a string cannot span lines)")
		case c < 0x20:
			return "", r.errf("control character %U in string: escape it", rune(c))
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			r.advance()
		default:
			ru, size := utf8.DecodeRune(r.src[r.off:])
			if ru == utf8.RuneError && size == 1 {
				return "", r.errf("invalid UTF-8 in string")
			}
			b.WriteRune(ru)
			r.advance()
		}
	}
}

// hex4 reads the four hex digits after \u; the cursor is on the 'u' and is
// left on the last digit.
func (r *jsonReader) hex4() (rune, *jsonError) {
	if r.off+4 >= len(r.src) {
		return 0, r.errf("truncated \\u escape")
	}
	v, err := strconv.ParseUint(string(r.src[r.off+1:r.off+5]), 16, 32)
	if err != nil {
		return 0, r.errf("invalid \\u escape: want four hex digits")
	}
	for range 4 {
		r.advance()
	}
	return rune(v), nil
}

func (r *jsonReader) array(start diag.Pos, depth int) (*node, *jsonError) {
	r.advance() // [
	n := &node{kind: jsonArray, pos: start}
	r.skipSpace()
	if r.off < len(r.src) && r.src[r.off] == ']' {
		r.advance()
		return n, nil
	}
	for {
		v, err := r.value(depth + 1)
		if err != nil {
			return nil, err
		}
		n.elems = append(n.elems, v)
		r.skipSpace()
		if r.off >= len(r.src) {
			return nil, r.errf("unexpected end of input: array opened at line %d col %d is not closed", start.Line, start.Col)
		}
		switch r.src[r.off] {
		case ',':
			r.advance()
			r.skipSpace()
			if r.off < len(r.src) && r.src[r.off] == ']' {
				return nil, r.errf("trailing comma before ']'")
			}
		case ']':
			r.advance()
			return n, nil
		default:
			return nil, r.errf("unexpected %s in array, want ',' or ']'", r.describe())
		}
	}
}

func (r *jsonReader) object(start diag.Pos, depth int) (*node, *jsonError) {
	r.advance() // {
	n := &node{kind: jsonObject, pos: start}
	r.skipSpace()
	if r.off < len(r.src) && r.src[r.off] == '}' {
		r.advance()
		return n, nil
	}
	for {
		r.skipSpace()
		if r.off >= len(r.src) {
			return nil, r.errf("unexpected end of input: object opened at line %d col %d is not closed", start.Line, start.Col)
		}
		if r.src[r.off] != '"' {
			return nil, r.errf("unexpected %s, want a quoted key", r.describe())
		}
		keyPos := r.pos()
		key, err := r.stringLit()
		if err != nil {
			return nil, err
		}
		r.skipSpace()
		if r.off >= len(r.src) || r.src[r.off] != ':' {
			return nil, r.errf("unexpected %s after key %q, want ':'", r.describe(), key)
		}
		r.advance()
		v, err := r.value(depth + 1)
		if err != nil {
			return nil, err
		}
		n.members = append(n.members, member{key: key, keyPos: keyPos, value: v})
		r.skipSpace()
		if r.off >= len(r.src) {
			return nil, r.errf("unexpected end of input: object opened at line %d col %d is not closed", start.Line, start.Col)
		}
		switch r.src[r.off] {
		case ',':
			r.advance()
			r.skipSpace()
			if r.off < len(r.src) && r.src[r.off] == '}' {
				return nil, r.errf("trailing comma before '}'")
			}
		case '}':
			r.advance()
			return n, nil
		default:
			return nil, r.errf("unexpected %s in object, want ',' or '}'", r.describe())
		}
	}
}
