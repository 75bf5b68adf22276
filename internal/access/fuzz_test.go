package access

import "testing"

// FuzzCan: any command-line input gives an answer or an error, never a
// panic, and the same answer twice.
func FuzzCan(f *testing.F) {
	_, m := load(f, variants)
	for _, s := range [][3]string{
		{"user:alice", "write", "account:dev"}, {"group:engineers", "s3:Put*", "kind:production"},
		{"role:hop@prod", "admin", "unit:Workloads"}, {"ci", "iam:CreateRole", "*"}, {"role:", "x:", "unit:/"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, principal, access, target string) {
		a, err := ParseAccess(access)
		if err != nil {
			return
		}
		tg, err := ParseTarget(target)
		if err != nil {
			return
		}
		first, err1 := m.Can(principal, a, tg)
		second, err2 := m.Can(principal, a, tg)
		if (err1 == nil) != (err2 == nil) || (first != nil && second != nil && summary(first) != summary(second)) {
			t.Fatalf("different answers: %v %v / %v %v", first, err1, second, err2)
		}
	})
}
