package stages

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
)

// liveSrc is the layout of the end-to-end tests: the startup blueprint's
// stages with the CI principal as a role in the shared-services account.
const liveSrc = `version: 1
organization:
  name: acme
  management: {account: management, email: aws@acme.example}
  email: "aws+{account}@acme.example"
units: [Workloads/Production, Workloads/Staging, Workloads/Development, Infrastructure]
accounts:
  management: {kind: management}
  shared-services: {unit: Infrastructure, kind: shared}
  prod: {unit: Workloads/Production, kind: production}
  qa: {unit: Workloads/Staging, kind: staging}
  dev: {unit: Workloads/Development, kind: development}
developers: [alice, bob]
groups: {engineers: [alice, bob]}
stages:
  - {match: prod, account: prod, role: deployer, guard: ci}
  - {match: qa, account: qa, role: appeng, guard: confirm}
  - {match: ["feature-*", "pr-*"], account: dev, role: appeng}
ci:
  role: {account: shared-services, name: ci-deployer}
roles:
  appeng: {trust: [group:engineers], policies: {development: AdministratorAccess, staging: ReadOnlyAccess, production: ReadOnlyAccess}}
  deployer: {trust: [ci], policies: {production: AdministratorAccess}}
`

// live is a local AWS with the layout applied and its people and roles
// made as issue 6 will make them (internal/access's documents: a group
// trust admits the identity account's users, the group's policy says
// which).
type live struct {
	env    *emulatortest.Env
	layout *layout.Layout
	ids    map[string]string // account name → id
	alice  aws.Credentials   // an engineer's access key
	ciRole aws.Credentials   // a session of the CI role
	state  string            // the user's state directory
}

// sourceIdentity decides whether the trust and group policies allow
// sts:SetSourceIdentity (internal/access's documents do not yet).
func startLive(t testing.TB, sourceIdentity bool) *live {
	t.Helper()
	ctx := context.Background()
	env := emulatortest.Start(t, func(o *emulator.Options) { o.Organizations.CreateAccountDelay = -1 })
	lv := &live{env: env, layout: load(t, liveSrc), ids: map[string]string{}, state: t.TempDir()}
	org := organizations.NewFromConfig(env.Config)
	must(t, func() error {
		_, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
		return err
	}())
	lv.ids["management"] = env.AccountID
	for _, name := range []string{"shared-services", "prod", "qa", "dev"} {
		out, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String("aws+" + name + "@acme.example")})
		must(t, err)
		st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
		must(t, err)
		if st.CreateAccountStatus.AccountId == nil {
			t.Fatalf("account %s not created: %+v", name, st.CreateAccountStatus)
		}
		lv.ids[name] = *st.CreateAccountStatus.AccountId
	}
	actions := `"sts:AssumeRole"`
	if sourceIdentity {
		actions = `["sts:AssumeRole","sts:SetSourceIdentity"]`
	}
	mgmt := env.AccountID
	rootIAM := iam.NewFromConfig(env.Config)

	_, err := rootIAM.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("engineers")})
	must(t, err)
	_, err = rootIAM.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("engineers"), PolicyName: aws.String("assume-roles"),
		PolicyDocument: aws.String(fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"AssumeTheGroupsRoles","Effect":"Allow","Action":%s,"Resource":["arn:aws:iam::*:role/appeng"]},`+
			`{"Sid":"ReadAccountIds","Effect":"Allow","Action":["organizations:DescribeOrganization","organizations:ListAccounts"],"Resource":"*"}]}`, actions))})
	must(t, err)
	lv.alice = lv.user(t, rootIAM, "alice", "engineers")
	bot := lv.user(t, rootIAM, "ci-bot", "")
	_, err = rootIAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("ci-bot"), PolicyName: aws.String("ci"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/ci-deployer"}]}`)})
	must(t, err)
	// The CI role first: a trust policy can only name a role that exists.
	shared := lv.admin(t, "shared-services")
	lv.createRole(t, shared, "ci-deployer", fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:user/ci-bot"},"Action":"sts:AssumeRole"}]}`, mgmt))
	_, err = shared.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("ci-deployer"), PolicyName: aws.String("deploy"),
		PolicyDocument: aws.String(fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":%s,"Resource":"arn:aws:iam::*:role/deployer"}]}`, actions))})
	must(t, err)

	groupTrust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"Groupengineers","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":%s,"Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::%s:user/*"}}}]}`, mgmt, actions, mgmt)
	ciTrust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"CI","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:role/ci-deployer"},"Action":%s}]}`, lv.ids["shared-services"], actions)
	for _, a := range []string{"prod", "qa", "dev"} {
		c := lv.admin(t, a)
		lv.createRole(t, c, "appeng", groupTrust)
		if a == "prod" {
			lv.createRole(t, c, "deployer", ciTrust)
		}
	}

	out, err := sts.NewFromConfig(env.ConfigFor(bot.AccessKeyID, bot.SecretAccessKey, "")).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(RoleARN(lv.ids["shared-services"], "ci-deployer")), RoleSessionName: aws.String("gha-run-42")})
	must(t, err)
	lv.ciRole = aws.Credentials{AccessKeyID: *out.Credentials.AccessKeyId, SecretAccessKey: *out.Credentials.SecretAccessKey, SessionToken: *out.Credentials.SessionToken}
	env.Emulator.ResetStats()
	return lv
}

// admin returns an IAM client in account name, as its organization access
// role.
func (lv *live) admin(t testing.TB, name string) *iam.Client {
	t.Helper()
	out, err := sts.NewFromConfig(lv.env.Config).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String(RoleARN(lv.ids[name], "OrganizationAccountAccessRole")), RoleSessionName: aws.String("setup")})
	must(t, err)
	c := out.Credentials
	return iam.NewFromConfig(lv.env.ConfigFor(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken))
}

func (lv *live) createRole(t testing.TB, c *iam.Client, name, trust string) {
	t.Helper()
	_, err := c.CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	must(t, err)
}

func (lv *live) user(t testing.TB, c *iam.Client, name, group string) aws.Credentials {
	t.Helper()
	ctx := context.Background()
	_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
	must(t, err)
	if group != "" {
		_, err = c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String(name), GroupName: aws.String(group)})
		must(t, err)
	}
	k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	must(t, err)
	return aws.Credentials{AccessKeyID: *k.AccessKey.AccessKeyId, SecretAccessKey: *k.AccessKey.SecretAccessKey}
}

// request is a Request for stage with creds as the base credentials; the
// base config is built only when the session is not cached, and counted.
func (lv *live) request(t testing.TB, stage string, creds aws.Credentials, env map[string]string, loads *int) Request {
	getenv := func(k string) string { return env[k] }
	return Request{
		Layout: lv.layout, Stage: stage, Command: "exec", Args: []string{"aws", "sts", "get-caller-identity"},
		Getenv: getenv, Now: lv.env.Clock.Now,
		Source: Source{Key: "key:" + creds.AccessKeyID, Config: func(context.Context) (aws.Config, error) {
			if loads != nil {
				*loads++
			}
			return lv.env.ConfigFor(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken), nil
		}},
		Cache:    &Cache{Store: &FileStore{Dir: filepath.Join(lv.state, "cache")}, LockDir: filepath.Join(lv.state, "locks"), Now: lv.env.Clock.Now},
		Accounts: &AccountIDs{Path: filepath.Join(lv.state, "accounts.json"), Now: lv.env.Clock.Now},
		Audit:    &AuditLog{Path: filepath.Join(lv.state, "audit.log")},
		Prompt:   &Prompter{},
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
