package authz_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/google/go-cmp/cmp"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/authz"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// Principals the local AWS issues no credentials for (a member account's
// root user) and identities it never issues (a session whose session
// policy is not a policy) are decided by calling the Authorizer directly:
// SCPs apply to a member account's root, which needs no identity policy;
// the management account's root is not restricted; a policy the engine
// cannot read denies.
func TestDirect(t *testing.T) {
	o := newOrg(t)
	o.attachSCP(t, "no-iam-writes", policyDoc(`{"Effect":"Deny","Action":["iam:Create*","iam:Delete*"],"Resource":"*"}`), o.rootID)
	rootOf := func(acct string) service.Identity {
		return service.Identity{Account: acct, ARN: "arn:aws:iam::" + acct + ":root", Type: "Root", UserID: acct}
	}
	roleID := aws.ToString(must[*iam.GetRoleOutput](t)(o.access[o.dev].iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("appeng")})).Role.RoleId)
	broken := service.Identity{Account: o.dev, ARN: sessionARN(o.dev, "appeng", "s"), Type: "AssumedRole", UserID: roleID + ":s", Name: "appeng",
		RoleARN: roleARN(o.dev, "appeng"), SessionName: "s", SessionPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Acton":"*","Resource":"*"}]}`, Temporary: true}
	a := authz.New()
	tests := []struct {
		name   string
		caller service.Identity
		action string
		want   string // "" allowed, else the message (a prefix when it ends in "...")
	}{
		{"member root reads", rootOf(o.dev), "iam:GetRole", ""},
		{"member root writes", rootOf(o.dev), "iam:CreateRole",
			"AccessDenied: User: arn:aws:iam::" + o.dev + ":root is not authorized to perform: iam:CreateRole on resource: " + roleARN(o.dev, "x") + " with an explicit deny in a service control policy"},
		{"management root writes", rootOf(o.e.AccountID), "iam:CreateRole", ""},
		{"unreadable session policy", broken, "iam:GetRole",
			"AccessDenied: User: " + broken.ARN + " is not authorized to perform: iam:GetRole on resource: " + roleARN(o.dev, "x") + " because the local AWS cannot evaluate session policy of " + broken.ARN + ": ..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			err := o.e.Emulator.Read(ctx, func(tx store.Tx) error {
				r := &service.Request{Service: "iam", Action: tt.action[4:], Region: "us-east-1", Caller: tt.caller, Now: time.Now(), Tx: tx}
				err := a.Authorize(ctx, r, service.Authz{Action: tt.action, Resource: roleARN(tt.caller.Account, "x")})
				var se *service.Error
				if errors.As(err, &se) {
					got = se.Code + ": " + se.Message
					return nil
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if p, ok := strings.CutSuffix(tt.want, "..."); ok && strings.HasPrefix(got, p) {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decision (-want +got):\n%s", diff)
			}
		})
	}
}

// NoEnforce allows every authenticated request, as bulkhead local serve
// --no-enforce does.
func TestNoEnforce(t *testing.T) {
	for _, noEnforce := range []bool{false, true} {
		e := emulatortest.Start(t, func(o *emulator.Options) { o.NoEnforce = noEnforce })
		root := clientsFor(e.Config)
		must[*iam.CreateUserOutput](t)(root.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))
		k := must[*iam.CreateAccessKeyOutput](t)(root.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})).AccessKey
		bob := clientsFor(e.ConfigFor(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), ""))
		_, err := bob.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("mallory")})
		if (err == nil) != noEnforce {
			t.Errorf("NoEnforce %v: CreateUser by a user without policies: %v", noEnforce, err)
		}
	}
}
