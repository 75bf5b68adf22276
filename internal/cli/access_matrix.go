package cli

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/bulkhead-dev/bulkhead/internal/access"
)

func (a *App) newAccessMatrixCmd() *cobra.Command {
	var by, rows, format string
	var live bool
	cmd := &cobra.Command{
		Use:   "matrix [--by account|kind] [--rows principals|groups] [--format table|csv|json]",
		Short: "Show who has none, read, write or admin access in every account",
		Long: `matrix computes, for every person and the CI principal (--rows principals) or
for membership of each group alone (--rows groups), the highest access class
held in every account (--by account) or kind of account (--by kind, the
highest over the kind's accounts): none, read, write or admin, through any
chain of role assumptions. A cell such as "read/write?" means read for sure and
write only if a condition holds (MFA, a tag...); access can names it.

Classes come from bulkhead's catalog of AWS actions: admin is any action that
changes who can do what (IAM, Organizations, resource policies, grants),
write any other change, read the rest. --live analyses the live organization
instead of the layout.

Exit status: 0, or 1 on bad input.`,
		Example: `  bulkhead access matrix
  bulkhead access matrix --by kind --rows groups
  bulkhead access matrix --format csv > access.csv
  bulkhead access matrix --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.JSON() {
				format = "json"
			}
			switch format {
			case "table", "csv", "json":
			default:
				return usageError("matrix: --format %q: want table, csv or json", format)
			}
			if by != access.ByAccount && by != access.ByKind {
				return usageError("matrix: --by %q: want account or kind", by)
			}
			if rows != access.RowsPrincipals && rows != access.RowsGroups {
				return usageError("matrix: --rows %q: want principals or groups", rows)
			}
			m, _, err := a.accessModelFor(cmd.Context(), live)
			if err != nil {
				return err
			}
			mx, err := m.Matrix(rows, by)
			if err != nil {
				return usageError("matrix: %v", err)
			}
			switch format {
			case "json":
				a.Output = OutputJSON
				return a.Render(mx, nil)
			case "csv":
				return writeMatrixCSV(a.Out, mx)
			}
			return writeMatrixTable(a.Out, mx)
		},
	}
	cmd.Flags().StringVar(&by, "by", access.ByAccount, "columns: `account` or kind")
	cmd.Flags().StringVar(&rows, "rows", access.RowsPrincipals, "rows: `principals` (people and ci) or groups")
	cmd.Flags().StringVar(&format, "format", "table", "output `format`: table, csv or json")
	a.addLiveFlag(cmd, &live)
	return cmd
}

func writeMatrixCSV(w io.Writer, mx *access.Matrix) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(append([]string{"principal"}, mx.Columns...)); err != nil {
		return err
	}
	for i, r := range mx.Rows {
		if err := cw.Write(append([]string{r}, mx.Cells[i]...)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeMatrixTable(w io.Writer, mx *access.Matrix) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(append([]string{""}, mx.Columns...), "\t"))
	for i, r := range mx.Rows {
		fmt.Fprintln(tw, strings.Join(append([]string{r}, mx.Cells[i]...), "\t"))
	}
	return tw.Flush()
}
