package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
)

func (a *App) newLocalEnvCmd(stateDir func() string) *cobra.Command {
	var format, endpoint string
	cmd := &cobra.Command{
		Use:   "env",
		Short: "Print the environment that points AWS clients at the local AWS",
		Long: `env prints AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
AWS_REGION (and AWS_DEFAULT_REGION, which botocore and older tools read) for
the local AWS's management account root, so that the AWS CLI, the SDKs and
Terraform use the local AWS: eval "$(bulkhead local env)".

This is the one bulkhead command that prints a secret, because that is what it
is for: the keys are valid only against this local AWS state.

The endpoint is the running server's (bulkhead local serve) when there is one,
else --endpoint (default http://127.0.0.1:4566). --format chooses the syntax:
sh (export lines, the default), fish, dotenv (KEY=value lines) or json
(also with --output json). The state is created if it does not exist yet.`,
		Example: `  eval "$(bulkhead local env)"
  bulkhead local env --format fish | source
  bulkhead local env --format dotenv > .env.local
  bulkhead local env --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.JSON() {
				format = "json"
			}
			switch format {
			case "sh", "fish", "dotenv", "json":
			default:
				return fmt.Errorf("local env: --format %q: want sh, fish, dotenv or json", format)
			}
			dir := stateDir()
			e, err := a.openLocal(cmd.Context(), dir, emulator.Options{Services: noServices()})
			if err != nil {
				return err
			}
			defer e.Close()
			if si, running := readServer(cmd.Context(), dir, e); running && !cmd.Flag("endpoint").Changed {
				endpoint = si.Endpoint
			}
			id, secret := e.RootCredentials()
			vars := map[string]string{
				"AWS_ENDPOINT_URL":      endpoint,
				"AWS_ACCESS_KEY_ID":     id,
				"AWS_SECRET_ACCESS_KEY": secret,
				"AWS_REGION":            e.Region(),
				"AWS_DEFAULT_REGION":    e.Region(),
			}
			return writeEnv(a.Out, format, vars)
		},
	}
	cmd.Flags().StringVar(&format, "format", "sh", "output syntax: sh, fish, dotenv or json")
	cmd.Flags().StringVar(&endpoint, "endpoint", "http://"+defaultLocalAddr, "the endpoint `URL` when no server is running")
	_ = cmd.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"sh", "fish", "dotenv", "json"}, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// envOrder is the order variables are printed in.
var envOrder = [...]string{"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION"}

func writeEnv(w io.Writer, format string, vars map[string]string) error {
	if format == "json" {
		keys := make([]string, 0, len(vars))
		for k := range vars {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		b.WriteString("{\n")
		for i, k := range keys {
			fmt.Fprintf(&b, "  %q: %q", k, vars[k])
			if i < len(keys)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString("}\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	for _, k := range envOrder {
		v := vars[k]
		var err error
		switch format {
		case "sh":
			_, err = fmt.Fprintf(w, "export %s=%s\n", k, localQuote(v))
		case "fish":
			_, err = fmt.Fprintf(w, "set -gx %s %s;\n", k, localQuote(v))
		case "dotenv":
			_, err = fmt.Fprintf(w, "%s=%s\n", k, v)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// localQuote quotes s for POSIX shells and fish when it holds anything
// beyond a safe set of characters.
func localQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
