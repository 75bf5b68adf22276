package plan_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
	"github.com/bulkhead-dev/bulkhead/internal/org"
	"github.com/bulkhead-dev/bulkhead/internal/plan"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// iamFixture is the startup example applied to a fresh local AWS, with the
// CI principal an IAM role in shared-services instead of GitHub's OIDC:
// the local AWS does not serve AssumeRoleWithWebIdentity yet, so the
// pipeline is stood in for by that role.
type iamFixture struct {
	t        *testing.T
	env      *emulatortest.Env
	p        *provider.Client
	l        *layout.Layout
	stateDir string
}

func startIAM(t *testing.T) *iamFixture {
	t.Helper()
	dir := t.TempDir()
	src := "../../examples/startup"
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "bulkhead.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	y := strings.Replace(string(b), "ci:\n  github:\n    repository: acme/app\n    branches: [main]\n", "ci:\n  role:\n    account: shared-services\n    name: ci\n", 1)
	if y == string(b) {
		t.Fatal("the example's ci section changed; update the test")
	}
	if err := os.WriteFile(filepath.Join(dir, "bulkhead.yaml"), []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	env := emulatortest.Start(t, func(o *emulator.Options) {
		o.Organizations.CreateAccountDelay = -1
		o.Organizations.MaxAccounts = 30
	})
	f := &iamFixture{t: t, env: env, p: provider.New(env.Config, provider.Options{}), stateDir: filepath.Join(dir, plan.StateDirName)}
	f.l = f.load(filepath.Join(dir, "bulkhead.yaml"))
	return f
}

func (f *iamFixture) load(path string) *layout.Layout {
	l, ds, err := layout.Load(path)
	if err != nil || ds.HasErrors() {
		f.t.Fatalf("layout: %v %v", err, ds.Err())
	}
	return l
}

func (f *iamFixture) step(l *layout.Layout, allowDestroy bool) *plan.IAMStep {
	return &plan.IAMStep{Provider: f.p, Layout: l, StateDir: f.stateDir, AllowDestroy: allowDestroy}
}

// apply converges the layout, IAM included, and fails the test unless
// every operation succeeded.
func (f *iamFixture) apply(l *layout.Layout, allowDestroy bool) *plan.Outcome {
	f.t.Helper()
	s := f.step(l, allowDestroy)
	out, err := plan.Converge(context.Background(), f.p, org.FromLayout(l), plan.ConvergeOptions{
		StateDir: f.stateDir, Diff: plan.Options{AllowDestroy: allowDestroy}, Extend: s.Extend})
	if err != nil {
		f.t.Fatalf("apply: %v", err)
	}
	if !out.Report.Succeeded() {
		for _, r := range out.Report.Results {
			if r.Status != plan.StatusOK {
				f.t.Errorf("%s: %s %s", r.ID, r.Status, r.Error)
			}
		}
		f.t.FailNow()
	}
	if err := s.Applied(out.Report); err != nil {
		f.t.Fatal(err)
	}
	return out
}

func (f *iamFixture) plan(l *layout.Layout, allowDestroy bool) *plan.Plan {
	f.t.Helper()
	ctx := context.Background()
	pl, live, err := plan.MakePlan(ctx, f.p, org.FromLayout(l), f.stateDir, plan.Options{AllowDestroy: allowDestroy})
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.step(l, allowDestroy).Extend(ctx, pl, live); err != nil {
		f.t.Fatal(err)
	}
	return pl
}

func (f *iamFixture) accountID(name string) string {
	o, err := f.p.Read(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return o.Accounts[name].ID
}

// assume returns the config of a role session, assumed with cfg.
func (f *iamFixture) assume(cfg aws.Config, accountID, role string) (aws.Config, error) {
	out, err := sts.NewFromConfig(cfg).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + accountID + ":role/" + role), RoleSessionName: aws.String("test")})
	if err != nil {
		return aws.Config{}, err
	}
	c := out.Credentials
	return f.env.ConfigFor(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken), nil
}

func (f *iamFixture) mustAssume(cfg aws.Config, accountID, role string) aws.Config {
	f.t.Helper()
	c, err := f.assume(cfg, accountID, role)
	if err != nil {
		f.t.Fatalf("assume %s in %s: %v", role, accountID, err)
	}
	return c
}

func accessDenied(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && strings.Contains(ae.ErrorCode(), "AccessDenied")
}

func createRole(cfg aws.Config, name string) error {
	_, err := iam.NewFromConfig(cfg).CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String(name),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	return err
}

// TestIAMEndToEnd applies the startup example to the local AWS and checks,
// with alice's own credentials, that appeng is administrator in
// development and read-only in production, that only the CI principal
// deploys production, that a second plan has nothing to do, that drift is
// shown and reverted, and that a person leaves only with --allow-destroy.
func TestIAMEndToEnd(t *testing.T) {
	f := startIAM(t)
	ctx := context.Background()
	mgmt := f.env.Config
	// The CI principal's role in shared-services, made by the test: the
	// layout names it as existing. It may assume deployer anywhere.
	shared := f.organizationOnly()
	sharedAdmin := f.mustAssume(mgmt, shared, "OrganizationAccountAccessRole")
	ci := iam.NewFromConfig(sharedAdmin)
	if _, err := ci.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ci"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + shared + `:root"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ci.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("ci"), PolicyName: aws.String("deploy"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/deployer"}]}`)}); err != nil {
		t.Fatal(err)
	}
	f.apply(f.l, false)

	dev, prod := f.accountID("dev"), f.accountID("prod")
	mgmtIAM := iam.NewFromConfig(mgmt)
	key, err := mgmtIAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatalf("alice's user: %v", err)
	}
	alice := f.env.ConfigFor(*key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey, "")

	t.Run("appeng is administrator in development", func(t *testing.T) {
		if err := createRole(f.mustAssume(alice, dev, "appeng"), "made-by-alice"); err != nil {
			t.Fatalf("CreateRole in dev as appeng: %v", err)
		}
	})
	t.Run("appeng reads production and cannot write it", func(t *testing.T) {
		c := f.mustAssume(alice, prod, "appeng")
		if _, err := iam.NewFromConfig(c).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("appeng")}); err != nil {
			t.Fatalf("GetRole in prod as appeng: %v", err)
		}
		if err := createRole(c, "made-by-alice"); !accessDenied(err) {
			t.Fatalf("CreateRole in prod as appeng: got %v, want AccessDenied", err)
		}
	})
	t.Run("only the CI principal deploys production", func(t *testing.T) {
		if _, err := f.assume(alice, prod, "deployer"); !accessDenied(err) {
			t.Fatalf("alice assuming deployer: got %v, want AccessDenied", err)
		}
		pipeline := f.mustAssume(f.mustAssume(sharedAdmin, shared, "ci"), prod, "deployer")
		if err := createRole(pipeline, "made-by-ci"); err != nil {
			t.Fatalf("CreateRole in prod as deployer: %v", err)
		}
	})
	t.Run("a second plan has nothing to do", func(t *testing.T) {
		if pl := f.plan(f.l, false); pl.Changes() {
			t.Fatalf("second plan: %s", render(t, pl))
		}
	})
	t.Run("one AssumeRole per member account per run", func(t *testing.T) {
		p := provider.New(f.env.Config, provider.Options{})
		pl, live, err := plan.MakePlan(ctx, p, org.FromLayout(f.l), f.stateDir, plan.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s := &plan.IAMStep{Provider: p, Layout: f.l, StateDir: f.stateDir}
		if err := s.Extend(ctx, pl, live); err != nil {
			t.Fatal(err)
		}
		// Reading again in the same run reuses the sessions.
		if err := s.Extend(ctx, pl, live); err != nil {
			t.Fatal(err)
		}
		if got, want := p.Calls().Calls["sts:AssumeRole"], len(live.Accounts)-1; got != want {
			t.Fatalf("%d AssumeRole calls, want %d (one per member account)", got, want)
		}
	})
	t.Run("drift is shown and reverted", func(t *testing.T) {
		prodAdmin := iam.NewFromConfig(f.mustAssume(mgmt, prod, "OrganizationAccountAccessRole"))
		if _, err := prodAdmin.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("appeng"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}); err != nil {
			t.Fatal(err)
		}
		if _, err := mgmtIAM.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("engineers"), PolicyName: aws.String(plan.AssumePolicyName)}); err != nil {
			t.Fatal(err)
		}
		pl := f.plan(f.l, false)
		text := render(t, pl)
		for _, want := range []string{
			"detach arn:aws:iam::aws:policy/AdministratorAccess from role appeng in prod  (drift: attached outside bulkhead)",
			"put policy bulkhead-assume-roles on group engineers in management  (drift:",
			"Plan: 1 to create, 0 to update, 0 to move, 1 to destroy.",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("plan lacks %q:\n%s", want, text)
			}
		}
		f.apply(f.l, false)
		if pl := f.plan(f.l, false); pl.Changes() {
			t.Fatalf("after reverting drift: %s", render(t, pl))
		}
		if err := createRole(f.mustAssume(alice, prod, "appeng"), "made-by-alice-2"); !accessDenied(err) {
			t.Fatalf("CreateRole in prod after the revert: got %v, want AccessDenied", err)
		}
	})
	t.Run("password policy and alias in every account", func(t *testing.T) {
		l := *f.l
		l.Organization.PasswordPolicy = &layout.PasswordPolicy{MinimumLength: layout.Field[int]{Value: 14}, RequireSymbols: layout.Field[bool]{Value: true}, ReusePrevention: layout.Field[int]{Value: 24}}
		l.Accounts = append([]*layout.Account(nil), f.l.Accounts...)
		for i, a := range l.Accounts {
			if a.Name.Value == "dev" {
				cp := *a
				cp.Alias = layout.Field[string]{Value: "acme-dev"}
				l.Accounts[i] = &cp
			}
		}
		pl := f.plan(&l, false)
		text := render(t, pl)
		for _, want := range []string{"~ set the password policy in prod  (not in AWS yet)", "+ set the alias of dev to acme-dev  (not in AWS yet)"} {
			if !strings.Contains(text, want) {
				t.Errorf("plan lacks %q:\n%s", want, text)
			}
		}
		f.apply(&l, false)
		if pl := f.plan(&l, false); pl.Changes() {
			t.Fatalf("after apply: %s", render(t, pl))
		}
		devIAM := iam.NewFromConfig(f.mustAssume(mgmt, dev, "OrganizationAccountAccessRole"))
		pp, err := devIAM.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
		if err != nil || aws.ToInt32(pp.PasswordPolicy.MinimumPasswordLength) != 14 || !pp.PasswordPolicy.RequireSymbols {
			t.Fatalf("dev's password policy: %+v, %v", pp, err)
		}
		al, err := devIAM.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
		if err != nil || len(al.AccountAliases) != 1 || al.AccountAliases[0] != "acme-dev" {
			t.Fatalf("dev's aliases: %+v, %v", al, err)
		}
		f.l = &l
	})
	t.Run("a person leaves only with --allow-destroy", func(t *testing.T) {
		l := withoutPerson(f.l, "bob")
		pl := f.plan(l, false)
		if !containsString(pl.Withheld, "delete user bob in management (no longer in the layout) (needs --allow-destroy)") {
			t.Fatalf("withheld: %q", pl.Withheld)
		}
		for _, op := range pl.Ops {
			if op.Destructive {
				t.Errorf("destructive operation without --allow-destroy: %s", op.ID)
			}
		}
		f.apply(l, true)
		if _, err := mgmtIAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")}); err == nil {
			t.Fatal("bob's user is still there after apply --allow-destroy")
		}
	})
}

// organizationOnly applies the organization without IAM (as before issue
// 6) and returns shared-services' id: the CI role must exist before a trust
// policy can name it (IAM refuses a principal that does not exist).
func (f *iamFixture) organizationOnly() string {
	if _, err := plan.Converge(context.Background(), f.p, org.FromLayout(f.l), plan.ConvergeOptions{StateDir: f.stateDir}); err != nil {
		f.t.Fatal(err)
	}
	return f.accountID("shared-services")
}

func withoutPerson(l *layout.Layout, name string) *layout.Layout {
	cp := *l
	cp.People = nil
	for _, p := range l.People {
		if p.Name.Value != name {
			cp.People = append(cp.People, p)
		}
	}
	cp.Groups = nil
	for _, g := range l.Groups {
		ng := *g
		ng.Members = nil
		for _, m := range g.Members {
			if m.Value != name {
				ng.Members = append(ng.Members, m)
			}
		}
		cp.Groups = append(cp.Groups, &ng)
	}
	return &cp
}

func render(t *testing.T, pl *plan.Plan) string {
	var b strings.Builder
	if err := pl.Text(&b, plan.RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func containsString(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
