package org

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulkhead-dev/bulkhead/internal/layout"
)

func TestFromLayoutStartupExample(t *testing.T) {
	l, ds, err := layout.Load("../../examples/startup/bulkhead.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if ds.HasErrors() {
		t.Fatalf("example does not validate:\n%v", ds.Err())
	}
	o := FromLayout(l)
	if o.ManagementAccount == "" || o.Accounts[o.ManagementAccount] == nil {
		t.Fatalf("management account %q missing from accounts", o.ManagementAccount)
	}
	if got := o.Accounts[o.ManagementAccount].Unit; got != "" {
		t.Errorf("management account unit = %q, want the root", got)
	}
	for name, a := range o.Accounts {
		if a.Email == "" {
			t.Errorf("account %s has no email", name)
		}
		if a.Unit != "" && o.Units[a.Unit] == nil {
			t.Errorf("account %s in unknown unit %q", name, a.Unit)
		}
	}
	for _, p := range o.SortedUnitPaths() {
		if parent := ParentPath(p); parent != "" && o.Units[parent] == nil {
			t.Errorf("unit %s has no parent unit %s", p, parent)
		}
	}
	if diff := cmp.Diff([]string{SCP}, o.PolicyTypes); diff != "" {
		t.Errorf("policy types (-want +got):\n%s", diff)
	}
	for _, p := range o.Policies {
		if p.Content == "" || len(p.Targets) == 0 {
			t.Errorf("policy %s: content %d bytes, %d targets", p.Name, len(p.Content), len(p.Targets))
		}
		for _, tg := range p.Targets {
			if tg.Kind == TargetUnit && o.Units[tg.Name] == nil {
				t.Errorf("policy %s attached to unknown unit %q", p.Name, tg.Name)
			}
		}
	}
}

func TestSortedUnitPathsParentsFirst(t *testing.T) {
	o := New()
	for _, p := range []string{"B/C/D", "A", "B/C", "B"} {
		o.Units[p] = &Unit{Path: p}
	}
	if diff := cmp.Diff([]string{"A", "B", "B/C", "B/C/D"}, o.SortedUnitPaths()); diff != "" {
		t.Error(diff)
	}
}
