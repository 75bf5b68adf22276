package plan_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
	"github.com/bulkhead-dev/bulkhead/internal/org"
	"github.com/bulkhead-dev/bulkhead/internal/plan"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// Converge is the whole of `bulkhead apply` as a Go call: here it lays the
// startup example out in a fresh local AWS, then a second call finds
// nothing to do.
func ExampleConverge() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "bulkhead-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	l, ds, err := layout.Load("../../examples/startup/bulkhead.yaml")
	if err != nil || ds.HasErrors() {
		fmt.Println("layout:", err, ds.Err())
		return
	}
	cfg, closer, err := emulator.LocalConfig(ctx, filepath.Join(dir, "local"), func(o *emulator.Options) {
		o.Organizations.CreateAccountDelay = -1 // accounts appear at once
		o.Organizations.MaxAccounts = 20
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer closer.Close()
	p := provider.New(cfg, provider.Options{})
	opts := plan.ConvergeOptions{StateDir: filepath.Join(dir, plan.StateDirName)}

	out, err := plan.Converge(ctx, p, org.FromLayout(l), opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Plan.ClosingLine())
	fmt.Printf("%d ok, %d failed, %d skipped\n", out.Report.OK, out.Report.Failed, out.Report.Skipped)

	out, err = plan.Converge(ctx, p, org.FromLayout(l), opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Plan.ClosingLine())
	// Output:
	// Plan: 19 to create, 0 to update, 0 to move, 0 to destroy.
	// 20 ok, 0 failed, 0 skipped
	// No changes. The organization matches the layout.
}
