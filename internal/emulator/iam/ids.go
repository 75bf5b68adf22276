package iam

import (
	"fmt"
	"io"
	"strings"
)

// Unique id prefixes, as AWS documents them
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids).
const (
	prefixUser      = "AIDA"
	prefixGroup     = "AGPA"
	prefixRole      = "AROA"
	prefixPolicy    = "ANPA"
	prefixAccessKey = "AKIA"
	// PrefixSessionKey starts the access key ids of temporary credentials
	// (STS).
	PrefixSessionKey = "ASIA"
)

// upperAlnum is the alphabet of AWS unique ids and access key ids (base32:
// upper-case letters and the digits 2-7).
const upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// secretAlphabet is the alphabet of secret access keys.
const secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// RandomString returns n characters drawn uniformly from alphabet (whose
// length must divide 256) using r.
func RandomString(r io.Reader, alphabet string, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b), nil
}

// uniqueID returns a 21-character unique id with the given prefix.
func (s *Service) uniqueID(prefix string) (string, error) {
	rest, err := RandomString(s.rand, upperAlnum, 21-len(prefix))
	return prefix + rest, err
}

// NewAccessKey returns a new access key id with prefix (AKIA or ASIA) and a
// 40-character secret.
func NewAccessKey(r io.Reader, prefix string) (id, secret string, err error) {
	rest, err := RandomString(r, upperAlnum, 16)
	if err != nil {
		return "", "", err
	}
	secret, err = RandomString(r, secretAlphabet, 40)
	return prefix + rest, secret, err
}

// ARN builders. IAM is global: no region; the partition is always "aws".

func userARN(account, path, name string) string {
	return "arn:aws:iam::" + account + ":user" + path + name
}

func groupARN(account, path, name string) string {
	return "arn:aws:iam::" + account + ":group" + path + name
}

// RoleARN is the ARN of a role.
func RoleARN(account, path, name string) string {
	return "arn:aws:iam::" + account + ":role" + path + name
}

func policyARN(account, path, name string) string {
	return "arn:aws:iam::" + account + ":policy" + path + name
}

func mfaARN(account, path, name string) string {
	return "arn:aws:iam::" + account + ":mfa" + path + name
}

// RootARN is the ARN of an account's root user.
func RootARN(account string) string { return "arn:aws:iam::" + account + ":root" }

// ParsedARN is an IAM or STS ARN split into its parts.
type ParsedARN struct {
	Service  string // "iam" or "sts"
	Account  string // 12 digits, or "aws" for AWS managed policies
	Type     string // "user", "role", "policy", "assumed-role", "root", ...
	Path     string // "/" or "/a/b/"
	Name     string // last segment
	Resource string // everything after the account's colon
}

// ParseARN splits an IAM or STS ARN such as
// arn:aws:iam::123456789012:role/path/Name. ok is false when s is not one.
func ParseARN(s string) (ParsedARN, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] != "aws" || parts[3] != "" {
		return ParsedARN{}, false
	}
	p := ParsedARN{Service: parts[2], Account: parts[4], Resource: parts[5]}
	if p.Service != "iam" && p.Service != "sts" {
		return ParsedARN{}, false
	}
	typ, rest, found := strings.Cut(p.Resource, "/")
	p.Type = typ
	if !found {
		p.Path = "/"
		return p, typ != ""
	}
	i := strings.LastIndex(rest, "/")
	p.Path = "/" + rest[:i+1]
	p.Name = rest[i+1:]
	if p.Type == "assumed-role" {
		p.Path = "/"
		p.Name = rest
	}
	return p, p.Name != ""
}

// nameKey is the store key of a named entity: names are unique per account
// regardless of case ("User names are not distinguished by case",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names).
func nameKey(account, name string) string {
	return account + "/" + strings.ToLower(name)
}
