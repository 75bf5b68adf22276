package layout

import (
	"fmt"
	"github.com/bulkhead-dev/bulkhead/internal/diag"
	"strings"
)

// The invariant grammar (docs/layout.md):
//
//	invariant := subject ("can" | "cannot") access target
//	           | "only" subject {"," subject} "can" access target
//	subject   := "user:"NAME | "group:"NAME | "role:"NAME | "ci" | "developers" | "*"
//	access    := "read" | "write" | "admin" | SERVICE ":" ACTION (globs allowed)
//	target    := "account:"NAME | "kind:"KIND | "unit:"PATH | "*"

// SubjectKind is the kind of principal an invariant speaks about.
type SubjectKind string

// Subject kinds.
const (
	SubjectUser       SubjectKind = "user"
	SubjectGroup      SubjectKind = "group"
	SubjectRole       SubjectKind = "role"
	SubjectCI         SubjectKind = "ci"
	SubjectDevelopers SubjectKind = "developers"
	SubjectAnyone     SubjectKind = "*"
)

// Subject is who an invariant speaks about. Col is the 1-based column of
// the subject inside the invariant string.
type Subject struct {
	Kind SubjectKind
	Name string // for user, group and role
	Col  int
}

// AccessClass is a coarse class of actions.
type AccessClass string

// Access classes.
const (
	AccessRead  AccessClass = "read"
	AccessWrite AccessClass = "write"
	AccessAdmin AccessClass = "admin"
)

// Access is what an invariant speaks about: a class of actions, or one
// IAM action pattern such as "s3:Put*".
type Access struct {
	Class  AccessClass // empty when Action is set
	Action string
	Col    int
}

// TargetKind is the kind of resource scope an invariant speaks about.
type TargetKind string

// Target kinds.
const (
	TargetAccount TargetKind = "account"
	TargetOfKind  TargetKind = "kind" // accounts of one kind
	TargetUnit    TargetKind = "unit"
	TargetAll     TargetKind = "*"
)

// InvariantTarget is where an invariant applies.
type InvariantTarget struct {
	Kind TargetKind
	Name string // account name, account kind, or unit path
	Col  int
}

// InvariantError is a syntax error inside an invariant string.
type InvariantError struct {
	Col  int // 1-based column inside the string
	Msg  string
	Hint string
}

func (e *InvariantError) Error() string { return fmt.Sprintf("column %d: %s", e.Col, e.Msg) }

type invToken struct {
	text string
	col  int
}

func tokenizeInvariant(s string) []invToken {
	var toks []invToken
	start := -1
	flush := func(i int) {
		if start >= 0 {
			toks = append(toks, invToken{s[start:i], start + 1})
			start = -1
		}
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ' || c == '\t':
			flush(i)
		case c == ',':
			flush(i)
			toks = append(toks, invToken{",", i + 1})
		default:
			if start < 0 {
				start = i
			}
		}
	}
	flush(len(s))
	return toks
}

const invariantExample = "e.g. `group:engineers cannot write kind:production` or `only role:deployer can write account:prod`"

// ParseInvariant parses one invariant string. Names are not checked against
// the layout here; validation does that.
func ParseInvariant(s string) (Invariant, error) {
	toks := tokenizeInvariant(s)
	inv := Invariant{}
	end := len(s) + 1
	at := func(i int) (invToken, bool) {
		if i < len(toks) {
			return toks[i], true
		}
		return invToken{col: end}, false
	}
	if len(toks) == 0 {
		return inv, &InvariantError{Col: 1, Msg: "empty invariant", Hint: "write " + invariantExample}
	}
	i := 0
	if toks[0].text == "only" {
		inv.Only = true
		i++
		for {
			t, ok := at(i)
			if !ok {
				return inv, &InvariantError{Col: t.col, Msg: "expected a subject after \"only\"", Hint: subjectHint}
			}
			sub, err := parseSubject(t)
			if err != nil {
				return inv, err
			}
			inv.Subjects = append(inv.Subjects, sub)
			i++
			if t, ok := at(i); ok && t.text == "," {
				i++
				continue
			}
			break
		}
		t, _ := at(i)
		if t.text != "can" {
			msg := fmt.Sprintf("expected \"can\" or \",\" after the subjects, found %s", quoteTok(t))
			if t.text == "cannot" {
				msg = "\"only ... cannot\" is not allowed"
			}
			return inv, &InvariantError{Col: t.col, Msg: msg, Hint: "write `only SUBJECT[, SUBJECT] can ACCESS TARGET`"}
		}
		inv.Can = true
		i++
	} else {
		sub, err := parseSubject(toks[0])
		if err != nil {
			return inv, err
		}
		inv.Subjects = []Subject{sub}
		i++
		t, _ := at(i)
		switch t.text {
		case "can":
			inv.Can = true
		case "cannot":
		default:
			return inv, &InvariantError{Col: t.col, Msg: fmt.Sprintf("expected \"can\" or \"cannot\", found %s", quoteTok(t)),
				Hint: "write " + invariantExample}
		}
		i++
	}
	t, ok := at(i)
	if !ok {
		return inv, &InvariantError{Col: t.col, Msg: "expected an access (read, write, admin or SERVICE:ACTION)", Hint: "write " + invariantExample}
	}
	acc, err := parseAccess(t)
	if err != nil {
		return inv, err
	}
	inv.Access = acc
	i++
	t, ok = at(i)
	if !ok {
		return inv, &InvariantError{Col: t.col, Msg: "expected a target (account:NAME, kind:KIND, unit:PATH or *)", Hint: "write " + invariantExample}
	}
	tgt, err := parseTarget(t)
	if err != nil {
		return inv, err
	}
	inv.Target = tgt
	i++
	if t, ok := at(i); ok {
		return inv, &InvariantError{Col: t.col, Msg: fmt.Sprintf("unexpected %s after the target", quoteTok(t)),
			Hint: "an invariant has one target; write one invariant per target"}
	}
	return inv, nil
}

const subjectHint = "a subject is user:NAME, group:NAME, role:NAME, ci, developers or *"

func quoteTok(t invToken) string {
	if t.text == "" {
		return "the end of the invariant"
	}
	return fmt.Sprintf("%q", t.text)
}

func parseSubject(t invToken) (Subject, error) {
	switch t.text {
	case "ci":
		return Subject{Kind: SubjectCI, Col: t.col}, nil
	case "developers":
		return Subject{Kind: SubjectDevelopers, Col: t.col}, nil
	case "*":
		return Subject{Kind: SubjectAnyone, Col: t.col}, nil
	}
	kind, name, ok := strings.Cut(t.text, ":")
	if ok && (kind == "user" || kind == "group" || kind == "role") {
		if name == "" {
			return Subject{}, &InvariantError{Col: t.col + len(kind) + 1, Msg: fmt.Sprintf("%s: needs a name", kind), Hint: subjectHint}
		}
		return Subject{Kind: SubjectKind(kind), Name: name, Col: t.col}, nil
	}
	msg := fmt.Sprintf("%s is not a subject", quoteTok(t))
	if s := suggestPrefix(kind, []string{"user", "group", "role"}); ok && s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s+":"+name)
	}
	return Subject{}, &InvariantError{Col: t.col, Msg: msg, Hint: subjectHint}
}

func parseAccess(t invToken) (Access, error) {
	switch AccessClass(t.text) {
	case AccessRead, AccessWrite, AccessAdmin:
		return Access{Class: AccessClass(t.text), Col: t.col}, nil
	}
	svc, action, ok := strings.Cut(t.text, ":")
	if ok && svc != "" && action != "" && validActionPart(svc, false) && validActionPart(action, true) {
		return Access{Action: t.text, Col: t.col}, nil
	}
	msg := fmt.Sprintf("%s is not an access: want read, write, admin or SERVICE:ACTION such as s3:PutObject", quoteTok(t))
	if s := suggestPrefix(t.text, []string{"read", "write", "admin"}); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return Access{}, &InvariantError{Col: t.col, Msg: msg, Hint: "write " + invariantExample}
}

func validActionPart(s string, globs bool) bool {
	for _, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
		if !ok && !(globs && (c == '*' || c == '?')) {
			return false
		}
	}
	return true
}

func parseTarget(t invToken) (InvariantTarget, error) {
	if t.text == "*" {
		return InvariantTarget{Kind: TargetAll, Col: t.col}, nil
	}
	kind, name, ok := strings.Cut(t.text, ":")
	if ok && (kind == "account" || kind == "kind" || kind == "unit") {
		if name == "" {
			return InvariantTarget{}, &InvariantError{Col: t.col + len(kind) + 1, Msg: fmt.Sprintf("%s: needs a name", kind), Hint: targetHint}
		}
		return InvariantTarget{Kind: TargetKind(kind), Name: name, Col: t.col}, nil
	}
	msg := fmt.Sprintf("%s is not a target", quoteTok(t))
	if s := suggestPrefix(kind, []string{"account", "kind", "unit"}); ok && s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s+":"+name)
	}
	return InvariantTarget{}, &InvariantError{Col: t.col, Msg: msg, Hint: targetHint}
}

const targetHint = "a target is account:NAME, kind:KIND, unit:PATH or *"

func suggestPrefix(s string, candidates []string) string {
	for _, c := range candidates {
		if c == s {
			return ""
		}
	}
	best, dist := "", 3
	for _, c := range candidates {
		if d := diag.Distance(strings.ToLower(s), c); d < dist {
			best, dist = c, d
		}
	}
	return best
}
