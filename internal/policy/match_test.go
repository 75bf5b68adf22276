package policy

import (
	"strings"
	"testing"
)

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		fold, want bool
	}{
		{"*", "", false, true},
		{"*", "anything/at:all", false, true},
		{"a*", "a", false, true},
		{"a*c", "abbbc", false, true},
		{"a*c", "abbbd", false, false},
		{"a?c", "abc", false, true},
		{"a?c", "ac", false, false},
		{"a?c", "aéc", false, true}, // ? is one character, not one byte
		{"*b*b*", "abcbd", false, true},
		{"*b*b*", "abcd", false, false},
		{"get*", "GetObject", true, true},
		{"get*", "GetObject", false, false},
		{"Bucket", "bucket", false, false},
		{"a\x00*c", "a*c", false, true},  // escaped star is literal
		{"a\x00*c", "abc", false, false}, // and not a wildcard
		{"**", "x", false, true},
		{"", "", false, true},
		{"", "x", false, false},
	}
	for _, tt := range tests {
		if got := glob(tt.pattern, tt.s, tt.fold); got != tt.want {
			t.Errorf("glob(%q, %q, %v) = %v, want %v", tt.pattern, tt.s, tt.fold, got, tt.want)
		}
	}
}

// ARN patterns match part by part:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
func TestARNPattern(t *testing.T) {
	tests := []struct {
		pattern, arn string
		want         bool
	}{
		{"*", "*", true},
		{"*", "arn:aws:s3:::b", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/k/x", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b", false},
		{"arn:aws:ec2:*:111122223333:instance/*", "arn:aws:ec2:eu-west-1:111122223333:instance/i-1", true},
		{"arn:aws:ec2:*:111122223333:instance/*", "arn:aws:ec2:eu-west-1:444455556666:instance/i-1", false},
		// A wildcard in the region part does not reach into the account part.
		// (A whole-string glob would match this.)
		{"arn:aws:sns:us-*:*:topic", "arn:aws:sns:us-east-1:extra:111:topic", false},
		{"arn:aws:logs:*:*:log-group:app:*", "arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:s", true},
		{"arn:aws:iam::111122223333:role/*", "arn:aws:iam::111122223333:role/a/b", true},
		{"arn:aws:s3:::b", "*", false},
	}
	for _, tt := range tests {
		p := compileARNPattern(tt.pattern)
		r := newSplitResource(tt.arn)
		if got := p.match(&r); got != tt.want {
			t.Errorf("%q matches %q = %v, want %v", tt.pattern, tt.arn, got, tt.want)
		}
	}
}

func TestActionPattern(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"s3:GetObject", "getobject", true},
		{"s3:Get*", "getobject", true},
		{"s3:Get*", "putobject", false},
		{"s3:*Object", "putobject", true},
		{"s3:Get?bject", "getobject", true},
		{"s3:*", "anything", true},
		{"*", "anything", true},
	}
	for _, tt := range tests {
		ap := compileActionPattern(tt.pattern)
		if got := ap.matchName(tt.name); got != tt.want {
			t.Errorf("%q matches %q = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func TestJSONReader(t *testing.T) {
	tests := []struct {
		src     string
		wantErr string // "" for valid JSON
		want    string // the decoded string value, when src is a string
	}{
		{`"a\"b\\c\/d\n\t"`, "", "a\"b\\c/d\n\t"},
		{`"\u00e9\ud83d\ude00"`, "", "é😀"},
		{"\ufeff{}", "", ""},
		{`{"a": 1,}`, "1:9: invalid JSON: trailing comma before '}'", ""},
		{`[1, 2`, "1:6: invalid JSON: unexpected end of input: array opened at line 1 col 1 is not closed", ""},
		{`{"a" 1}`, `1:6: invalid JSON: unexpected '1' after key "a", want ':'`, ""},
		{`01`, "1:2: invalid JSON: unexpected '1' after the end of the document", ""},
		{`-`, "1:2: invalid JSON: invalid number", ""},
		{`1.`, "1:3: invalid JSON: invalid number: want digits after the decimal point", ""},
		{`tru`, "1:1: invalid JSON: invalid literal, want true, false, null, a number, a string, an array or an object", ""},
		{`"\x"`, `1:3: invalid JSON: invalid escape \x in string`, ""},
		{"", "1:1: invalid JSON: empty document", ""},
		{strings.Repeat("[", 200), "1:130: invalid JSON: nesting deeper than 128 levels", ""},
	}
	for _, tt := range tests {
		n, d := parseJSON([]byte(tt.src), "")
		switch {
		case tt.wantErr == "" && d != nil:
			t.Errorf("%q: unexpected error %v", tt.src, d)
		case tt.wantErr != "" && d == nil:
			t.Errorf("%q: no error, want %q", tt.src, tt.wantErr)
		case tt.wantErr != "" && d.String()[:len(strings.SplitN(d.String(), "\n", 2)[0])] != tt.wantErr:
			t.Errorf("%q: error %q, want %q", tt.src, strings.SplitN(d.String(), "\n", 2)[0], tt.wantErr)
		case tt.want != "" && n.str != tt.want:
			t.Errorf("%q: decoded %q, want %q", tt.src, n.str, tt.want)
		}
	}
}

// TestMatchHeadAgreesWithSlow checks the packed-prefix fast path against
// the plain string comparison on names around the 8-byte boundary.
func TestMatchHeadAgreesWithSlow(t *testing.T) {
	patterns := []string{"s3:Get*", "s3:GetObject", "s3:GetObjectAcl", "s3:*", "*", "s3:Describe*",
		"s3:DescribeInstances", "s3:Abcdefgh", "s3:Abcdefgh*", "s3:Abcdefghi*", "s3:Abcdefg*", "s3:*Object",
		"s3:G?t*", "s3:", "s3:A", "s3:A*"}
	names := []string{"", "a", "abcdefg", "abcdefgh", "abcdefghi", "abcdefgx", "get", "getobject",
		"getobjectacl", "getobjectac", "describe", "describeinstances", "describeinstancez", "delete", "g\x00t"}
	for _, p := range patterns {
		ap := compileActionPattern(p)
		for _, n := range names {
			if got, want := ap.matchName(n), ap.matchNameSlow(n); got != want {
				t.Errorf("%q matches %q: fast %v, slow %v", p, n, got, want)
			}
		}
	}
}
