package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/bulkhead-dev/bulkhead/internal/layout"
	"github.com/bulkhead-dev/bulkhead/internal/stages"
)

// profilesResult is what `bulkhead profiles --output json` prints.
type profilesResult struct {
	File     string           `json:"file"`
	Written  bool             `json:"written"`
	Profiles []stages.Profile `json:"profiles"`
}

func (a *App) newProfilesCmd() *cobra.Command {
	var write bool
	var file string
	cmd := &cobra.Command{
		Use:   "profiles [--write]",
		Short: "Write an AWS profile per account and role that gets credentials from bulkhead",
		Long: `profiles prints, or with --write writes, one AWS shared-config profile per
account and role the layout's stages reach, named <org>-<stage-or-account>-<role>
(acme-prod-deployer, acme-dev-appeng), each getting its credentials from
bulkhead credential-process. Any tool that reads ~/.aws/config then works in a
stage's account with --profile or AWS_PROFILE, through the same guards, cache
and audit log as exec.

A profile is named after the stage when exactly one stage name routes to the
account in that role (prod, qa, sandbox-alice), and after the account
otherwise (dev, which feature-*, hotfix-* and pr-* share). The
credential_process line holds the absolute paths of this bulkhead executable
and of the layout's directory, so the profiles work from any directory;
--profile adds the profile that holds your base credentials to it.

The profiles go in a block marked "# BEGIN bulkhead <org>" ... "# END bulkhead
<org>" in $AWS_CONFIG_FILE, else ~/.aws/config (or --config). --write replaces
only that block, keeps everything else byte for byte, keeps the file's mode,
and writes through a temporary file renamed into place. It refuses when a
profile of the same name exists outside the block.`,
		Example: `  bulkhead profiles
  bulkhead profiles --write
  aws --profile acme-dev-appeng sts get-caller-identity`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := a.mustLoadLayout()
			if err != nil {
				return err
			}
			path := a.awsConfigFile(file)
			if path == "" {
				return fmt.Errorf("profiles: no AWS config file: set AWS_CONFIG_FILE or HOME, or pass --config")
			}
			exe, err := os.Executable()
			if err != nil {
				return fmt.Errorf("profiles: the path of this bulkhead: %w", err)
			}
			dir, err := filepath.Abs(filepath.Dir(a.LayoutPath()))
			if err != nil {
				return err
			}
			c := stages.ProfileCommand{Executable: exe, Dir: dir, File: filepath.Base(a.LayoutPath()), Region: stageRegion(func(string) string { return "" }, l.Organization.Region.Value), BaseProfile: a.Profile}
			if t := l.Organization.Target.Value; t == layout.TargetLocal || t == "" {
				localDir, _ := filepath.Abs(a.localStateDir())
				c.Endpoint = a.localEndpoint(localDir)
			}
			org := l.Organization.Name.Value
			ps := stages.Profiles(l)
			block := stages.RenderProfiles(org, ps, c)
			res := profilesResult{File: path, Written: write, Profiles: ps}
			if res.Profiles == nil {
				res.Profiles = []stages.Profile{}
			}
			if write {
				if err := stages.WriteProfiles(path, org, block); err != nil {
					return fmt.Errorf("profiles: %w", err)
				}
			}
			return a.Render(res, func(w io.Writer) error {
				if !write {
					_, err := io.WriteString(w, block)
					return err
				}
				_, err := fmt.Fprintf(w, "Wrote %d profiles to %s (block \"bulkhead %s\").\nTry: aws --profile %s sts get-caller-identity\n", len(ps), path, org, firstProfile(ps))
				return err
			})
		},
	}
	cmd.Flags().StringVar(&a.Profile, "profile", "", "the shared-config `PROFILE` with your base credentials, passed to credential-process (default: the standard chain)")
	cmd.Flags().BoolVar(&write, "write", false, "write the block into the AWS config file (default: print it)")
	cmd.Flags().StringVar(&file, "config", "", "the AWS config `FILE` (default $AWS_CONFIG_FILE or ~/.aws/config)")
	return cmd
}

func firstProfile(ps []stages.Profile) string {
	if len(ps) == 0 {
		return "NAME"
	}
	return ps[0].Name
}

// awsConfigFile is the shared config file the AWS CLI reads.
func (a *App) awsConfigFile(flag string) string {
	if flag != "" {
		return a.Path(flag)
	}
	if f := a.Getenv("AWS_CONFIG_FILE"); f != "" {
		return f
	}
	if h := a.Getenv("HOME"); h != "" {
		return filepath.Join(h, ".aws", "config")
	}
	return ""
}
