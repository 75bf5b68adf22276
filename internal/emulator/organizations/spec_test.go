package organizations_test

import (
	"reflect"
	"testing"

	orgs "github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/organizations"
)

// TestEveryOperation: the service serves every operation of the SDK's
// Organizations client (found by reflection: methods taking a
// *<Operation>Input), and nothing else.
func TestEveryOperation(t *testing.T) {
	spec := organizations.New(organizations.Config{}).Spec()
	if spec.Name != "organizations" || spec.TargetPrefix != "AWSOrganizationsV20161128" || spec.Protocol != "json" {
		t.Errorf("spec = %s %s %s", spec.Name, spec.TargetPrefix, spec.Protocol)
	}
	ct := reflect.TypeOf(&orgs.Client{})
	sdk := map[string]bool{}
	for i := 0; i < ct.NumMethod(); i++ {
		m := ct.Method(i)
		if m.Type.NumIn() < 3 {
			continue
		}
		in := m.Type.In(2)
		if in.Kind() == reflect.Pointer && in.Elem().Name() == m.Name+"Input" {
			sdk[m.Name] = true
		}
	}
	if len(sdk) < 60 {
		t.Fatalf("found only %d SDK operations", len(sdk))
	}
	for op := range sdk {
		if _, ok := spec.Operations[op]; !ok {
			t.Errorf("operation %s is not served", op)
		}
	}
	for op, o := range spec.Operations {
		if !sdk[op] {
			t.Errorf("operation %s is not in the SDK", op)
		}
		if o.Handler == nil {
			t.Errorf("operation %s has no handler", op)
		}
	}
}
