package cli

import (
	"fmt"
	"io"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
)

// loadLayout reads, decodes and validates the layout file selected by -C
// and -f. The error is for a file that cannot be read at all (missing,
// a directory, too large); problems in its content are diagnostics, and the
// layout is nil only when the file could not be decoded. Commands that act
// on the layout must refuse to continue when ds.HasErrors().
func (a *App) loadLayout() (*layout.Layout, diag.Diagnostics, error) {
	path := a.LayoutPath()
	if a.Logger != nil {
		a.Logger.Debug("load layout", "file", path)
	}
	l, ds, err := layout.Load(path)
	if err != nil {
		return nil, nil, err
	}
	if a.Logger != nil {
		a.Logger.Debug("layout loaded", "file", path, "problems", len(ds))
	}
	return l, ds, nil
}

// mustLoadLayout loads the layout for commands that need a valid one: it
// prints the problems to stderr and fails when there is any error.
func (a *App) mustLoadLayout() (*layout.Layout, error) {
	l, ds, err := a.loadLayout()
	if err != nil {
		return nil, err
	}
	if ds.HasErrors() || l == nil {
		writeDiagnostics(a.Err, ds)
		return nil, &ExitError{Code: 1, Message: fmt.Sprintf("%s is not valid: %s (run `bulkhead validate`)", a.LayoutPath(), countProblems(ds))}
	}
	return l, nil
}

// writeDiagnostics prints diagnostics as FILE:LINE:COL: message lines, each
// followed by its hint.
func writeDiagnostics(w io.Writer, ds diag.Diagnostics) {
	for _, d := range ds {
		fmt.Fprintln(w, d.String())
	}
}

// countProblems summarizes diagnostics: "2 errors, 1 warning".
func countProblems(ds diag.Diagnostics) string {
	var errs, warns int
	for _, d := range ds {
		switch d.Severity {
		case diag.Error:
			errs++
		case diag.Warning:
			warns++
		}
	}
	s := plural(errs, "error")
	if warns > 0 {
		s += ", " + plural(warns, "warning")
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
