package iam

import (
	"context"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// OpenID Connect identity providers (GitHub Actions and other CI
// principals trust roles through them):
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html.
// The provider's ARN is arn:aws:iam::<account>:oidc-provider/<url without
// https://>. Thumbprints are optional, as AWS made them in 2023; when
// given there are at most 5, each 40 hex characters.

const tableOIDC = "iam.oidc" // "<account>/<host and path>"

const (
	maxClientIDs   = 100
	maxThumbprints = 5
)

var thumbprintChars = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-fA-F]{40}$`) })

type oidcRec struct {
	URL         string    `json:"url"` // without the scheme, as GetOpenIDConnectProvider returns it
	ClientIDs   []string  `json:"clientIds,omitempty"`
	Thumbprints []string  `json:"thumbprints,omitempty"`
	Created     time.Time `json:"created"`
	Tags        []Tag     `json:"tags,omitempty"`
}

func oidcARN(acct, host string) string { return "arn:aws:iam::" + acct + ":oidc-provider/" + host }

func checkThumbprints(tps []string) error {
	if len(tps) > maxThumbprints {
		return limitExceeded("Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: %d", maxThumbprints)
	}
	for i, tp := range tps {
		if !thumbprintChars().MatchString(tp) {
			return validationError("thumbprintList."+strconv.Itoa(i+1)+".member", tp, "Member must have length equal to 40")
		}
	}
	return nil
}

func checkClientIDs(ids []string) error {
	if len(ids) > maxClientIDs {
		return limitExceeded("Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d", maxClientIDs)
	}
	for i, id := range ids {
		if id == "" || len(id) > 255 {
			return validationError("clientIDList."+strconv.Itoa(i+1)+".member", id, "Member must have length between 1 and 255")
		}
	}
	return nil
}

func (s *Service) createOIDCProvider(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		Url            string
		ClientIDList   []string
		ThumbprintList []string
		Tags           []Tag
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if in.Url == "" {
		return nil, missing("Url")
	}
	host, ok := strings.CutPrefix(in.Url, "https://")
	if !ok || host == "" || len(in.Url) > 255 || strings.ContainsAny(host, " ?#") {
		return nil, invalidInput("Invalid Url: %s (it must begin with https:// and have no query or fragment).", in.Url)
	}
	host = strings.TrimSuffix(host, "/")
	if err := checkClientIDs(in.ClientIDList); err != nil {
		return nil, err
	}
	if err := checkThumbprints(in.ThumbprintList); err != nil {
		return nil, err
	}
	acct := r.Caller.Account
	arn := oidcARN(acct, host)
	if err := authorizeNew(ctx, r, arn, in.Tags, ""); err != nil {
		return nil, err
	}
	p := oidcRec{URL: host, ClientIDs: in.ClientIDList, Thumbprints: in.ThumbprintList, Created: r.Now, Tags: in.Tags}
	if err := insert(r.Tx, tableOIDC, acct+"/"+host, p, alreadyExists("Provider with url %s already exists.", in.Url)); err != nil {
		return nil, err
	}
	return struct {
		OpenIDConnectProviderArn string `xml:"OpenIDConnectProviderArn"`
		Tags                     []Tag  `xml:"Tags>member,omitempty"`
	}{arn, in.Tags}, nil
}

// oidcFromInput loads the provider an OpenIDConnectProviderArn names.
func (s *Service) oidcFromInput(ctx context.Context, r *service.Request, arn string) (*oidcRec, string, error) {
	if arn == "" {
		return nil, "", missing("OpenIDConnectProviderArn")
	}
	acct := r.Caller.Account
	if err := r.Authorize(ctx, service.Authz{Resource: arn}); err != nil {
		return nil, "", err
	}
	prefix := "arn:aws:iam::" + acct + ":oidc-provider/"
	host, ok := strings.CutPrefix(arn, prefix)
	var p oidcRec
	if ok {
		found, err := r.Tx.Get(tableOIDC, acct+"/"+host, &p)
		if err != nil {
			return nil, "", internal("get oidc provider", err)
		}
		ok = found
	}
	if !ok {
		return nil, "", noSuchEntity("OpenIDConnect Provider not found for arn %s", arn)
	}
	return &p, acct + "/" + host, nil
}

type oidcArnInput struct {
	OpenIDConnectProviderArn string
	ClientID                 string
	ThumbprintList           []string
	Tags                     []Tag
	TagKeys                  []string
	Marker                   string
	MaxItems                 int
}

func (s *Service) getOIDCProvider(ctx context.Context, r *service.Request) (any, error) {
	var in oidcArnInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	p, _, err := s.oidcFromInput(ctx, r, in.OpenIDConnectProviderArn)
	if err != nil {
		return nil, err
	}
	return struct {
		Url            string       `xml:"Url"`
		ClientIDList   []string     `xml:"ClientIDList>member"`
		ThumbprintList []string     `xml:"ThumbprintList>member"`
		CreateDate     service.Time `xml:"CreateDate"`
		Tags           []Tag        `xml:"Tags>member,omitempty"`
	}{p.URL, p.ClientIDs, p.Thumbprints, service.Time(p.Created), p.Tags}, nil
}

func (s *Service) listOIDCProviders(ctx context.Context, r *service.Request) (any, error) {
	if err := r.Decode(&struct{}{}); err != nil {
		return nil, err
	}
	acct := r.Caller.Account
	if err := r.Authorize(ctx, service.Authz{Resource: oidcARN(acct, "*")}); err != nil {
		return nil, err
	}
	type entry struct {
		Arn string `xml:"Arn"`
	}
	var out []entry
	err := r.Tx.Scan(tableOIDC, acct+"/", "", func(key string, d store.Doc) (bool, error) {
		out = append(out, entry{oidcARN(acct, strings.TrimPrefix(key, acct+"/"))})
		return true, nil
	})
	if err != nil {
		return nil, internal("list oidc providers", err)
	}
	return struct {
		OpenIDConnectProviderList []entry `xml:"OpenIDConnectProviderList>member"`
	}{out}, nil
}

func (s *Service) deleteOIDCProvider(ctx context.Context, r *service.Request) (any, error) {
	var in oidcArnInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	_, key, err := s.oidcFromInput(ctx, r, in.OpenIDConnectProviderArn)
	if err != nil {
		return nil, err
	}
	if _, err := r.Tx.Delete(tableOIDC, key); err != nil {
		return nil, internal("delete oidc provider", err)
	}
	return nil, nil
}

// updateOIDC applies change to the provider named by the input and saves it.
func (s *Service) updateOIDC(change func(in *oidcArnInput, p *oidcRec) error) service.Handler {
	return func(ctx context.Context, r *service.Request) (any, error) {
		var in oidcArnInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		p, key, err := s.oidcFromInput(ctx, r, in.OpenIDConnectProviderArn)
		if err != nil {
			return nil, err
		}
		if err := change(&in, p); err != nil {
			return nil, err
		}
		if err := r.Tx.Put(tableOIDC, key, p); err != nil {
			return nil, internal("put oidc provider", err)
		}
		return nil, nil
	}
}

func addClientID(in *oidcArnInput, p *oidcRec) error {
	if in.ClientID == "" {
		return missing("ClientID")
	}
	for _, id := range p.ClientIDs {
		if id == in.ClientID {
			return nil
		}
	}
	ids := append(p.ClientIDs, in.ClientID)
	if err := checkClientIDs(ids); err != nil {
		return err
	}
	p.ClientIDs = ids
	return nil
}

func removeClientID(in *oidcArnInput, p *oidcRec) error {
	if in.ClientID == "" {
		return missing("ClientID")
	}
	var keep []string
	for _, id := range p.ClientIDs {
		if id != in.ClientID {
			keep = append(keep, id)
		}
	}
	p.ClientIDs = keep
	return nil
}

func updateThumbprints(in *oidcArnInput, p *oidcRec) error {
	if err := checkThumbprints(in.ThumbprintList); err != nil {
		return err
	}
	p.Thumbprints = in.ThumbprintList
	return nil
}

func (s *Service) listOIDCProviderTags(ctx context.Context, r *service.Request) (any, error) {
	var in oidcArnInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	pg, err := parsePage(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	p, _, err := s.oidcFromInput(ctx, r, in.OpenIDConnectProviderArn)
	if err != nil {
		return nil, err
	}
	return tagPage(p.Tags, pg), nil
}

// OIDCProvider is what a trust policy evaluation needs of a provider.
type OIDCProvider struct {
	ARN       string
	URL       string
	ClientIDs []string
}

// LookupOIDCProvider finds a provider by ARN.
func LookupOIDCProvider(tx store.Tx, arn string) (OIDCProvider, bool, error) {
	a, ok := ParseARN(arn)
	if !ok || a.Type != "oidc-provider" {
		return OIDCProvider{}, false, nil
	}
	host := strings.TrimPrefix(a.Resource, "oidc-provider/")
	var p oidcRec
	found, err := tx.Get(tableOIDC, a.Account+"/"+host, &p)
	if err != nil || !found {
		return OIDCProvider{}, false, err
	}
	ids := append([]string(nil), p.ClientIDs...)
	sort.Strings(ids)
	return OIDCProvider{ARN: arn, URL: p.URL, ClientIDs: ids}, true, nil
}
