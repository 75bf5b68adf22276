package iam

import (
	"context"
	"strconv"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// Account-level IAM: alias, password policy, summary and entity quotas.

// Default quotas of an account
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html),
// also reported by GetAccountSummary.
const (
	quotaUsers    = 5000
	quotaGroups   = 300
	quotaRoles    = 1000
	quotaPolicies = 1500
)

// checkQuota refuses to create one more entity in table when acct already
// has quota of them.
func (s *Service) checkQuota(tx store.Tx, table, acct string, quota int, name string) error {
	n, err := tx.Count(table, acct+"/")
	if err != nil {
		return internal("count", err)
	}
	if n >= quota {
		return limitExceeded("Cannot exceed quota for %s: %d", name, quota)
	}
	return nil
}

func getAccount(tx store.Tx, acct string) (*accountRec, error) {
	var a accountRec
	if _, err := tx.Get(tableAccount, acct, &a); err != nil {
		return nil, internal("get account settings", err)
	}
	return &a, nil
}

func putAccount(tx store.Tx, acct string, a *accountRec) error {
	if err := tx.Put(tableAccount, acct, a); err != nil {
		return internal("put account settings", err)
	}
	return nil
}

type aliasRec struct {
	Account string `json:"account"`
}

// createAccountAlias sets the account's alias. Aliases are unique across
// all accounts; an account has one, and creating another replaces it
// (https://docs.aws.amazon.com/signin/latest/userguide/CreateAccountAlias.html).
func (s *Service) createAccountAlias(ctx context.Context, r *service.Request) (any, error) {
	var in struct{ AccountAlias string }
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if in.AccountAlias == "" {
		return nil, missing("AccountAlias")
	}
	if len(in.AccountAlias) < 3 || len(in.AccountAlias) > 63 || !aliasChars().MatchString(in.AccountAlias) {
		return nil, validationError("accountAlias", in.AccountAlias, "Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$")
	}
	acct, tx := r.Caller.Account, r.Tx
	if err := r.Authorize(ctx, service.Authz{Resource: "*"}); err != nil {
		return nil, err
	}
	var owner aliasRec
	if ok, err := tx.Get(tableAlias, in.AccountAlias, &owner); err != nil {
		return nil, internal("get alias", err)
	} else if ok {
		if owner.Account == acct {
			return nil, nil
		}
		return nil, alreadyExists("The account alias %s already exists.", in.AccountAlias)
	}
	a, err := getAccount(tx, acct)
	if err != nil {
		return nil, err
	}
	if a.Alias != "" {
		if _, err := tx.Delete(tableAlias, a.Alias); err != nil {
			return nil, internal("delete alias", err)
		}
	}
	a.Alias = in.AccountAlias
	if err := tx.Put(tableAlias, a.Alias, aliasRec{Account: acct}); err != nil {
		return nil, internal("put alias", err)
	}
	return nil, putAccount(tx, acct, a)
}

func (s *Service) deleteAccountAlias(ctx context.Context, r *service.Request) (any, error) {
	var in struct{ AccountAlias string }
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if in.AccountAlias == "" {
		return nil, missing("AccountAlias")
	}
	acct, tx := r.Caller.Account, r.Tx
	if err := r.Authorize(ctx, service.Authz{Resource: "*"}); err != nil {
		return nil, err
	}
	a, err := getAccount(tx, acct)
	if err != nil {
		return nil, err
	}
	if a.Alias != in.AccountAlias {
		return nil, noSuchEntity("The account alias %s cannot be found.", in.AccountAlias)
	}
	if _, err := tx.Delete(tableAlias, a.Alias); err != nil {
		return nil, internal("delete alias", err)
	}
	a.Alias = ""
	return nil, putAccount(tx, acct, a)
}

func (s *Service) listAccountAliases(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		Marker   string
		MaxItems int
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	pg, err := parsePage(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	if err := r.Authorize(ctx, service.Authz{Resource: "*"}); err != nil {
		return nil, err
	}
	a, err := getAccount(r.Tx, r.Caller.Account)
	if err != nil {
		return nil, err
	}
	var items []sliceKeyed[string]
	if a.Alias != "" {
		items = append(items, sliceKeyed[string]{key: a.Alias, item: a.Alias})
	}
	aliases, info := pageSlice(items, pg)
	return struct {
		AccountAliases []string `xml:"AccountAliases>member"`
		pageInfo
	}{aliases, info}, nil
}

// AccountAlias returns acct's alias, "" when it has none.
func AccountAlias(tx store.Tx, acct string) (string, error) {
	a, err := getAccount(tx, acct)
	if err != nil {
		return "", err
	}
	return a.Alias, nil
}

type passwordPolicyOut struct {
	MinimumPasswordLength      int  `xml:"MinimumPasswordLength"`
	RequireSymbols             bool `xml:"RequireSymbols"`
	RequireNumbers             bool `xml:"RequireNumbers"`
	RequireUppercaseCharacters bool `xml:"RequireUppercaseCharacters"`
	RequireLowercaseCharacters bool `xml:"RequireLowercaseCharacters"`
	AllowUsersToChangePassword bool `xml:"AllowUsersToChangePassword"`
	ExpirePasswords            bool `xml:"ExpirePasswords"`
	MaxPasswordAge             int  `xml:"MaxPasswordAge,omitempty"`
	PasswordReusePrevention    int  `xml:"PasswordReusePrevention,omitempty"`
	HardExpiry                 bool `xml:"HardExpiry"`
}

// updateAccountPasswordPolicy replaces the policy; omitted parameters take
// AWS's defaults (length 8, everything else off)
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html).
func (s *Service) updateAccountPasswordPolicy(ctx context.Context, r *service.Request) (any, error) {
	var in passwordPolicyRec
	var raw struct {
		MinimumPasswordLength      int
		RequireSymbols             bool
		RequireNumbers             bool
		RequireUppercaseCharacters bool
		RequireLowercaseCharacters bool
		AllowUsersToChangePassword bool
		MaxPasswordAge             int
		PasswordReusePrevention    int
		HardExpiry                 bool
	}
	if err := r.Decode(&raw); err != nil {
		return nil, err
	}
	in = passwordPolicyRec(raw)
	if in.MinimumPasswordLength == 0 {
		in.MinimumPasswordLength = 8
	}
	if in.MinimumPasswordLength < 6 || in.MinimumPasswordLength > 128 {
		return nil, validationError("minimumPasswordLength", strconv.Itoa(in.MinimumPasswordLength), "Member must have value between 6 and 128")
	}
	if in.MaxPasswordAge < 0 || in.MaxPasswordAge > 1095 {
		return nil, validationError("maxPasswordAge", strconv.Itoa(in.MaxPasswordAge), "Member must have value between 1 and 1095")
	}
	if in.PasswordReusePrevention < 0 || in.PasswordReusePrevention > 24 {
		return nil, validationError("passwordReusePrevention", strconv.Itoa(in.PasswordReusePrevention), "Member must have value between 1 and 24")
	}
	if err := r.Authorize(ctx, service.Authz{Resource: "*"}); err != nil {
		return nil, err
	}
	a, err := getAccount(r.Tx, r.Caller.Account)
	if err != nil {
		return nil, err
	}
	a.PasswordPolicy = &in
	return nil, putAccount(r.Tx, r.Caller.Account, a)
}

func noPasswordPolicy(acct string) *service.Error {
	return noSuchEntity("The Password Policy with domain name %s cannot be found.", acct)
}

func (s *Service) getAccountPasswordPolicy(ctx context.Context, r *service.Request) (any, error) {
	if err := r.Authorize(ctx, service.Authz{Resource: "*"}); err != nil {
		return nil, err
	}
	a, err := getAccount(r.Tx, r.Caller.Account)
	if err != nil {
		return nil, err
	}
	p := a.PasswordPolicy
	if p == nil {
		return nil, noPasswordPolicy(r.Caller.Account)
	}
	return struct {
		PasswordPolicy passwordPolicyOut `xml:"PasswordPolicy"`
	}{passwordPolicyOut{
		MinimumPasswordLength: p.MinimumPasswordLength, RequireSymbols: p.RequireSymbols, RequireNumbers: p.RequireNumbers,
		RequireUppercaseCharacters: p.RequireUppercaseCharacters, RequireLowercaseCharacters: p.RequireLowercaseCharacters,
		AllowUsersToChangePassword: p.AllowUsersToChangePassword, ExpirePasswords: p.MaxPasswordAge > 0,
		MaxPasswordAge: p.MaxPasswordAge, PasswordReusePrevention: p.PasswordReusePrevention, HardExpiry: p.HardExpiry,
	}}, nil
}

func (s *Service) deleteAccountPasswordPolicy(ctx context.Context, r *service.Request) (any, error) {
	if err := r.Authorize(ctx, service.Authz{Resource: "*"}); err != nil {
		return nil, err
	}
	a, err := getAccount(r.Tx, r.Caller.Account)
	if err != nil {
		return nil, err
	}
	if a.PasswordPolicy == nil {
		return nil, noPasswordPolicy(r.Caller.Account)
	}
	a.PasswordPolicy = nil
	return nil, putAccount(r.Tx, r.Caller.Account, a)
}

type summaryEntry struct {
	Key   string `xml:"key"`
	Value int    `xml:"value"`
}

// getAccountSummary reports usage and quotas under AWS's SummaryMap keys
// (the SummaryKeyType enum of the API model).
func (s *Service) getAccountSummary(ctx context.Context, r *service.Request) (any, error) {
	if err := r.Authorize(ctx, service.Authz{Resource: "*"}); err != nil {
		return nil, err
	}
	acct, tx := r.Caller.Account, r.Tx
	count := func(table, prefix string) (int, error) { return tx.Count(table, prefix) }
	users, err := count(tableUser, acct+"/")
	if err != nil {
		return nil, internal("summary", err)
	}
	groups, err := count(tableGroup, acct+"/")
	if err != nil {
		return nil, internal("summary", err)
	}
	roles, err := count(tableRole, acct+"/")
	if err != nil {
		return nil, internal("summary", err)
	}
	rootKeys, err := count(tableAccessKey, acct+"/root/")
	if err != nil {
		return nil, internal("summary", err)
	}
	providers, err := count(tableOIDC, acct+"/")
	if err != nil {
		return nil, internal("summary", err)
	}
	profiles, err := count(tableInstanceProfile, acct+"/")
	if err != nil {
		return nil, internal("summary", err)
	}
	policies, versions := 0, 0
	err = scanRecs(tx, tablePolicy, acct+"/", func(_ string, p *policyRec) (bool, error) {
		policies++
		versions += len(p.Versions)
		return true, nil
	})
	if err != nil {
		return nil, internal("summary", err)
	}
	settings, err := getAccount(tx, acct)
	if err != nil {
		return nil, err
	}
	tokenVersion := max(settings.TokenVersion, 1)
	mfa, mfaInUse := 0, 0
	err = scanRecs(tx, tableMFA, acct+"/", func(_ string, m *mfaRec) (bool, error) {
		mfa++
		if m.UserID != "" {
			mfaInUse++
		}
		return true, nil
	})
	if err != nil {
		return nil, internal("summary", err)
	}
	b := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	entries := []summaryEntry{
		{"Users", users}, {"UsersQuota", quotaUsers},
		{"Groups", groups}, {"GroupsQuota", quotaGroups},
		{"ServerCertificates", 0}, {"ServerCertificatesQuota", 20},
		{"UserPolicySizeQuota", inlineQuota(kindUser)}, {"GroupPolicySizeQuota", inlineQuota(kindGroup)},
		{"GroupsPerUserQuota", groupsPerUser}, {"SigningCertificatesPerUserQuota", 2},
		{"AccessKeysPerUserQuota", accessKeysPerUser},
		{"MFADevices", mfa}, {"MFADevicesInUse", mfaInUse}, {"AccountMFAEnabled", 0},
		{"AccountAccessKeysPresent", b(rootKeys > 0)}, {"AccountPasswordPresent", 0},
		{"AccountSigningCertificatesPresent", 0},
		{"AttachedPoliciesPerGroupQuota", attachedQuota}, {"AttachedPoliciesPerRoleQuota", attachedQuota},
		{"AttachedPoliciesPerUserQuota", attachedQuota},
		{"Policies", policies}, {"PoliciesQuota", quotaPolicies}, {"PolicySizeQuota", managedPolicyQuota},
		{"PolicyVersionsInUse", versions}, {"PolicyVersionsInUseQuota", 10000}, {"VersionsPerPolicyQuota", maxVersions},
		{"GlobalEndpointTokenVersion", tokenVersion}, {"AssumeRolePolicySizeQuota", trustPolicyQuota},
		{"InstanceProfiles", profiles}, {"InstanceProfilesQuota", quotaInstanceProfiles}, {"Providers", providers},
		{"RolePolicySizeQuota", inlineQuota(kindRole)}, {"Roles", roles}, {"RolesQuota", quotaRoles},
	}
	return struct {
		SummaryMap []summaryEntry `xml:"SummaryMap>entry"`
	}{entries}, nil
}

// setSecurityTokenServicePreferences records the global endpoint token
// version (v1Token or v2Token), which GetAccountSummary reports as
// GlobalEndpointTokenVersion 1 or 2. Tokens themselves do not change.
func (s *Service) setSecurityTokenServicePreferences(ctx context.Context, r *service.Request) (any, error) {
	var in struct{ GlobalEndpointTokenVersion string }
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	v := 0
	switch in.GlobalEndpointTokenVersion {
	case "v1Token":
		v = 1
	case "v2Token":
		v = 2
	default:
		return nil, validationError("globalEndpointTokenVersion", in.GlobalEndpointTokenVersion, "Member must satisfy enum value set: [v1Token, v2Token]")
	}
	if err := r.Authorize(ctx, service.Authz{Resource: "*"}); err != nil {
		return nil, err
	}
	a, err := getAccount(r.Tx, r.Caller.Account)
	if err != nil {
		return nil, err
	}
	a.TokenVersion = v
	return nil, putAccount(r.Tx, r.Caller.Account, a)
}
