package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/bulkhead-dev/bulkhead/internal/access"
	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
)

// TestAccessLive applies the startup blueprint to the local AWS (apply makes
// the users, groups and roles the layout describes, with access's
// documents), and checks that
// `access ... --live` reads them back through the SDK and gives the
// layout's answers; then gives appeng administrator in prod and checks that
// verify --live reports the chain that breaks the invariant.
func TestAccessLive(t *testing.T) {
	if testing.Short() {
		t.Skip("applies a blueprint to the local AWS")
	}
	ctx := context.Background()
	dir := t.TempDir()
	liveCopyTree(t, "../../examples/startup", dir)
	state := filepath.Join(dir, "state")
	env := map[string]string{"BULKHEAD_LOCAL_STATE": state}
	run := func(args ...string) (string, string, int) {
		var out, errw lockedBuffer
		code := testApp(&out, &errw, env).Run(ctx, append([]string{"-C", dir}, args...))
		return out.String(), errw.String(), code
	}
	if out, errOut, code := run("apply", "--auto-approve"); code != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errOut)
	}
	// apply made the people, groups and roles (issue 6) with access's
	// documents; --live reads them back.

	out, errOut, code := run("access", "verify", "--live")
	if code != 0 || !strings.Contains(out, "2 of 2 invariants hold") {
		t.Fatalf("verify --live: exit %d\n%s\n%s", code, out, errOut)
	}
	out, _, _ = run("access", "can", "user:alice", "write", "account:dev", "--live")
	if !strings.Contains(out, "yes, through user:alice -> role:appeng@dev") {
		t.Errorf("can alice write dev --live:\n%s", out)
	}
	out, _, _ = run("access", "can", "user:alice", "write", "account:prod", "--live")
	if !strings.HasPrefix(out, "user:alice write account:prod: no\n") {
		t.Errorf("can alice write prod --live:\n%s", out)
	}

	// Drift: someone gives appeng administrator in prod.
	liveWithAWS(t, ctx, state, func(cfg aws.Config, ids map[string]string) {
		c := iam.NewFromConfig(liveMemberConfig(cfg, ids["prod"]))
		if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("appeng"),
			PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}); err != nil {
			t.Fatal(err)
		}
	})
	out, _, code = run("access", "verify", "--live")
	if code != 1 || !strings.Contains(out, "FAIL  group:engineers cannot write kind:production") ||
		!strings.Contains(out, "user:alice -> role:appeng@prod") {
		t.Errorf("verify --live after drift: exit %d\n%s", code, out)
	}
	// The layout itself still holds: verify without --live does not look.
	if out, _, code := run("access", "verify"); code != 0 {
		t.Errorf("verify: exit %d\n%s", code, out)
	}
}

// liveWithAWS opens the local AWS state through the SDK for f, with the
// accounts' ids by name.
func liveWithAWS(t *testing.T, ctx context.Context, state string, f func(aws.Config, map[string]string)) {
	t.Helper()
	cfg, closer, err := emulator.LocalConfig(ctx, state)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	ids := map[string]string{}
	pg := organizations.NewListAccountsPaginator(organizations.NewFromConfig(cfg), &organizations.ListAccountsInput{})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.Accounts {
			ids[aws.ToString(a.Name)] = aws.ToString(a.Id)
		}
	}
	f(cfg, ids)
}

func liveMemberConfig(cfg aws.Config, id string) aws.Config {
	c := cfg.Copy()
	c.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg),
		"arn:aws:iam::"+id+":role/"+layout.DefaultAccessRole))
	return c
}

// liveCreatePeople creates the users and groups, with access.GroupDocument.
func liveCreatePeople(t *testing.T, ctx context.Context, cfg aws.Config, l *layout.Layout) {
	t.Helper()
	c := iam.NewFromConfig(cfg)
	for _, p := range l.People {
		if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(p.Name.Value)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, g := range l.Groups {
		name := aws.String(g.Name.Value)
		if _, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: name}); err != nil {
			t.Fatal(err)
		}
		if doc := access.GroupDocument(l, g.Name.Value); doc != nil {
			if _, err := c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: name, PolicyName: aws.String("assume-roles"),
				PolicyDocument: aws.String(string(doc))}); err != nil {
				t.Fatal(err)
			}
		}
		for _, m := range g.Members {
			if _, err := c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: name, UserName: aws.String(m.Value)}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// liveCreateRole creates role r in account a when a's kind has a policy for it.
func liveCreateRole(t *testing.T, ctx context.Context, c *iam.Client, l *layout.Layout, r *layout.Role, a *layout.Account, ids map[string]string) {
	t.Helper()
	for _, rp := range r.Policies {
		if rp.Kind.Value != a.Kind.Value {
			continue
		}
		mgmt := ids[l.Organization.Management.Account.Value]
		trust := access.TrustDocument(r, ids[a.Name.Value], mgmt, l.CI, func(n string) string { return ids[n] })
		name := aws.String(r.Name.Value)
		if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: name, AssumeRolePolicyDocument: aws.String(string(trust))}); err != nil {
			t.Fatal(err)
		}
		var err error
		if rp.Ref.IsFile {
			_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: name, PolicyName: aws.String(filepath.Base(rp.Ref.Value)),
				PolicyDocument: aws.String(rp.Ref.Document.Content)})
		} else {
			_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: name,
				PolicyArn: aws.String("arn:aws:iam::aws:policy/" + rp.Ref.Value)})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func liveCopyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.Walk(from, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if info.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
