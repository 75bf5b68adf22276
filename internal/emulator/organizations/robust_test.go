package organizations_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/organizations"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// TestOperationsRejectBadInput calls every handler directly (no SDK
// client-side validation in the way) with empty, null-filled and
// wrongly-typed-but-decodable inputs, inside and outside an organization:
// each must answer with an AWS error or a result, never panic or fail
// with a non-AWS error.
func TestOperationsRejectBadInput(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	spec := organizations.New(organizations.Config{CreateAccountDelay: -1}).Spec()
	caller := service.Identity{Account: "123456789012", ARN: "arn:aws:iam::123456789012:root", Type: "Root", UserID: "123456789012"}
	call := func(op, body string) error {
		var out error
		err := db.Write(ctx, func(tx store.Tx) error {
			r := &service.Request{
				Service: "organizations", Action: op, Caller: caller, Now: time.Unix(1_800_000_000, 0).UTC(), Tx: tx,
				DecodeFunc: func(v any) error {
					if err := json.Unmarshal([]byte(body), v); err != nil {
						return service.BadRequest("SerializationException", "%v", err)
					}
					return nil
				},
			}
			_, out = spec.Operations[op].Handler(ctx, r)
			return out
		})
		if out == nil {
			return err
		}
		return out
	}
	bodies := []string{`{}`, `{"AccountId":"","ParentId":"","PolicyId":"","TargetId":"","Name":"","MaxResults":0,"NextToken":""}`,
		`{"AccountId":"x","ParentId":"x","PolicyId":"x","TargetId":"x","ResourceId":"x","HandshakeId":"x","Id":"x","CreateAccountRequestId":"x","OrganizationalUnitId":"x","ChildId":"x","RootId":"x"}`}
	check := func(phase string, skip ...string) {
		for op := range spec.Operations {
			if slices.Contains(skip, op) {
				continue
			}
			for _, body := range bodies {
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Errorf("%s %s %s: panic %v", phase, op, body, p)
						}
					}()
					err := call(op, body)
					var se *service.Error
					if err != nil && !errors.As(err, &se) {
						t.Errorf("%s %s %s: non-AWS error %v", phase, op, body, err)
					}
				}()
			}
		}
	}
	check("outside", "CreateOrganization")
	if err := call("CreateOrganization", `{}`); err != nil {
		t.Fatal(err)
	}
	check("inside", "DeleteOrganization")
	if err := call("DeleteOrganization", `{}`); err != nil {
		t.Errorf("DeleteOrganization after the pass: %v", err)
	}
}
