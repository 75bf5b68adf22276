package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// WriteReference writes the CLI reference (docs/cli.md) in Markdown from the
// command tree itself, so the reference cannot drift from the code: a test
// compares the committed file with this output.
func (a *App) WriteReference(w io.Writer) error {
	root := a.newRootCmd()
	root.InitDefaultCompletionCmd()
	var b strings.Builder
	b.WriteString("# CLI reference\n\n")
	b.WriteString("<!-- Generated from the command tree by `go test ./internal/cli -run TestReference -update`; do not edit by hand. -->\n\n")
	b.WriteString(root.Long + "\n\n")
	b.WriteString("## Global flags\n\nEvery command accepts these.\n\n```\n")
	b.WriteString(root.PersistentFlags().FlagUsages())
	b.WriteString("```\n\n")
	b.WriteString("## Exit codes\n\n")
	b.WriteString("| code | meaning |\n|---|---|\n")
	b.WriteString("| 0 | success (for `validate`: the file is valid; for `lint`: no error-severity finding) |\n")
	b.WriteString("| 1 | error: bad input, invalid layout, a failed operation, or an error-severity lint finding |\n")
	b.WriteString("## Commands\n\n")
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "help" {
				continue
			}
			writeCommand(&b, sub)
			walk(sub)
		}
	}
	walk(root)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeCommand(b *strings.Builder, c *cobra.Command) {
	fmt.Fprintf(b, "### %s\n\n", c.CommandPath())
	b.WriteString(c.Short + "\n\n")
	if c.Long != "" && c.Long != c.Short {
		b.WriteString(strings.TrimSpace(c.Long) + "\n\n")
	}
	if c.Runnable() {
		fmt.Fprintf(b, "```\n%s\n```\n\n", c.UseLine())
	}
	if c.Example != "" {
		fmt.Fprintf(b, "Examples:\n\n```\n%s\n```\n\n", strings.TrimRight(c.Example, "\n"))
	}
	if fl := c.NonInheritedFlags(); fl.HasAvailableFlags() {
		fmt.Fprintf(b, "Flags:\n\n```\n%s```\n\n", fl.FlagUsages())
	}
}
