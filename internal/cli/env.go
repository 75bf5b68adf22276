package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bulkhead-dev/bulkhead/internal/stages"
)

func (a *App) newEnvCmd() *cobra.Command {
	var o stageOptions
	var format string
	cmd := &cobra.Command{
		Use:   "env --stage STAGE [--format sh|fish|powershell|json|dotenv]",
		Short: "Print a stage's short-lived credentials as environment variables",
		Long: `env does what exec does up to running the command (resolve the stage, check its
guard, assume its role, use the cache) and prints the variables exec would set
instead, for a shell to load: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION, AWS_REGION, AWS_DEFAULT_REGION,
AWS_ENDPOINT_URL (local AWS only), and BULKHEAD_STAGE, BULKHEAD_ACCOUNT,
BULKHEAD_ACCOUNT_ID and BULKHEAD_ROLE, which a shell prompt can show so the
account is always obvious.

--format chooses the syntax: sh (bash, zsh: eval "$(bulkhead env ...)"), fish,
powershell, dotenv, or json (also with --output json). The output holds
secrets: load it, do not store it. The session expires (an hour by default);
exec is the safer habit.`,
		Example: `  eval "$(bulkhead env --stage feature-login)"
  bulkhead env --stage feature-login --format fish | source
  bulkhead env --stage qa --format powershell | Invoke-Expression
  bulkhead env --stage feature-login --format dotenv > .env.aws`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.stage == "" {
				return errors.New("env: --stage is required")
			}
			if a.JSON() {
				format = "json"
			}
			if !validEnvFormat(format) {
				return fmt.Errorf("env: --format %q: want one of %s", format, strings.Join(stages.EnvFormats, ", "))
			}
			run, err := a.openStage(cmd.Context(), "env", os.Args, o, a.stdinPrompter())
			if err != nil {
				return err
			}
			defer run.Close()
			out, err := stages.FormatEnv(format, run.session.Vars(run.region, run.endpoint))
			if err != nil {
				return err
			}
			_, err = io.WriteString(a.Out, out)
			return err
		},
	}
	addStageFlags(cmd, &o)
	cmd.Flags().StringVar(&format, "format", "sh", "output syntax: "+strings.Join(stages.EnvFormats, ", "))
	_ = cmd.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return stages.EnvFormats, cobra.ShellCompDirectiveNoFileComp
	})
	a.addProfileFlag(cmd)
	return cmd
}

func validEnvFormat(f string) bool {
	for _, x := range stages.EnvFormats {
		if x == f {
			return true
		}
	}
	return false
}
