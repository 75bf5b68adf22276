package iam

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"time"
	"unicode"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// Console passwords (login profiles):
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateLoginProfile.html.
// Passwords are checked against the account's password policy, or AWS's
// default policy when there is none (at least 8 characters with three of
// upper case, lower case, digits and symbols:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html),
// and only a salted hash is stored.

type loginProfileRec struct {
	Created       time.Time `json:"created"`
	ResetRequired bool      `json:"resetRequired,omitempty"`
	Salt          string    `json:"salt"`
	Hash          string    `json:"hash"`
}

func passwordViolation(format string, args ...any) *service.Error {
	return service.BadRequest("PasswordPolicyViolation", format, args...)
}

// checkPassword applies pp (nil: AWS's default policy) to password.
func checkPassword(pp *passwordPolicyRec, password string) error {
	var upper, lower, digit, symbol bool
	for _, r := range password {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		default:
			symbol = true
		}
	}
	if pp == nil {
		n := 0
		for _, b := range []bool{upper, lower, digit, symbol} {
			if b {
				n++
			}
		}
		if len([]rune(password)) < 8 || n < 3 {
			return passwordViolation("Password does not conform to the account password policy: at least 8 characters and three of upper case, lower case, numbers and symbols.")
		}
		return nil
	}
	switch {
	case len([]rune(password)) < pp.MinimumPasswordLength:
		return passwordViolation("Password should have a minimum length of %d", pp.MinimumPasswordLength)
	case pp.RequireUppercaseCharacters && !upper:
		return passwordViolation("Password should have at least one uppercase letter")
	case pp.RequireLowercaseCharacters && !lower:
		return passwordViolation("Password should have at least one lowercase letter")
	case pp.RequireNumbers && !digit:
		return passwordViolation("Password should have at least one number")
	case pp.RequireSymbols && !symbol:
		return passwordViolation("Password should have at least one symbol")
	}
	return nil
}

func (s *Service) hashPassword(password string) (salt, hash string, err error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return "", "", err
	}
	salt = hex.EncodeToString(b)
	sum := sha256.Sum256([]byte(salt + password))
	return salt, hex.EncodeToString(sum[:]), nil
}

type loginProfileOut struct {
	UserName              string       `xml:"UserName"`
	CreateDate            service.Time `xml:"CreateDate"`
	PasswordResetRequired bool         `xml:"PasswordResetRequired"`
}

type loginProfileInput struct {
	UserName              string
	Password              string
	PasswordResetRequired bool
}

// profileUser decodes a loginProfileInput and loads its user (see
// userForProfile); with existing set, a user without a login profile is
// NoSuchEntity.
func (s *Service) profileUser(ctx context.Context, r *service.Request, existing bool) (loginProfileInput, *userRec, error) {
	var in loginProfileInput
	if err := r.Decode(&in); err != nil {
		return in, nil, err
	}
	u, err := s.userForProfile(ctx, r, in.UserName)
	if err != nil {
		return in, nil, err
	}
	if existing && u.LoginProfile == nil {
		return in, nil, noLoginProfile(u.Name)
	}
	return in, u, nil
}

func (u *userRec) loginProfileOutput() any {
	return struct {
		LoginProfile loginProfileOut `xml:"LoginProfile"`
	}{loginProfileOut{u.Name, service.Time(u.LoginProfile.Created), u.LoginProfile.ResetRequired}}
}

func (s *Service) createLoginProfile(ctx context.Context, r *service.Request) (any, error) {
	in, u, err := s.profileUser(ctx, r, false)
	if err != nil {
		return nil, err
	}
	if u.LoginProfile != nil {
		return nil, alreadyExists("Login Profile for user %s already exists.", u.Name)
	}
	if err := s.setPassword(r, u, in); err != nil {
		return nil, err
	}
	if err := putUser(r.Tx, r.Caller.Account, u); err != nil {
		return nil, err
	}
	return u.loginProfileOutput(), nil
}

func (s *Service) setPassword(r *service.Request, u *userRec, in loginProfileInput) error {
	if in.Password == "" {
		return missing("Password")
	}
	a, err := getAccount(r.Tx, r.Caller.Account)
	if err != nil {
		return err
	}
	if err := checkPassword(a.PasswordPolicy, in.Password); err != nil {
		return err
	}
	salt, hash, err := s.hashPassword(in.Password)
	if err != nil {
		return err
	}
	created := r.Now
	if u.LoginProfile != nil {
		created = u.LoginProfile.Created
	}
	u.LoginProfile = &loginProfileRec{Created: created, ResetRequired: in.PasswordResetRequired, Salt: salt, Hash: hash}
	return nil
}

func (s *Service) userForProfile(ctx context.Context, r *service.Request, name string) (*userRec, error) {
	if name == "" && r.Caller.Type == "User" {
		name = r.Caller.Name
	}
	return s.user(ctx, r, name, service.Authz{})
}

func noLoginProfile(user string) *service.Error {
	return noSuchEntity("Login Profile for User %s cannot be found.", user)
}

func (s *Service) getLoginProfile(ctx context.Context, r *service.Request) (any, error) {
	_, u, err := s.profileUser(ctx, r, true)
	if err != nil {
		return nil, err
	}
	return u.loginProfileOutput(), nil
}

func (s *Service) updateLoginProfile(ctx context.Context, r *service.Request) (any, error) {
	in, u, err := s.profileUser(ctx, r, true)
	if err != nil {
		return nil, err
	}
	if in.Password != "" {
		if err := s.setPassword(r, u, in); err != nil {
			return nil, err
		}
	}
	u.LoginProfile.ResetRequired = in.PasswordResetRequired
	return nil, putUser(r.Tx, r.Caller.Account, u)
}

func (s *Service) deleteLoginProfile(ctx context.Context, r *service.Request) (any, error) {
	_, u, err := s.profileUser(ctx, r, true)
	if err != nil {
		return nil, err
	}
	u.LoginProfile = nil
	return nil, putUser(r.Tx, r.Caller.Account, u)
}
