package layout

import (
	"testing"
)

func TestLoadValid(t *testing.T) {
	l, ds, err := Load("testdata/valid/bulkhead.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		t.Errorf("unexpected: %s", d)
	}
	if l == nil {
		t.Fatal("nil layout")
	}
	t.Logf("%d accounts, %d units", len(l.Accounts), len(l.Units))
	for _, a := range l.Accounts {
		t.Logf("%s %s %s %v", a.Name.Value, a.EffectiveEmail, a.Unit.Value, a.Name.Pos)
	}
}
