package workbench

import (
	"context"
	"io"
	"path/filepath"

	"github.com/acmepay/platform/internal/adopt"
	"github.com/acmepay/platform/internal/cost"
	"github.com/acmepay/platform/internal/drift"
	"github.com/acmepay/platform/internal/plan"
)

// DriftDir is where drift:env writes each environment's report, and
// drift:report and drift:adopt write what they make of them.
const DriftDir = "drift"

// DriftNight merges every report in root's drift/ into one (drift:report):
// it writes drift/report.json and drift/report.md and prints the markdown.
func DriftNight(o Options) error {
	dir := filepath.Join(o.Root, DriftDir)
	reports, err := adopt.ReadReports(dir)
	if err != nil {
		return err
	}
	night, err := adopt.Merge(reports)
	if err != nil {
		return err
	}
	if night.Failed, err = adopt.ReadFailures(dir); err != nil {
		return err
	}
	night.Markdown(o.Out)
	return night.Write(dir)
}

// Adopt turns the hand changes of the named environments' reports
// (drift:adopt; "all" is every report in drift/, and an environment without
// one gets a fresh drift check) into setting overrides, re-planning each
// touched environment once. It writes drift/adopt.json and drift/adopt.md
// (the pull request's body) and changes files only.
func Adopt(ctx context.Context, envs string, o Options) error {
	dir := filepath.Join(o.Root, DriftDir)
	reports, err := adopt.LoadReports(dir, envs, func(env string) (drift.Report, error) {
		return DriftReport(ctx, env, o)
	})
	if err != nil {
		return err
	}
	res, err := adopt.Run(ctx, adopt.Options{
		Root: o.Root, Reports: reports, Dirty: adopt.GitDirty(o.Root), Out: o.Out,
		Plan: func(ctx context.Context, root, env string) (cost.Report, error) {
			r, err := plan.Run(ctx, plan.Options{Root: root, Env: env, Out: io.Discard})
			return r.Cost, err
		},
	})
	if err != nil {
		return err
	}
	res.WriteText(o.Out)
	return res.Write(dir)
}
