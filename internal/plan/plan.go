// Package plan is the offline plan of an environment: the four layer
// programs run through the real Pulumi engine against the in-memory AWS
// stand-in (no credentials, no CLI), the resources each layer would create are
// printed per layer, and the environment's manifest is written, marked as
// planned.
package plan

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/acmepay/platform/internal/cost"
	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/internal/offline"
	"github.com/acmepay/platform/internal/parity"
	"github.com/acmepay/platform/internal/policy"
	"github.com/acmepay/platform/internal/proppath"
	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/profile"
)

// ManifestDir is where planned manifests are written, relative to the root.
const ManifestDir = manifest.PlannedDir

// Options configure a plan.
type Options struct {
	Root string
	Env  string
	Out  io.Writer
	// ManifestDir overrides where the manifest is written (default
	// <Root>/manifests/planned); "-" writes none.
	ManifestDir string
	// CostDir overrides where the cost report is written (default
	// <Root>/costs); "-" writes none.
	CostDir string
}

// Result is a finished plan.
type Result struct {
	Manifest     manifest.Manifest
	ManifestPath string
	Cost         cost.Report
}

// Run plans one environment.
func Run(ctx context.Context, o Options) (Result, error) {
	env, err := profile.ParseEnvironment(o.Env)
	if err != nil {
		return Result{}, err
	}
	if profile.IsReview(env) {
		if err := profile.EnsureReviewStackFiles(o.Root, env, time.Now()); err != nil {
			return Result{}, err
		}
	}
	tb := &offline.CommandTB{}
	e, err := offline.New(tb, o.Root, env)
	if err != nil {
		return Result{}, err
	}
	// An environment the cost report cannot price is refused before
	// anything is planned or written.
	prices, usage, err := cost.Load(o.Root)
	if err != nil {
		return Result{}, err
	}
	if err := prices.CheckRegion(e.Profile.Region); err != nil {
		return Result{}, fmt.Errorf("plan %s: %w", env, err)
	}
	fmt.Fprintf(o.Out, "offline plan of %s (account %s, %s, suffix %s): real Pulumi engine, in-memory AWS stand-in, no credentials\n",
		env, e.Profile.AccountID, e.Profile.Region, e.Profile.Suffix)
	// The plan runs as the pipeline's deployer, on an account holding its
	// bootstrap: a layer change the deployer may not make fails here, not
	// half-way through a deployment.
	if err := tb.Recover(func() error { return e.AsDeployer(ctx) }); err != nil {
		return Result{}, fmt.Errorf("plan %s: the account's bootstrap: %w", env, err)
	}
	for _, l := range contract.Graph() {
		fmt.Fprintf(o.Out, "  %-14s planning...", l.Name)
		start := time.Now()
		var res offline.Result
		err := tb.Recover(func() error {
			var err error
			res, err = e.Run(ctx, offline.OpUpdate, l.Name)
			return err
		})
		if err != nil {
			fmt.Fprintln(o.Out, " failed")
			return Result{}, fmt.Errorf("plan %s: layer %s: %w", env, l.Name, err)
		}
		fmt.Fprintf(o.Out, " %d to create (%s)\n", res.Changes()["create"], time.Since(start).Round(time.Millisecond))
	}
	if err := e.CheckDestroyable(); err != nil {
		return Result{}, err
	}
	m, err := e.Manifest(ctx)
	if err != nil {
		return Result{}, err
	}
	report, err := policy.Check(o.Root, m)
	if err != nil {
		return Result{}, err
	}
	m.Policy = &report
	writeTables(o.Out, m)
	fmt.Fprintln(o.Out)
	m.Policy.WriteText(o.Out, string(env))

	out := Result{Manifest: m}
	dir := o.ManifestDir
	if dir == "" {
		dir = filepath.Join(o.Root, ManifestDir)
	}
	if dir != "-" {
		body, err := m.JSON()
		if err != nil {
			return out, err
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return out, err
		}
		out.ManifestPath = filepath.Join(dir, string(env)+".json")
		if err := os.WriteFile(out.ManifestPath, body, 0o644); err != nil {
			return out, err
		}
		fmt.Fprintf(o.Out, "\nmanifest (planned): %s\n", out.ManifestPath)
	}
	assumed, from, err := usage.For(e.Profile)
	if err != nil {
		return out, err
	}
	if out.Cost, err = cost.Estimate(m, prices, assumed); err != nil {
		return out, err
	}
	out.Cost.AssumptionsFrom = from
	if o.CostDir != "-" {
		dir := o.CostDir
		if dir == "" {
			dir = filepath.Join(o.Root, cost.Dir)
		}
		body, err := out.Cost.JSON()
		if err != nil {
			return out, err
		}
		if err := os.WriteFile(filepath.Join(dir, string(env)+".json"), body, 0o644); err != nil {
			return out, err
		}
	}
	fmt.Fprintf(o.Out, "monthly cost: %.2f USD fixed, %.2f USD with usage (go run mage.go cost:env %s for the table)\n", out.Cost.Fixed, out.Cost.Total, env)
	if err := m.Policy.Violations(); err != nil {
		return out, fmt.Errorf("plan %s: %w", env, err)
	}
	if err := out.Cost.CheckBudget(m.Settings.Cost.MonthlyBudgetUSD); err != nil {
		return out, fmt.Errorf("plan %s: %w", env, err)
	}
	return out, nil
}

func writeTables(w io.Writer, m manifest.Manifest) {
	for _, l := range m.Layers {
		fmt.Fprintf(w, "\n%s\n", l.Name)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  TYPE\tNAME\tKEY SETTINGS")
		rows := append([]manifest.Resource(nil), l.Resources...)
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].Type < rows[j].Type })
		for _, r := range rows {
			if !strings.HasPrefix(r.Type, "aws:") {
				continue // components, providers and stack references
			}
			name := r.PhysicalName
			if name == "" {
				name = r.LogicalName
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", shortType(r.Type), name, settings(r))
		}
		tw.Flush()
	}
}

// settings shows the configuration paths of a type's entry (Summary).
func settings(r manifest.Resource) string {
	var parts []string
	t, _ := awstype.Of(r.Type)
	for _, path := range t.Summary {
		cur := proppath.Get(r.Config, path)
		if cur == nil {
			continue
		}
		if list, ok := cur.([]any); ok && len(list) == 1 {
			cur = list[0]
		}
		parts = append(parts, fmt.Sprintf("%s=%v", path, cur))
	}
	return strings.Join(parts, " ")
}

// shortType turns awstype.Vpc into "ec2:Vpc".
func shortType(t string) string {
	parts := strings.Split(strings.TrimPrefix(t, "aws:"), ":")
	mod := strings.SplitN(parts[0], "/", 2)[0]
	return mod + ":" + parts[len(parts)-1]
}

// Parity plans every environment and compares their resource graphs.
func Parity(ctx context.Context, root string) (parity.Report, error) {
	var ms []manifest.Manifest
	for _, env := range profile.Environments() {
		res, err := Run(ctx, Options{Root: root, Env: string(env), Out: io.Discard, ManifestDir: "-", CostDir: "-"})
		if err != nil {
			return parity.Report{}, err
		}
		ms = append(ms, res.Manifest)
	}
	return parity.Compare(ms), nil
}
