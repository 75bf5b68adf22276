package authz_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	orgs "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/authz"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// BenchmarkServe measures the server side (front end, authorization,
// service, store; no client, no socket) with enforcement on and off: one
// signed request replayed against the handler, as the management
// account's root (SCP-exempt, no identity policies), as a session of an
// administrator role in the management account (identity policies), and
// as a session of appeng in a member account (identity policies and a
// two-level SCP chain with a deny statement). Run:
//
//	go test ./internal/emulator/authz -run '^$' -bench Serve -benchtime 2000x
func BenchmarkServe(b *testing.B) {
	for _, enforce := range []bool{true, false} {
		name := "enforce"
		if !enforce {
			name = "no-enforce"
		}
		b.Run(name, func(b *testing.B) { benchServe(b, enforce) })
	}
}

func benchServe(b *testing.B, enforce bool) {
	e := emulatortest.Start(b, func(o *emulator.Options) {
		o.Organizations.CreateAccountDelay = -1
		o.NoEnforce = !enforce
	})
	root := clientsFor(e.Config)
	ck := func(_ any, err error) {
		b.Helper()
		if err != nil {
			b.Fatal(err)
		}
	}
	ck(root.orgs.CreateOrganization(ctx, &orgs.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}))
	rootID := must[*orgs.ListRootsOutput](b)(root.orgs.ListRoots(ctx, &orgs.ListRootsInput{})).Roots[0].Id
	ck(root.orgs.EnablePolicyType(ctx, &orgs.EnablePolicyTypeInput{RootId: rootID, PolicyType: orgtypes.PolicyTypeServiceControlPolicy}))
	var dev string
	for _, n := range []string{"dev", "qa", "staging", "prod", "shared"} {
		st := must[*orgs.CreateAccountOutput](b)(root.orgs.CreateAccount(ctx, &orgs.CreateAccountInput{AccountName: aws.String(n), Email: aws.String(n + "@example.com")})).CreateAccountStatus
		st = must[*orgs.DescribeCreateAccountStatusOutput](b)(root.orgs.DescribeCreateAccountStatus(ctx, &orgs.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.Id})).CreateAccountStatus
		if n == "dev" {
			dev = aws.ToString(st.AccountId)
		}
	}
	p := must[*orgs.CreatePolicyOutput](b)(root.orgs.CreatePolicy(ctx, &orgs.CreatePolicyInput{Name: aws.String("no-leaving"), Description: aws.String("x"), Type: orgtypes.PolicyTypeServiceControlPolicy,
		Content: aws.String(policyDoc(`{"Effect":"Deny","Action":["organizations:LeaveOrganization","iam:CreateUser"],"Resource":"*"}`))})).Policy.PolicySummary
	ck(root.orgs.AttachPolicy(ctx, &orgs.AttachPolicyInput{PolicyId: p.Id, TargetId: rootID}))

	trust := trustManagement(e.AccountID)
	ck(root.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("admin"), AssumeRolePolicyDocument: aws.String(trust)}))
	ck(root.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("admin"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}))
	access := assume(b, e, root, roleARN(dev, "OrganizationAccountAccessRole"), "setup")
	ck(access.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("appeng"), AssumeRolePolicyDocument: aws.String(trust)}))
	ck(access.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("appeng"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))

	callers := []struct {
		name  string
		creds aws.Credentials
	}{
		{"root", must[aws.Credentials](b)(e.Config.Credentials.Retrieve(ctx))},
		{"mgmt-role", sessionCreds(b, root, roleARN(e.AccountID, "admin"))},
		{"member-role", sessionCreds(b, root, roleARN(dev, "appeng"))},
	}
	ops := []struct{ name, body string }{
		{"DescribeOrganization", "{}"},
		{"ListAccounts", `{"MaxResults":20}`},
	}
	for _, c := range callers {
		for _, op := range ops {
			if c.name == "member-role" && op.name == "ListAccounts" {
				continue // management account only
			}
			b.Run(c.name+"/"+op.name, func(b *testing.B) {
				replay(b, e, c.creds, op.name, op.body)
			})
		}
	}
}

func sessionCreds(b *testing.B, c *clients, role string) aws.Credentials {
	b.Helper()
	out := must[*sts.AssumeRoleOutput](b)(c.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("bench")}))
	return aws.Credentials{AccessKeyID: aws.ToString(out.Credentials.AccessKeyId), SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey), SessionToken: aws.ToString(out.Credentials.SessionToken)}
}

// replay signs one Organizations request and serves it b.N times.
func replay(b *testing.B, e *emulatortest.Env, creds aws.Credentials, action, body string) {
	req, _ := http.NewRequest("POST", "http://local.bulkhead/", bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128."+action)
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "organizations", "us-east-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	h := e.Emulator.Handler()
	for b.Loop() {
		r := httptest.NewRequest("POST", "/", bytes.NewReader([]byte(body)))
		r.Host = "local.bulkhead"
		r.Header = req.Header
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != 200 {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkAuthorize measures one Authorize call alone, with its facts
// cached (the steady state) and read from the store (after every write),
// for the management account's root and for a session of an
// administrator role in a member account under a two-level SCP chain.
func BenchmarkAuthorize(b *testing.B) {
	o := newOrg(b)
	o.attachSCP(b, "no-leaving", policyDoc(`{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}`), o.rootID)
	roleID := aws.ToString(must[*iam.GetRoleOutput](b)(o.access[o.dev].iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("appeng")})).Role.RoleId)
	callers := []struct {
		name string
		id   service.Identity
	}{
		{"root", service.Identity{Account: o.e.AccountID, ARN: "arn:aws:iam::" + o.e.AccountID + ":root", Type: "Root", UserID: o.e.AccountID}},
		{"member-role", service.Identity{Account: o.dev, ARN: sessionARN(o.dev, "appeng", "s"), Type: "AssumedRole", UserID: roleID + ":s", Name: "appeng",
			RoleARN: roleARN(o.dev, "appeng"), SessionName: "s", Temporary: true}},
	}
	for _, c := range callers {
		for _, cached := range []bool{true, false} {
			name := c.name + "/cached"
			if !cached {
				name = c.name + "/uncached"
			}
			b.Run(name, func(b *testing.B) {
				a := authz.New()
				err := o.e.Emulator.Read(ctx, func(tx store.Tx) error {
					r := &service.Request{Service: "iam", Action: "GetRole", Region: "us-east-1", Caller: c.id, Now: time.Now(), SourceIP: "127.0.0.1", Tx: tx}
					az := service.Authz{Action: "iam:GetRole", Resource: roleARN(c.id.Account, "appeng")}
					for b.Loop() {
						if !cached {
							a.BeginWrite()
							a.EndWrite()
						}
						if err := a.Authorize(ctx, r, az); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			})
		}
	}
}
