package cli

import (
	"encoding/json"
	"errors"
	"os"

	"github.com/spf13/cobra"

	"github.com/bulkhead-dev/bulkhead/internal/stages"
)

func (a *App) newCredentialProcessCmd() *cobra.Command {
	var o stageOptions
	cmd := &cobra.Command{
		Use:   "credential-process (--stage STAGE | --account ACCOUNT --role ROLE)",
		Short: "Print a stage's credentials for an AWS profile's credential_process",
		Long: `credential-process prints a stage's short-lived credentials as the JSON the AWS
CLI and SDKs read from a profile's credential_process (Version 1, with
Expiration in RFC 3339), so every tool that reads ~/.aws/config (the AWS CLI,
the SDKs, Terraform, CDK, the Serverless Framework, SST) works through
bulkhead. bulkhead profiles --write writes such profiles for every account and
role.

--account with --role reaches an account by name rather than by stage, with the
strictest guard of the rules routing to it in that role. The confirm guard asks
on the terminal (/dev/tty), since the AWS CLI captures this command's output.
With a warm cache it makes no network call.`,
		Example: `  bulkhead credential-process --stage feature-login
  bulkhead credential-process --account prod --role appeng

  # ~/.aws/config
  [profile acme-qa-appeng]
  credential_process = /usr/local/bin/bulkhead -C /src/infra credential-process --stage qa`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case o.stage == "" && o.account == "":
				return errors.New("credential-process: --stage or --account is required")
			case o.stage != "" && o.account != "":
				return errors.New("credential-process: give --stage or --account, not both")
			case o.account != "" && o.role == "":
				return errors.New("credential-process: --account needs --role")
			}
			prompt := a.stdinPrompter()
			if tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0); err == nil {
				defer tty.Close()
				prompt = &stages.Prompter{In: tty, Out: tty, Terminal: true}
			}
			run, err := a.openStage(cmd.Context(), "credential-process", os.Args, o, prompt)
			if err != nil {
				return err
			}
			defer run.Close()
			enc := json.NewEncoder(a.Out)
			enc.SetIndent("", "  ")
			return enc.Encode(run.session.CredentialProcess())
		},
	}
	addStageFlags(cmd, &o)
	cmd.Flags().StringVar(&o.account, "account", "", "reach `ACCOUNT` by name instead of by stage (with --role)")
	a.addProfileFlag(cmd)
	return cmd
}
