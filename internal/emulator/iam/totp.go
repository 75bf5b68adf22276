package iam

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// TOTP as virtual MFA devices compute it (RFC 6238 over RFC 4226 HOTP):
// HMAC-SHA1, 30-second steps from the Unix epoch, 6 digits.

const totpStep = 30

// totpStepAt is the time step containing t.
func totpStepAt(t time.Time) int64 { return t.Unix() / totpStep }

// hotp is RFC 4226's HOTP value for counter, as 6 digits.
func hotp(key []byte, counter int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(counter))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", code%1_000_000)
}

// decodeSeed decodes a Base32StringSeed (RFC 4648 base32, padding
// optional, case-insensitive).
func decodeSeed(seed string) ([]byte, error) {
	s := strings.ToUpper(strings.TrimRight(strings.TrimSpace(seed), "="))
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("mfa seed is not base32: %w", err)
	}
	return key, nil
}

// TOTP returns the 6-digit code a virtual MFA device with this base32 seed
// (the Base32StringSeed CreateVirtualMFADevice returned) shows at t. Tests
// and tools use it to answer EnableMFADevice and GetSessionToken.
func TOTP(seed string, t time.Time) (string, error) {
	key, err := decodeSeed(seed)
	if err != nil {
		return "", err
	}
	return hotp(key, totpStepAt(t)), nil
}
