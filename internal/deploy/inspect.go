package deploy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"sync"

	"github.com/acmepay/platform/internal/drift"
	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/internal/policy"
	"github.com/acmepay/platform/internal/proppath"
	"github.com/acmepay/platform/internal/recovery"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stage"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// Drift refreshes every layer of an environment without writing state and
// reports what differs from the last deployment.
func (d *Deployer) Drift(ctx context.Context, envName string, in stage.Inspector) (drift.Report, error) {
	env, p, err := d.preflightOf(ctx, envName)
	if err != nil {
		return drift.Report{}, err
	}
	release, err := d.guard(ctx, env, "drift", recovery.Shared)
	if err != nil {
		return drift.Report{}, err
	}
	defer release()
	return d.refresh(ctx, env, p, in)
}

// refresh reads every layer's drift, without writing state: the layers'
// preview-only refreshes run at once (each reads its own stack), and the
// report and a failure are taken in the layers' order.
func (d *Deployer) refresh(ctx context.Context, env profile.Environment, p profile.Profile, in stage.Inspector) (drift.Report, error) {
	type refreshed struct {
		events []apitype.EngineEvent
		err    error
	}
	results := make([]refreshed, len(d.Graph))
	out := &syncWriter{w: d.Out}
	var wg sync.WaitGroup
	for i, l := range d.Graph {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &prefixWriter{prefix: "[" + l.Name + "] ", out: out}
			engine := d.stream(l, w)
			evs, err := in.RefreshEvents(ctx, l, string(env), engine)
			if err != nil {
				engine.failed(w)
			} else {
				engine.done()
			}
			w.Flush()
			results[i] = refreshed{evs, err}
		}()
	}
	wg.Wait()
	report := drift.Report{Environment: string(env), Account: p.AccountID}
	for i, l := range d.Graph {
		if err := results[i].err; err != nil {
			return report, fmt.Errorf("drift %s: refreshing layer %s: %w", env, l.Name, err)
		}
		report.Add(l.Name, results[i].events)
	}
	return report, nil
}

// Manifest builds the deployed manifest of an environment from its stacks'
// state.
func (d *Deployer) Manifest(ctx context.Context, envName string, in stage.Inspector, prov manifest.Provenance) (manifest.Manifest, error) {
	_, p, err := d.preflightOf(ctx, envName)
	if err != nil {
		return manifest.Manifest{}, err
	}
	return d.manifestOf(ctx, p, in, prov)
}

// manifestOf builds the manifest of an environment whose preflight passed.
func (d *Deployer) manifestOf(ctx context.Context, p profile.Profile, in stage.Inspector, prov manifest.Provenance) (manifest.Manifest, error) {
	m, err := manifest.FromStacks(ctx, d.Graph, in, manifest.Input{Profile: p, Status: manifest.Deployed, Provenance: &prov})
	if err != nil {
		return m, err
	}
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
func (d *Deployer) Revert(ctx context.Context, envName string, in stage.Inspector) (drift.Report, Report, error) {
	undo := *d
	undo.RevertDrift = envName
	// One preflight, and the environment held from the drift check to the
	// end of the deployment.
	s, err := undo.begin(ctx, stage.Up, envName)
	if err != nil {
		return drift.Report{}, Report{Env: s.env, Op: stage.Up}, err
	}
	defer s.release()
	report, err := undo.refresh(ctx, s.env, s.p, in)
	if err != nil {
		return report, Report{}, err
	}
	if !report.Any() {
		fmt.Fprintf(d.Out, "%s has no drift: nothing to revert\n", envName)
		return report, Report{}, nil
	}
	fmt.Fprintf(d.Out, "the deployment of %s will undo:\n", envName)
	report.WriteText(d.Out)
	res, err := undo.execute(ctx, stage.Up, s)
	return report, res, err
}

// ErrDrift is a deploy that would put back a hand change nobody has decided
// about.
var ErrDrift = errors.New("the deploy would undo hand changes")

// DriftIgnorer is a Runner that can leave excepted drift as it is: an
// update ignores the properties the exceptions name (ignoreChanges).
type DriftIgnorer interface {
	IgnoreDrift(exceptions []drift.Exception)
}

// driftGate runs before a deploy changes anything. Every deploy refreshes,
// so a hand change (an on-call engineer's fix) would be put back without a
// word. Drift an exception covers is left as it is. Any other drift stops a
// deploy of staging or prod, naming each drifted property and the three
// ways on, unless REVERT_DRIFT names the environment; in dev the deploy
// says what it will undo and goes on. It returns the layers whose refresh
// found any drift, excepted or not (their update must run, to record the
// live values), and whether it could check at all.
func (d *Deployer) driftGate(ctx context.Context, env profile.Environment, p profile.Profile) (stale map[string]bool, checked bool, err error) {
	in, ok := d.Runner.(stage.Inspector)
	if !ok {
		return nil, false, nil
	}
	report, err := d.refresh(ctx, env, p, in)
	if err != nil {
		return nil, false, err
	}
	stale = map[string]bool{}
	for _, r := range report.Drifted {
		stale[r.Layer] = true
	}
	return stale, true, d.stopForDrift(ctx, env, report)
}

// stopForDrift stops a deployment of staging or prod that would put back a
// hand change, warns of it in dev, and leaves excepted drift as it is.
func (d *Deployer) stopForDrift(ctx context.Context, env profile.Environment, report drift.Report) error {
	var err error
	report.Except(d.Exceptions)
	if ignorer, ok := d.Runner.(DriftIgnorer); ok {
		ignorer.IgnoreDrift(d.Exceptions)
	} else if len(d.Exceptions) > 0 {
		return fmt.Errorf("%w: %s has drift exceptions, and this runner cannot leave them as they are", ErrDrift, env)
	}
	for _, r := range report.Excepted {
		for _, prop := range r.Properties {
			fmt.Fprintf(d.Out, "left as it is (excepted until %s): %s %s %s %s\n", prop.Exception.Expires, r.Layer, r.Type, r.Name, prop.Path)
		}
	}
	if report, err = d.wouldUndo(ctx, env, report); err != nil {
		return err
	}
	if !report.Any() {
		return nil
	}
	var list strings.Builder
	report.Excepted = nil
	report.WriteText(&list)
	switch {
	case d.RevertDrift == string(env):
		fmt.Fprintf(d.Out, "REVERT_DRIFT=%s: this deployment puts back these hand changes:\n%s", env, list.String())
		return nil
	case tierOf(env) == profile.Development:
		fmt.Fprintf(d.Out, "warning: this deployment puts back these hand changes to %s (a deploy of a pre-production or production environment would stop here):\n%s", env, list.String())
		return nil
	}
	return fmt.Errorf("%w: deploy %s stopped before changing anything. It would put back:\n%s"+
		"Adopt them into the code (go run mage.go drift:adopt %s, then merge its pull request), "+
		"put them back on purpose (go run mage.go drift:revert %s, or REVERT_DRIFT=%s), "+
		"or accept them until a date in %s", ErrDrift, env, list.String(), env, env, env, drift.ExceptionsFile)
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

// wouldUndo keeps the drift the update would put back: the drift check
// compares the account with the last deployment, the update compares it
// with the code. A hand change already adopted into the code (the
// promotion of a drift:adopt pull request) is drift the update keeps; one
// the code also changes is put back, or overwritten, all the same. Each
// drifted layer is previewed (with refresh) and a drifted property counts
// when the preview changes it, a deleted resource when the preview creates
// it again.
func (d *Deployer) wouldUndo(ctx context.Context, env profile.Environment, report drift.Report) (drift.Report, error) {
	if !report.Any() {
		return report, nil
	}
	steps := map[string]stage.Step{}
	for _, l := range d.Graph {
		drifted := false
		for _, r := range report.Drifted {
			drifted = drifted || r.Layer == l.Name
		}
		if !drifted {
			continue
		}
		w := &prefixWriter{prefix: "[" + l.Name + "] ", out: &syncWriter{w: io.Discard}}
		out, err := d.Runner.Run(ctx, stage.Preview, l, string(env), w)
		if err != nil {
			return report, fmt.Errorf("previewing layer %s to see which hand changes its update would put back: %w", l.Name, err)
		}
		for _, st := range out.Steps {
			steps[st.URN] = st
		}
	}
	var kept []drift.Resource
	for _, r := range report.Drifted {
		st, ok := steps[r.URN]
		if !ok {
			continue
		}
		if r.Kind == drift.Deleted {
			if st.Op == "create" || st.Op == "create-replacement" || st.Op == "replace" {
				kept = append(kept, r)
			}
			continue
		}
		if st.Op == "same" || st.Old == nil {
			continue
		}
		var undone []drift.Property
		old, next := st.Old.Mappable(), st.Inputs.Mappable()
		for _, p := range r.Properties {
			if !reflect.DeepEqual(proppath.Get(old, p.Path), proppath.Get(next, p.Path)) {
				undone = append(undone, p)
			}
		}
		if len(undone) > 0 {
			r.Properties = undone
			kept = append(kept, r)
		}
	}
	report.Drifted = kept
	return report, nil
}

// ParseRevertDrift reads REVERT_DRIFT: unset, or the one environment whose
// hand changes a deploy may put back.
func ParseRevertDrift(v string) (string, error) {
	if v == "" || v == "none" {
		return "", nil
	}
	if _, err := profile.ParseEnvironment(v); err != nil {
		return "", fmt.Errorf("REVERT_DRIFT=%q: want the environment whose hand changes the deploy puts back (dev, staging or prod), or none", v)
	}
	return v, nil
}

// WriteStepSummary appends a deploy that stopped for drift to a CI job
// summary (GITHUB_STEP_SUMMARY), so the stop and its reason are on the run's
// page. Any other outcome writes nothing; an empty path writes nothing.
func WriteStepSummary(path, env string, err error) error {
	if path == "" || !errors.Is(err, ErrDrift) {
		return nil
	}
	f, ferr := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if ferr != nil {
		return ferr
	}
	_, werr := fmt.Fprintf(f, "### deploy:env %s stopped: it would put back hand changes\n\n```\n%s\n```\n", env, err)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	return werr
}

// tierOf is an environment's tier as environments.yaml gives it ("" for an
// unknown environment, which is refused before any deployment).
func tierOf(env profile.Environment) profile.Tier {
	p, err := profile.Planned(env)
	if err != nil {
		return ""
	}
	return p.Tier
}
