package plan_test

import (
	"fmt"

	"github.com/bulkhead-dev/bulkhead/internal/org"
)

// bigDesired is a desired organization of accounts member accounts spread
// round-robin over units OUs (a tenth of them top-level, the rest nested one
// level under those), and policies SCPs, policy i attached to unit i.
func bigDesired(accounts, units, policies int) *org.Org {
	o := org.New()
	o.ManagementAccount = "management"
	o.PolicyTypes = []string{org.SCP}
	o.Accounts["management"] = &org.Account{Name: "management", Email: "aws@big.example", Kind: "management", Status: org.Active}
	top := max(1, units/10)
	var paths []string
	for i := 0; i < units; i++ {
		p := fmt.Sprintf("Top%02d", i)
		if i >= top {
			p = fmt.Sprintf("Top%02d/Unit%03d", i%top, i)
		}
		o.Units[p] = &org.Unit{Path: p}
		paths = append(paths, p)
	}
	for i := 0; i < accounts; i++ {
		name := fmt.Sprintf("acct-%04d", i)
		unit := ""
		if len(paths) > 0 {
			unit = paths[i%len(paths)]
		}
		o.Accounts[name] = &org.Account{
			Name: name, Email: fmt.Sprintf("aws+%s@big.example", name), Unit: unit, Kind: "development", Status: org.Active,
			Tags: map[string]string{"team": fmt.Sprintf("team-%d", i%7)},
		}
	}
	for i := 0; i < policies; i++ {
		name := fmt.Sprintf("guard-%02d", i)
		p := &org.Policy{
			Name: name, Type: org.SCP,
			Content: fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"G%d","Effect":"Deny","Action":"ec2:DeleteVpc%d","Resource":"*"}]}`, i, i),
		}
		if len(paths) > 0 {
			p.Targets = []org.Target{{Kind: org.TargetUnit, Name: paths[i%len(paths)]}}
		}
		o.Policies[name] = p
	}
	return o
}
