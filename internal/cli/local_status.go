package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/spf13/cobra"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
)

// localStatus is what `bulkhead local status --output json` prints.
type localStatus struct {
	StateDir            string       `json:"state_dir"`
	Exists              bool         `json:"exists"`
	ManagementAccountID string       `json:"management_account_id,omitempty"`
	Region              string       `json:"region,omitempty"`
	Server              *localServer `json:"server,omitempty"`
	Organization        *localOrg    `json:"organization,omitempty"`
}

type localServer struct {
	Endpoint string `json:"endpoint"`
	PID      int    `json:"pid"`
}

type localOrg struct {
	ID       string         `json:"id"`
	Accounts int            `json:"accounts"`
	OUs      int            `json:"ous"`
	Policies map[string]int `json:"policies"`
}

func (a *App) newLocalStatusCmd(stateDir func() string) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show the local AWS's state: management account, organization, server",
		Long: `status shows where the local AWS's state is, its management account, whether
a server (bulkhead local serve) is listening on it, and the organization's
size: accounts, organizational units and policies by type. It reads the
state through the AWS API, as any client would, and never creates it.`,
		Example: `  bulkhead local status
  bulkhead local status --state /tmp/aws-state -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			st := localStatus{StateDir: stateDir()}
			if hasState(st.StateDir) {
				e, err := a.openLocal(ctx, st.StateDir, emulator.Options{})
				if err != nil {
					return err
				}
				defer e.Close()
				st.Exists, st.ManagementAccountID, st.Region = true, e.ManagementAccountID(), e.Region()
				if si, ok := readServer(ctx, st.StateDir, e); ok {
					st.Server = &localServer{Endpoint: si.Endpoint, PID: si.PID}
				}
				id, secret := e.RootCredentials()
				if st.Organization, err = orgSummary(ctx, organizations.NewFromConfig(e.Config(id, secret, ""))); err != nil {
					return fmt.Errorf("local status: %w", err)
				}
			}
			return a.Render(st, func(w io.Writer) error { return writeLocalStatus(w, st, a.localHint(cmd)) })
		},
	}
}

func writeLocalStatus(w io.Writer, st localStatus, hint string) error {
	if !st.Exists {
		_, err := fmt.Fprintf(w, "No local AWS state in %s yet; it is created on first use (%s serve).\n", st.StateDir, hint)
		return err
	}
	fmt.Fprintf(w, "State:              %s\n", st.StateDir)
	fmt.Fprintf(w, "Management account: %s\n", st.ManagementAccountID)
	fmt.Fprintf(w, "Region:             %s\n", st.Region)
	if st.Server != nil {
		fmt.Fprintf(w, "Server:             listening on %s (pid %d)\n", st.Server.Endpoint, st.Server.PID)
	} else {
		fmt.Fprintf(w, "Server:             not running (%s serve)\n", hint)
	}
	if st.Organization == nil {
		_, err := fmt.Fprintln(w, "Organization:       none (aws organizations create-organization --feature-set ALL)")
		return err
	}
	o := st.Organization
	fmt.Fprintf(w, "Organization:       %s\n", o.ID)
	fmt.Fprintf(w, "  accounts:         %d\n", o.Accounts)
	fmt.Fprintf(w, "  OUs:              %d\n", o.OUs)
	for _, t := range policyTypes {
		if n, ok := o.Policies[t]; ok {
			fmt.Fprintf(w, "  %-17s %d\n", t+":", n)
		}
	}
	return nil
}

// policyTypes are the Organizations policy types status counts.
var policyTypes = [...]string{"SERVICE_CONTROL_POLICY", "TAG_POLICY", "BACKUP_POLICY", "AISERVICES_OPT_OUT_POLICY"}

// orgSummary counts the organization's accounts, OUs and policies through
// the API; nil when there is no organization.
func orgSummary(ctx context.Context, c *organizations.Client) (*localOrg, error) {
	d, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		var nu *orgtypes.AWSOrganizationsNotInUseException
		if errors.As(err, &nu) {
			return nil, nil
		}
		return nil, err
	}
	o := &localOrg{ID: aws.ToString(d.Organization.Id), Policies: map[string]int{}}
	for p := organizations.NewListAccountsPaginator(c, &organizations.ListAccountsInput{}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		o.Accounts += len(page.Accounts)
	}
	roots, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		return nil, err
	}
	var parents []string
	for _, r := range roots.Roots {
		parents = append(parents, aws.ToString(r.Id))
	}
	for len(parents) > 0 {
		parent := parents[0]
		parents = parents[1:]
		for p := organizations.NewListOrganizationalUnitsForParentPaginator(c, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent)}); p.HasMorePages(); {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, ou := range page.OrganizationalUnits {
				o.OUs++
				parents = append(parents, aws.ToString(ou.Id))
			}
		}
	}
	for _, t := range policyTypes {
		n := 0
		p := organizations.NewListPoliciesPaginator(c, &organizations.ListPoliciesInput{Filter: orgtypes.PolicyType(t)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				n = -1
				break
			}
			n += len(page.Policies)
		}
		if n > 0 || (n == 0 && t == "SERVICE_CONTROL_POLICY") {
			o.Policies[t] = n
		}
	}
	return o, nil
}
