package workbench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/acmepay/platform/internal/cost"
	"github.com/acmepay/platform/internal/envreport"
	"github.com/acmepay/platform/internal/plan"
	"github.com/acmepay/platform/internal/policy"
	"github.com/acmepay/platform/pkg/profile"
)

// apply writes environments.yaml's accounts, region and suffix into every
// layer's stack files, then regenerates the docs, planned manifests and
// costs.
func apply(ctx context.Context, o Options) error {
	// The bootstrap's documents and break-glass principals first: nothing
	// is written for an environments file AWS or the guardrails would refuse.
	if err := bootstrapDocumentsValid(); err != nil {
		return fmt.Errorf("pkg/profile/environments.yaml: refused, nothing written:\n%w", err)
	}
	if err := pricedRegions(o.Root); err != nil {
		return fmt.Errorf("pkg/profile/environments.yaml: refused, nothing written:\n%w", err)
	}
	if err := envreport.Apply(o.Root, profile.Planned); err != nil {
		return err
	}
	fmt.Fprintln(o.Out, "stack files: accounts, region and suffix from pkg/profile/environments.yaml")
	var envs []profile.Profile
	for _, env := range profile.Environments() {
		p, err := profile.Planned(env)
		if err != nil {
			return err
		}
		envs = append(envs, p)
	}
	if err := envreport.WriteWorkflows(o.Root, envs); err != nil {
		return err
	}
	fmt.Fprintln(o.Out, "workflows: the environments' jobs, matrices and choices")
	for _, env := range profile.Environments() {
		if _, err := plan.Run(ctx, plan.Options{Root: o.Root, Env: string(env), Out: io.Discard}); err != nil {
			return err
		}
		fmt.Fprintf(o.Out, "planned: manifests/planned/%s.json, costs/%s.json\n", env, env)
	}
	// The pages show the plans' costs: written after them.
	return Docs(o.Root)
}

// pricedRegions refuses an environment whose region the price table does
// not hold, naming each.
func pricedRegions(root string) error {
	prices, _, err := cost.Load(root)
	if err != nil {
		return err
	}
	var errs []error
	for _, env := range profile.Environments() {
		p, err := profile.Planned(env)
		if err != nil {
			return err
		}
		if err := prices.CheckRegion(p.Region); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", env, err))
		}
	}
	return errors.Join(errs...)
}

// Docs regenerates docs/environments.md and docs/compliance.md.
func Docs(root string) error {
	if err := EnvironmentsPage(root); err != nil {
		return err
	}
	return CompliancePage(root)
}

// EnvironmentsPage regenerates docs/environments.md from the profiles and
// stack files.
func EnvironmentsPage(root string) error {
	md, err := envreport.Markdown(root)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(root, envreport.DocPath), md, 0o644)
}

// CompliancePage regenerates docs/compliance.md from the rules and
// compliance/waivers.yaml.
func CompliancePage(root string) error {
	waivers, err := policy.LoadWaivers(filepath.Join(root, policy.WaiversFile))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(root, policy.DocPath), policy.Markdown(waivers), 0o644)
}
