// Package cli is bulkhead's command tree: it turns argv into options, runs
// the command, and renders its result for people (text) or scripts (JSON).
//
// Everything a command touches outside the process (streams, environment,
// clock, working directory) reaches it through App, so commands are tested
// in-process with fakes. Commands hold no logic of their own beyond wiring:
// the work lives in the internal package named after it (layout, plan,
// emulator, ...). One file per command; root.go lists them.
package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/term"
)

// Streams are the process's standard streams.
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// OutIsTerminal reports whether Out is a terminal (colour, progress).
	OutIsTerminal bool
	// ErrIsTerminal reports whether Err is a terminal.
	ErrIsTerminal bool
}

// OSStreams returns the real standard streams.
func OSStreams() Streams {
	return Streams{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		OutIsTerminal: term.IsTerminal(int(os.Stdout.Fd())),
		ErrIsTerminal: term.IsTerminal(int(os.Stderr.Fd())),
	}
}

// Output formats accepted by --output.
const (
	OutputText = "text"
	OutputJSON = "json"
)

// App is what every command receives: the streams, the environment, the
// clock, and the global flags after parsing.
type App struct {
	Streams
	Getenv func(string) string
	Now    func() time.Time
	Logger *slog.Logger

	// Global flags.
	Output string // text | json
	Dir    string // -C: the directory the command runs as if started in
	File   string // -f: the layout file, relative to Dir unless absolute
	Debug  bool

	// Profile is --profile of the commands that reach target aws
	// (addProfileFlag in target.go).
	Profile string
}

// Path resolves p relative to the -C directory.
func (a *App) Path(p string) string {
	if p == "" || filepath.IsAbs(p) || a.Dir == "" {
		return p
	}
	return filepath.Join(a.Dir, p)
}

// LayoutPath is the layout file the command should read.
func (a *App) LayoutPath() string { return a.Path(a.File) }

// JSON reports whether the user asked for JSON output.
func (a *App) JSON() bool { return a.Output == OutputJSON }

// Color reports whether text output may use ANSI colour: only on a terminal
// and only when NO_COLOR is unset (https://no-color.org).
func (a *App) Color() bool { return a.OutIsTerminal && a.Getenv("NO_COLOR") == "" }

// Render writes v as indented JSON when --output json was given, and calls
// text otherwise.
func (a *App) Render(v any, text func(w io.Writer) error) error {
	if a.JSON() {
		enc := json.NewEncoder(a.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	return text(a.Out)
}

// ExitError ends the command with a given exit code. Message, when not
// empty, is printed to stderr; commands that have already printed their
// findings use it with an empty message to set the code alone.
type ExitError struct {
	Code    int
	Message string
}

func (e *ExitError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Message
}

// exitCode maps an error returned by a command to the process exit code and
// prints it: 0 success, 1 error, or the code an ExitError carries.
func (a *App) exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Message != "" {
			fmt.Fprintln(a.Err, "bulkhead: "+ee.Message)
		}
		return ee.Code
	}
	fmt.Fprintln(a.Err, "bulkhead: "+err.Error())
	return 1
}
