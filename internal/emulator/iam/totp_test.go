package iam

import (
	"testing"
	"time"
)

// TestTOTPVectors checks TOTP against RFC 6238 Appendix B (SHA-1 key
// "12345678901234567890"), keeping the last 6 of its 8 digits.
func TestTOTPVectors(t *testing.T) {
	const seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // base32 of "12345678901234567890"
	for _, tc := range []struct {
		unix int64
		want string
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1111111111, "050471"},
		{1234567890, "005924"},
		{2000000000, "279037"},
		{20000000000, "353130"},
	} {
		got, err := TOTP(seed, time.Unix(tc.unix, 0))
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("TOTP at %d = %s, want %s", tc.unix, got, tc.want)
		}
	}
	if _, err := TOTP("not base32!", time.Unix(0, 0)); err == nil {
		t.Error("TOTP accepted a seed that is not base32")
	}
}
