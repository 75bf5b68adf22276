package access

import "fmt"

// Rows and columns of the access matrix.
const (
	RowsPrincipals = "principals" // people and the CI principal
	RowsGroups     = "groups"     // what membership of one group alone grants
	ByAccount      = "account"
	ByKind         = "kind"
)

// Matrix is the access matrix: for each row and column the highest access
// class, "none", "read", "write" or "admin", with "?" appended when a
// higher class holds only under a condition ("read/write?" reads: read for
// sure, write if a condition holds).
type Matrix struct {
	Rows    []string   `json:"rows"`
	Columns []string   `json:"columns"`
	Cells   [][]string `json:"cells"`
}

// Matrix computes the access matrix. rows is RowsPrincipals or RowsGroups;
// by is ByAccount or ByKind (a kind's cell is the highest over its
// accounts).
func (m *Model) Matrix(rows, by string) (*Matrix, error) {
	var starts []*Principal
	switch rows {
	case RowsPrincipals, "":
		starts = m.entries()
	case RowsGroups:
		for _, g := range m.sortedGroups() {
			starts = append(starts, m.members[g])
		}
	default:
		return nil, fmt.Errorf("rows %q: want principals or groups", rows)
	}
	col := map[*Account]int{}
	mx := &Matrix{Rows: []string{}, Columns: []string{}}
	switch by {
	case ByAccount, "":
		for i, a := range m.Accounts {
			col[a] = i
			mx.Columns = append(mx.Columns, a.Name)
		}
	case ByKind:
		idx := map[string]int{}
		for _, a := range m.Accounts {
			k := string(a.Kind)
			if _, ok := idx[k]; !ok {
				idx[k] = len(mx.Columns)
				mx.Columns = append(mx.Columns, k)
			}
			col[a] = idx[k]
		}
	default:
		return nil, fmt.Errorf("by %q: want account or kind", by)
	}
	for _, p := range starts {
		mx.Rows = append(mx.Rows, p.ID())
		cells := make([]Level, len(mx.Columns))
		r := m.reachFrom(p, nil)
		for _, qi := range r.order {
			q := m.Principals[qi]
			if q.Account == nil {
				continue
			}
			lv := m.level(q)
			if len(r.conds[qi]) > 0 { // reached only under a condition
				lv = Level{Conditional: max(lv.Definite, lv.Conditional)}
			}
			c := &cells[col[q.Account]]
			c.Definite = max(c.Definite, lv.Definite)
			c.Conditional = max(c.Conditional, lv.Conditional)
		}
		row := make([]string, len(cells))
		for i, c := range cells {
			row[i] = c.Definite.String()
			if c.Conditional > c.Definite {
				row[i] += "/" + c.Conditional.String() + "?"
			}
		}
		mx.Cells = append(mx.Cells, row)
	}
	return mx, nil
}
