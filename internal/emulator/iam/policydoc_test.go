package iam

import (
	"net/url"
	"testing"
)

func TestEncodeDoc(t *testing.T) {
	for _, doc := range []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/a b+c"}]}`,
		"{\n  \"a\": \"é ü ~ % & =\"\n}",
	} {
		enc := encodeDoc(doc)
		for _, unescape := range []func(string) (string, error){url.QueryUnescape, url.PathUnescape} {
			got, err := unescape(enc)
			if err != nil || got != doc {
				t.Errorf("unescape(encodeDoc(%q)) = %q, %v", doc, got, err)
			}
		}
	}
}

func TestPolicySize(t *testing.T) {
	if n := policySize("{ \"a\" :\n\t\"b c\" }"); n != 10 {
		t.Errorf("policySize = %d, want 10 (white space excluded)", n)
	}
}

// FuzzCheckPolicy: any input is either accepted or refused with an error,
// never a panic.
func FuzzCheckPolicy(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	f.Add(`{"Statement":{"Effect":"Deny","NotAction":["s3:*"],"NotResource":"x","Condition":{"Bool":{"aws:SecureTransport":false}}}}`)
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["123456789012","arn:aws:iam::123456789012:user/a"]},"Action":"sts:AssumeRole"}]}`)
	f.Add(`[1,2,3]`)
	f.Fuzz(func(t *testing.T, doc string) {
		_ = checkPolicy(doc, identityDoc, nil)
		_ = checkPolicy(doc, trustDoc, func(string) (bool, error) { return false, nil })
		_ = encodeDoc(doc)
	})
}
