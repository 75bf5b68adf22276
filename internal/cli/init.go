package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bulkhead-dev/bulkhead/internal/blueprint"
)

type initOptions struct {
	blueprint     string
	name          string
	domain        string
	developers    string
	stages        string
	businessUnits string
	force         bool
}

// initResult is what `bulkhead init --output json` prints.
type initResult struct {
	Blueprint     string   `json:"blueprint"`
	Name          string   `json:"name"`
	Domain        string   `json:"domain"`
	Developers    []string `json:"developers"`
	Stages        []string `json:"stages"`
	BusinessUnits []string `json:"business_units,omitempty"`
	Files         []string `json:"files"`
	Next          []string `json:"next"`
}

func (a *App) newInitCmd() *cobra.Command {
	var o initOptions
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a starting bulkhead.yaml and its policies from a blueprint",
		Long: `init writes a commented layout file (bulkhead.yaml, or the -f file) and the
policy files it references (policies/*.json, next to it), following one of the
playbook's account structures:

  startup         seeds 000, 001, 003: a management account with no workloads;
                  security and shared-services accounts; production alone in
                  its unit and protected; one account per staging stage
                  (--stages, default preprod,qa); one development account
                  shared by feature-*, hotfix-* and pr-* stages; one sandbox
                  per developer.
  business-units  seed 002: for each business unit (--business-units, default
                  retail,bi) one account per delivery phase: dev, the staging
                  phases (--stages, default stage) and prod; plus management,
                  shared services, security, log archive and sandboxes.
  minimal         a management account, one production and one development
                  account.

The organization's name defaults to the first label of --domain; the domain
defaults to NAME.example. Account emails are aws@DOMAIN for the management
account and aws+ACCOUNT@DOMAIN for the others. Developer, stage and business
unit names become parts of account names: lowercase letters, digits and inner
hyphens.

init never overwrites a file unless --force is given: when any file it would
write exists, it writes none of them. The output is the same for the same
flags, so a generated layout can be regenerated and compared.`,
		Example: `  bulkhead init --domain acme.example --developers alice,bob --stages preprod,qa
  bulkhead init --blueprint business-units --domain corp.example --business-units retail,bi
  bulkhead init --blueprint minimal --name acme -C infra
  bulkhead init --force -f org/bulkhead.yaml --developers alice`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts := blueprint.Options{
				Blueprint:  o.blueprint,
				Name:       o.name,
				Domain:     o.domain,
				Developers: splitList(o.developers),
			}
			if cmd.Flags().Changed("stages") {
				opts.Stages = splitList(o.stages)
			}
			if cmd.Flags().Changed("business-units") {
				opts.BusinessUnits = splitList(o.businessUnits)
			}
			return a.runInit(opts, o.force)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.blueprint, "blueprint", blueprint.Startup, "the account structure: "+strings.Join(blueprint.Names(), ", "))
	f.StringVar(&o.name, "name", "", "the organization's `NAME` (default: the first label of --domain)")
	f.StringVar(&o.domain, "domain", "", "the `DOMAIN` of the account emails (default: NAME.example)")
	f.StringVar(&o.developers, "developers", "", "comma-separated developer `NAMES`; each gets a sandbox account")
	f.StringVar(&o.stages, "stages", "", "comma-separated staging stage `NAMES` (default: preprod,qa for startup, stage for business-units)")
	f.StringVar(&o.businessUnits, "business-units", "", "comma-separated business unit `NAMES` (business-units blueprint; default retail,bi)")
	f.BoolVar(&o.force, "force", false, "overwrite files that already exist")
	_ = cmd.RegisterFlagCompletionFunc("blueprint", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return blueprint.Names(), cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// splitList splits a comma-separated flag value; "" is the empty list, and
// empty items are kept so that the blueprint can report a stray comma.
func splitList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return []string{}
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// plannedFile is a generated file with the path shown to the user (relative
// to -C) and the path written.
type plannedFile struct {
	shown, path string
	data        []byte
}

func (a *App) runInit(opts blueprint.Options, force bool) error {
	res, err := blueprint.Generate(opts)
	if err != nil {
		var errs blueprint.Errors
		if errors.As(err, &errs) {
			for _, e := range errs {
				fmt.Fprintf(a.Err, "bulkhead init: %s\n", e)
			}
			fmt.Fprintln(a.Err, "    hint: bulkhead init --help lists the flags and their defaults")
			return &ExitError{Code: 1}
		}
		return fmt.Errorf("init: %w", err)
	}

	layoutShown := a.File
	baseShown := filepath.Dir(layoutShown)
	files := make([]plannedFile, 0, len(res.Files))
	for _, f := range res.Files {
		shown := layoutShown
		if f.Path != blueprint.LayoutFile {
			shown = filepath.Join(baseShown, filepath.FromSlash(f.Path))
		}
		files = append(files, plannedFile{shown: shown, path: a.Path(shown), data: f.Data})
	}

	// Check every file before writing any: nothing half-applied.
	var exists []string
	for _, f := range files {
		st, err := os.Stat(f.path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return fmt.Errorf("init: %w", err)
		case st.IsDir():
			return fmt.Errorf("init: %s is a directory; bulkhead init would write a file there", f.shown)
		default:
			exists = append(exists, f.shown)
		}
	}
	if len(exists) > 0 && !force {
		for _, p := range exists {
			fmt.Fprintf(a.Err, "bulkhead init: %s already exists\n", p)
		}
		fmt.Fprintln(a.Err, "    hint: nothing was written; pass --force to overwrite, or -f/-C to write elsewhere")
		return &ExitError{Code: 1}
	}
	if err := writeAll(files); err != nil {
		return fmt.Errorf("init: %w", err)
	}

	out := initResult{
		Blueprint:     res.Options.Blueprint,
		Name:          res.Options.Name,
		Domain:        res.Options.Domain,
		Developers:    nonNil(res.Options.Developers),
		Stages:        nonNil(res.Options.Stages),
		BusinessUnits: res.Options.BusinessUnits,
		Next:          a.nextCommands(),
	}
	for _, f := range files {
		out.Files = append(out.Files, filepath.ToSlash(f.shown))
	}
	return a.Render(out, func(w io.Writer) error {
		fmt.Fprintf(w, "Wrote the %s blueprint for %s:\n", out.Blueprint, out.Name)
		for _, f := range out.Files {
			fmt.Fprintf(w, "  %s\n", f)
		}
		fmt.Fprintln(w, "\nNext:")
		for _, c := range out.Next {
			fmt.Fprintf(w, "  %s\n", c)
		}
		return nil
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// nextCommands are the commands to run after init, carrying -C and -f when
// they are not the defaults.
func (a *App) nextCommands() []string {
	prefix := "bulkhead"
	if a.Dir != "" {
		prefix += " -C " + shellWord(a.Dir)
	}
	if a.File != "bulkhead.yaml" {
		prefix += " -f " + shellWord(a.File)
	}
	return []string{
		prefix + " validate",
		prefix + " lint",
		prefix + " stage list",
	}
}

// shellWord quotes s for a POSIX shell when it needs it.
func shellWord(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeAll writes every file through a temporary file in its directory and
// renames them into place only once all were written, so a failure (disk
// full, permission) leaves none of them half-written.
func writeAll(files []plannedFile) (err error) {
	temps := make([]string, 0, len(files))
	defer func() {
		if err != nil {
			for _, t := range temps {
				os.Remove(t)
			}
		}
	}()
	for _, f := range files {
		dir := filepath.Dir(f.path)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		tmp, err := os.CreateTemp(dir, ".bulkhead-init-*")
		if err != nil {
			return err
		}
		temps = append(temps, tmp.Name())
		_, werr := tmp.Write(f.data)
		cerr := tmp.Close()
		if werr != nil {
			return fmt.Errorf("write %s: %w", f.shown, werr)
		}
		if cerr != nil {
			return fmt.Errorf("write %s: %w", f.shown, cerr)
		}
		if err := os.Chmod(tmp.Name(), 0o644); err != nil {
			return err
		}
	}
	for i, f := range files {
		if err := os.Rename(temps[i], f.path); err != nil {
			return fmt.Errorf("write %s: %w", f.shown, err)
		}
	}
	return nil
}
