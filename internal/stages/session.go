package stages

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/bulkhead-dev/bulkhead/internal/layout"
)

// Source is where the base credentials come from: the standard AWS chain
// (environment, shared-config profile, SSO, web identity). Config is
// called at most once per Open, and only when something is not cached:
// a warm Open never loads the AWS configuration.
type Source struct {
	// Key identifies the base credentials without a network call
	// (SourceKey).
	Key string
	// Config returns the base aws.Config, its endpoint pointing at the
	// layout's target.
	Config func(ctx context.Context) (aws.Config, error)
}

// Request asks for a stage's session.
type Request struct {
	// Destination is where the stage goes (NewDestination, or a
	// DestinationCache entry). When nil, it is made from Layout, Stage and
	// Role.
	Destination *Destination
	Layout      *layout.Layout
	Stage       string
	// Role overrides the rule's role (exec --role).
	Role string
	// Command is the bulkhead command (exec, env, credential-process) and
	// Args the command line, both for the audit log.
	Command string
	Args    []string

	Getenv   func(string) string
	Now      func() time.Time
	Source   Source
	Cache    *Cache
	Accounts *AccountIDs
	// Audit receives one record per Open, allowed or refused; nil skips it.
	Audit  *AuditLog
	Prompt *Prompter
	// Warn prints a warning for the person (stderr).
	Warn   func(string)
	Logger *slog.Logger
	// SkipGuard calls the credential step without the guard. Only tests
	// use it, to prove that the trust policies hold on their own.
	SkipGuard bool
}

// Session is a stage's credentials and where they lead.
type Session struct {
	Resolution  *Resolution
	AccountID   string
	Role        string
	RoleARN     string
	SessionName string
	// Identity is the base credentials' ARN; Assumed the session's.
	Identity    string
	Assumed     string
	Credentials aws.Credentials
	// Cached is true when no STS call was made.
	Cached bool
}

// Open resolves the stage, checks its guard, and returns the role's
// session from the cache or from STS. Every outcome is appended to the
// audit log.
func Open(ctx context.Context, req Request) (*Session, error) {
	rec := AuditRecord{Time: req.Now().UTC(), Command: req.Command, Stage: req.Stage, Args: RedactArgs(req.Args)}
	s, err := open(ctx, req, &rec)
	if err != nil {
		rec.Outcome, rec.Error = "refused", err.Error()
	} else {
		rec.Outcome = "allowed"
	}
	if req.Audit != nil {
		if aerr := req.Audit.Append(rec); aerr != nil && err == nil {
			// No session is handed out that the log does not show.
			return nil, aerr
		}
	}
	return s, err
}

func open(ctx context.Context, req Request, rec *AuditRecord) (*Session, error) {
	route := req.Destination
	if route == nil {
		var err error
		if route, err = NewDestination(req.Layout, req.Stage, req.Role, ""); err != nil {
			return nil, err
		}
	}
	res, role := route.Resolution, route.Role
	res.Role = role
	rec.Stage, rec.Account, rec.Guard, rec.Role = res.Stage, res.Account, string(res.Guard), role

	base := sync.OnceValues(func() (aws.Config, error) { return req.Source.Config(ctx) })
	list := func(ctx context.Context) (*AccountMap, error) {
		cfg, err := base()
		if err != nil {
			return nil, err
		}
		return ListOrganization(ctx, organizations.NewFromConfig(cfg))
	}
	accountID := func(name string) (string, error) { return req.Accounts.ID(ctx, name, list) }
	id, err := accountID(res.Account)
	if err != nil {
		return nil, err
	}
	res.AccountID = id
	rec.AccountID = id
	s := &Session{Resolution: res, AccountID: id, Role: role, RoleARN: RoleARN(id, role)}

	identity := func() (string, error) { return cachedIdentity(ctx, req, base) }
	webIdentity := route.CI != nil && route.CI.GitHub && WebIdentity(req.Getenv) && InCI(req.Getenv)

	if !req.SkipGuard {
		switch res.Guard {
		case layout.GuardCI:
			who := ""
			if !webIdentity && InCI(req.Getenv) {
				if who, err = identity(); err != nil {
					return nil, err
				}
			}
			if err := CheckCI(res, route.CI, route.Org.File, req.Getenv, who, accountID); err != nil {
				return nil, err
			}
		case layout.GuardConfirm:
			if err := Confirm(res, id, req.Prompt); err != nil {
				return nil, err
			}
		}
	}

	key := CacheKey(req.Source.Key, id, role, res.Stage)
	entry, hit, err := req.Cache.Get(ctx, key, func(ctx context.Context) (*Entry, error) {
		return fetch(ctx, req, route, s, base, identity, webIdentity)
	})
	if err != nil {
		return nil, err
	}
	s.Credentials, s.Identity, s.Assumed, s.Cached = entry.Credentials, entry.Identity, entry.Assumed, hit
	s.SessionName = entry.Assumed[strings.LastIndex(entry.Assumed, "/")+1:]
	rec.Identity, rec.Session, rec.Cached = s.Identity, s.SessionName, hit
	if req.Logger != nil {
		req.Logger.Debug("stage session", "stage", res.Stage, "account", id, "role", role, "identity", s.Identity, "cached", hit,
			"expires", entry.Credentials.Expires, "store", req.Cache.Store.Name())
	}
	return s, nil
}

// fetch makes the session on a cache miss: a web identity exchanged for
// the role (GitHub Actions OIDC), the base credentials as they are when
// they already are a session of the role, or AssumeRole from the base
// identity, with an MFA code when the role requires one.
func fetch(ctx context.Context, req Request, route *Destination, s *Session, base func() (aws.Config, error), identity func() (string, error), webIdentity bool) (*Entry, error) {
	cfg, err := base()
	if err != nil {
		return nil, err
	}
	client := sts.NewFromConfig(cfg)
	if webIdentity {
		user := req.Getenv("GITHUB_ACTOR")
		if user == "" {
			user = "ci"
		}
		name := SessionName(user, s.Resolution.Stage)
		c, err := WebIdentityProvider(client, s.RoleARN, name, req.Getenv("AWS_WEB_IDENTITY_TOKEN_FILE")).Retrieve(ctx)
		if err != nil {
			return nil, fmt.Errorf("assume %s with the web identity token: %w", s.RoleARN, err)
		}
		return &Entry{Credentials: c, Identity: "web-identity:" + req.Getenv("AWS_ROLE_ARN"), Assumed: assumedARN(s.AccountID, s.Role, name)}, nil
	}
	who, err := identity()
	if err != nil {
		return nil, err
	}
	if IsRole(who, s.AccountID, s.Role) {
		// The base credentials are already a session of the role
		// (a pipeline that assumed it itself): use them as they are;
		// a role assuming itself would need its trust to say so.
		c, err := cfg.Credentials.Retrieve(ctx)
		if err != nil {
			return nil, err
		}
		return &Entry{Credentials: c, Identity: who, Assumed: who}, nil
	}
	user := UserName(who)
	p := AssumeParams{RoleARN: s.RoleARN, SessionName: SessionName(user, s.Resolution.Stage), SourceIdentity: SourceIdentity(user), Duration: SessionDuration}
	if route.MFA {
		serial, err := mfaSerial(ctx, req, cfg, who)
		if err != nil {
			return nil, err
		}
		p.MFASerial = serial
		p.TokenCode = func() (string, error) { return req.Prompt.Ask("MFA code for " + serial + ": ") }
	}
	c, err := AssumeProvider(client, p, req.Warn).Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("assume %s as %s: %w", s.RoleARN, who, err)
	}
	return &Entry{Credentials: c, Identity: who, Assumed: assumedARN(s.AccountID, s.Role, p.SessionName)}, nil
}

// SessionDuration is the length of the sessions bulkhead asks for: STS's
// default and the longest a role chain allows (stscreds alone would ask
// for 15 minutes).
const SessionDuration = time.Hour

func assumedARN(accountID, role, session string) string {
	return "arn:aws:sts::" + accountID + ":assumed-role/" + role + "/" + session
}

// identityTTL is how long the base credentials' ARN is trusted without
// asking STS again: keys do not change owner, but a profile can be edited.
const identityTTL = time.Hour

type identityEntry struct {
	ARN     string    `json:"arn"`
	Account string    `json:"account"`
	Expires time.Time `json:"expires"`
}

// cachedIdentity returns the base credentials' ARN (sts:GetCallerIdentity,
// kept for identityTTL).
func cachedIdentity(ctx context.Context, req Request, base func() (aws.Config, error)) (string, error) {
	key := "identity-" + CacheKey(req.Source.Key, "", "", "")[len("session-"):]
	if b, ok, err := req.Cache.Store.Get(key); err == nil && ok {
		var e identityEntry
		if json.Unmarshal(b, &e) == nil && e.ARN != "" && e.Expires.After(req.Now()) {
			return e.ARN, nil
		}
	}
	cfg, err := base()
	if err != nil {
		return "", err
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("who are the base credentials (sts:GetCallerIdentity): %w", err)
	}
	e := identityEntry{ARN: aws.ToString(out.Arn), Account: aws.ToString(out.Account), Expires: req.Now().Add(identityTTL)}
	if b, err := json.Marshal(e); err == nil {
		_ = req.Cache.Store.Set(key, b) // a cache; failing to write it costs one call next time
	}
	return e.ARN, nil
}

// mfaSerial is the MFA device to present: $BULKHEAD_MFA_SERIAL, else the
// IAM user's first MFA device (iam:ListMFADevices on itself).
func mfaSerial(ctx context.Context, req Request, cfg aws.Config, identity string) (string, error) {
	if s := req.Getenv("BULKHEAD_MFA_SERIAL"); s != "" {
		return s, nil
	}
	user := UserName(identity)
	out, err := iam.NewFromConfig(cfg).ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: &user})
	if err != nil {
		return "", fmt.Errorf("the role requires MFA; find the MFA device of %s (or set BULKHEAD_MFA_SERIAL): %w", identity, err)
	}
	if len(out.MFADevices) == 0 {
		return "", errors.New("the role requires MFA and " + identity + " has no MFA device; enable one, or set BULKHEAD_MFA_SERIAL")
	}
	return aws.ToString(out.MFADevices[0].SerialNumber), nil
}
