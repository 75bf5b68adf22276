package policy

import "unicode/utf8"

// This file holds the pattern matchers the evaluator runs on the hot path.
// None of them allocates.

// litEscape marks the next pattern byte as literal. Substituted policy
// variables are escaped with it so that a "*" inside a user name is not a
// wildcard (NUL cannot occur in ARNs, actions or condition values).
const litEscape = 0

// glob reports whether s matches pattern, where "*" matches any run of
// characters (including none) and "?" exactly one. When fold is true the
// pattern must already be lower case and s is compared ASCII-case-
// insensitively (actions); otherwise matching is case-sensitive (resources,
// StringLike).
func glob(pattern, s string, fold bool) bool {
	p, i := 0, 0
	starP, starI := -1, 0
	for i < len(s) {
		if p < len(pattern) {
			switch c := pattern[p]; c {
			case '*':
				starP, starI = p, i
				p++
				continue
			case '?':
				_, size := utf8.DecodeRuneInString(s[i:])
				p++
				i += size
				continue
			case litEscape:
				if p+1 < len(pattern) && pattern[p+1] == s[i] {
					p += 2
					i++
					continue
				}
			default:
				b := s[i]
				if fold && b >= 'A' && b <= 'Z' {
					b += 'a' - 'A'
				}
				if c == b {
					p++
					i++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		// Backtrack: let the last star swallow one more byte.
		starI++
		p, i = starP+1, starI
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// hasWildcard reports whether pattern has an unescaped * or ?.
func hasWildcard(pattern string) bool {
	for i := 0; i < len(pattern); i++ {
		switch pattern[i] {
		case '*', '?':
			return true
		case litEscape:
			i++
		}
	}
	return false
}

// arnPattern is an ARN pattern pre-split into its six parts, so that a
// wildcard in one part never matches across a colon into the next, the way
// ArnLike and the Resource element match.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
type arnPattern struct {
	raw   string
	any   bool // "*": matches everything, ARN or not
	isARN bool
	parts [6]string // arn, partition, service, region, account, resource
	exact [6]bool   // the part has no wildcard: compare with ==
}

func compileARNPattern(raw string) arnPattern {
	ap := arnPattern{raw: raw}
	if raw == "*" {
		ap.any = true
		return ap
	}
	if a, ok := splitARNPattern(raw); ok {
		ap.isARN = true
		ap.parts = a
		for i, part := range a {
			ap.exact[i] = !hasWildcard(part) && !containsEscape(part)
		}
	}
	return ap
}

func containsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == litEscape {
			return true
		}
	}
	return false
}

// splitARNPattern splits an ARN or ARN pattern on its first five colons.
// The first part may be a pattern ("arn" or "*"), so no prefix is required.
func splitARNPattern(s string) (parts [6]string, ok bool) {
	for i := 0; i < 5; i++ {
		j := -1
		for k := 0; k < len(s); k++ {
			if s[k] == ':' {
				j = k
				break
			}
			if s[k] == litEscape {
				k++
			}
		}
		if j < 0 {
			return parts, false
		}
		parts[i], s = s[:j], s[j+1:]
	}
	parts[5] = s
	return parts, true
}

// match reports whether the resource (already split, or raw when it is not
// an ARN) matches the pattern.
func (ap *arnPattern) match(res *splitResource) bool {
	if ap.any {
		return true
	}
	if !ap.isARN || !res.isARN {
		return glob(ap.raw, res.raw, false)
	}
	for i := range ap.parts {
		if ap.exact[i] {
			if ap.parts[i] != res.parts[i] {
				return false
			}
		} else if !glob(ap.parts[i], res.parts[i], false) {
			return false
		}
	}
	return true
}

// splitResource is a request's resource, split once per request.
type splitResource struct {
	raw   string
	isARN bool
	parts [6]string
}

func newSplitResource(s string) splitResource {
	r := splitResource{raw: s}
	if len(s) > 4 && s[:4] == "arn:" {
		r.parts, r.isARN = splitARNPattern(s)
	}
	return r
}

// actionPattern is an action pattern pre-lowered and split at the colon.
type actionPattern struct {
	all     bool   // "*"
	service string // lower case, no wildcard (the parser rejects them)
	name    string // lower case glob
	exact   bool   // name has no wildcard
	prefix  bool   // name is a literal followed by one "*"
	// head holds the first up to 8 bytes of the literal part (name when
	// exact, name without its "*" when prefix), little-endian, and
	// headMask covers those bytes: one integer compare rejects almost
	// every non-matching name without a memory compare.
	head, headMask uint64
}

// loadHead packs the first up to 8 bytes of s into an integer,
// little-endian, zero-padded.
func loadHead(s string) uint64 {
	var h uint64
	for i := 0; i < len(s) && i < 8; i++ {
		h |= uint64(s[i]) << (8 * i)
	}
	return h
}

// headMaskOf covers the first min(n, 8) bytes of a loadHead value.
func headMaskOf(n int) uint64 {
	if n >= 8 {
		return ^uint64(0)
	}
	return 1<<(8*uint(n)) - 1
}

func compileActionPattern(a string) actionPattern {
	if a == "*" {
		return actionPattern{all: true}
	}
	svc, name, _ := cutByte(a, ':')
	ap := actionPattern{service: lowerASCII(svc), name: lowerASCII(name)}
	ap.exact = !hasWildcard(ap.name)
	if n := len(ap.name); n > 0 && ap.name[n-1] == '*' && !hasWildcard(ap.name[:n-1]) {
		ap.prefix = true
	}
	lit := ap.name
	if ap.prefix {
		lit = lit[:len(lit)-1]
	}
	ap.head, ap.headMask = loadHead(lit), headMaskOf(len(lit))
	return ap
}

// matchName reports whether the lower-case operation name matches the
// pattern's name; the caller has matched the service.
func (ap *actionPattern) matchName(lname string) bool {
	return ap.matchHead(lname, loadHead(lname))
}

// matchHead is matchName given lhead = loadHead(lname), which a Request
// computes once.
func (ap *actionPattern) matchHead(lname string, lhead uint64) bool {
	switch {
	case ap.all:
		return true
	case ap.exact:
		// Lengths are equal, so the masked bytes are real bytes of both.
		return len(ap.name) == len(lname) && lhead&ap.headMask == ap.head &&
			(len(lname) <= 8 || ap.name[8:] == lname[8:])
	case ap.prefix:
		n := len(ap.name) - 1
		return len(lname) >= n && lhead&ap.headMask == ap.head &&
			(n <= 8 || lname[8:n] == ap.name[8:n])
	}
	return glob(ap.name, lname, false)
}

// matchNameSlow is the reference for matchHead, kept for its test.
func (ap *actionPattern) matchNameSlow(lname string) bool {
	switch {
	case ap.all:
		return true
	case ap.exact:
		return len(ap.name) == len(lname) && (len(lname) == 0 || ap.name[0] == lname[0]) && ap.name == lname
	case ap.prefix:
		// "Describe*": the common case, without backtracking. Most
		// patterns differ at the first byte, so test it before memeq.
		p := ap.name[:len(ap.name)-1]
		return len(lname) >= len(p) && (len(p) == 0 || p[0] == lname[0]) && lname[:len(p)] == p
	}
	return glob(ap.name, lname, false)
}

// equalFoldLower compares lower-case l with s ASCII-case-insensitively.
func equalFoldLower(l, s string) bool {
	if len(l) != len(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		if l[i] != b {
			return false
		}
	}
	return true
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func cutByte(s string, c byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
