package deploy

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/acmepay/platform/internal/drift"
	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/internal/policy"
	"github.com/acmepay/platform/pkg/profile"
)

// Inspector reads deployed stacks without changing them.
type Inspector interface {
	// RefreshEvents runs a preview-only refresh (state is never written) and
	// returns its engine events.
	RefreshEvents(ctx context.Context, layer Layer, env profile.Environment, out io.Writer) ([]apitype.EngineEvent, error)
	// State returns the resources recorded in the layer's state.
	State(ctx context.Context, layer Layer, env profile.Environment) ([]apitype.ResourceV3, error)
	// LastUpdate returns the layer's last update from the backend's history,
	// or nil if it was never updated.
	LastUpdate(ctx context.Context, layer Layer, env profile.Environment) (*manifest.Deployment, error)
}

// Drift refreshes every layer of an environment without writing state and
// reports what differs from the last deployment.
func (d *Deployer) Drift(ctx context.Context, envName string, in Inspector) (drift.Report, error) {
	env, err := profile.ParseEnvironment(envName)
	if err != nil {
		return drift.Report{}, err
	}
	p, err := d.preflight(ctx, env)
	if err != nil {
		return drift.Report{}, err
	}
	release, err := d.guard(ctx, env, "drift", false)
	if err != nil {
		return drift.Report{}, err
	}
	defer release()
	report := drift.Report{Environment: string(env), Account: p.AccountID}
	for _, l := range d.Graph {
		w := &prefixWriter{prefix: "[" + l.Name + "] ", out: &syncWriter{w: d.Out}}
		evs, err := in.RefreshEvents(ctx, l, env, w)
		w.Flush()
		if err != nil {
			return report, fmt.Errorf("drift %s: refreshing layer %s: %w", env, l.Name, err)
		}
		report.Add(l.Name, evs)
	}
	return report, nil
}

// Manifest builds the deployed manifest of an environment from its stacks'
// state.
func (d *Deployer) Manifest(ctx context.Context, envName string, in Inspector, prov manifest.Provenance) (manifest.Manifest, error) {
	env, err := profile.ParseEnvironment(envName)
	if err != nil {
		return manifest.Manifest{}, err
	}
	p, err := d.preflight(ctx, env)
	if err != nil {
		return manifest.Manifest{}, err
	}
	input := manifest.Input{Profile: p, Status: manifest.Deployed, Provenance: &prov}
	for _, l := range d.Graph {
		res, err := in.State(ctx, l, env)
		if err != nil {
			return manifest.Manifest{}, fmt.Errorf("manifest %s: reading state of %s: %w", env, l.Name, err)
		}
		last, err := in.LastUpdate(ctx, l, env)
		if err != nil {
			return manifest.Manifest{}, fmt.Errorf("manifest %s: reading the update history of %s: %w", env, l.Name, err)
		}
		input.Layers = append(input.Layers, manifest.LayerState{Name: l.Name, Resources: res, Deployment: last})
	}
	m := manifest.Build(input)
	r, err := policy.Check(d.Root, m)
	if err != nil {
		return m, err
	}
	m.Policy = &r
	return m, nil
}

// Revert puts a drifted environment back to its code: it runs the drift
// check, prints every drifted property the deployment will undo, then
// deploys (which refreshes first, so the recorded configuration wins).
func (d *Deployer) Revert(ctx context.Context, envName string, in Inspector) (drift.Report, Report, error) {
	report, err := d.Drift(ctx, envName, in)
	if err != nil {
		return report, Report{}, err
	}
	if !report.Any() {
		fmt.Fprintf(d.Out, "%s has no drift: nothing to revert\n", envName)
		return report, Report{}, nil
	}
	fmt.Fprintf(d.Out, "the deployment of %s will undo:\n", envName)
	report.WriteText(d.Out)
	res, err := d.Run(ctx, Up, envName)
	return report, res, err
}

// CallerEnvironment is the environment whose account the caller's
// credentials belong to: each set of credentials reaches one account, so a
// manifest of "every environment" is one per set of credentials.
func (d *Deployer) CallerEnvironment(ctx context.Context) (profile.Environment, error) {
	account, err := d.Identity.AccountID(ctx)
	if err != nil {
		return "", fmt.Errorf("reading the caller's AWS account (sts:GetCallerIdentity): %w", err)
	}
	var known []string
	for _, env := range profile.Environments() {
		p, err := profile.FromStackFiles(d.Root, string(env))
		if err != nil {
			return "", err
		}
		if p.AccountID == account {
			return env, nil
		}
		known = append(known, fmt.Sprintf("%s is %s", env, p.AccountID))
	}
	return "", fmt.Errorf("the credentials are for account %s, which is no environment's (%s)", account, strings.Join(known, ", "))
}
