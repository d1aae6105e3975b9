package deploy

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/acmepay/platform/internal/drift"
	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stage"
)

// layerPlan is one layer's plan of an update.
type layerPlan struct {
	outcome stage.Outcome
	// path is the saved plan ("" when the runner is no Planner).
	path string
	err  error
	// after names the upstream layer this layer's plan waits for: the
	// upstream changes its outputs, or has never been deployed, so the
	// layer cannot be planned exactly until the upstream has applied.
	after string
	// refreshed are the first preview's refresh steps, and previewed says
	// it ran to the end: the refresh of the layer's own resources is
	// valid even when the plan must be made again.
	refreshed []apitype.EngineEvent
	previewed bool
	// took is how long the first preview took.
	took time.Duration
}

// planLayer plans one layer's update.
func (d *Deployer) planLayer(ctx context.Context, l stage.Layer, env profile.Environment, dir string) *layerPlan {
	if p, ok := d.Runner.(stage.Planner); ok && dir != "" {
		path := filepath.Join(dir, l.Name+".plan.json")
		o, err := p.PlanLayer(ctx, l, string(env), path, io.Discard)
		return &layerPlan{outcome: o, path: path, err: err}
	}
	o, err := d.Runner.Run(ctx, stage.Preview, l, string(env), io.Discard)
	return &layerPlan{outcome: o, err: err}
}

// apply updates a layer as planned.
func (d *Deployer) apply(ctx context.Context, l stage.Layer, env profile.Environment, plan *layerPlan, w io.Writer) (stage.Outcome, error) {
	if p, ok := d.Runner.(stage.Planner); ok && plan.path != "" {
		return p.ApplyPlan(ctx, l, string(env), plan.path, w)
	}
	return d.Runner.Run(ctx, stage.Up, l, string(env), w)
}

// planAll plans every layer at once, each against its upstreams' current
// outputs, then marks the plans that cannot be exact: a layer whose
// upstream changes its outputs (or waits itself, or has never been
// deployed) is planned again once that upstream has applied.
func (d *Deployer) planAll(ctx context.Context, env profile.Environment, dir string) map[string]*layerPlan {
	plans := map[string]*layerPlan{}
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for _, l := range d.Graph {
		wg.Add(1)
		go func(l stage.Layer) {
			defer wg.Done()
			start := time.Now()
			p := d.planLayer(ctx, l, env, dir)
			p.refreshed, p.previewed, p.took = p.outcome.Refreshed, p.err == nil, time.Since(start)
			mu.Lock()
			plans[l.Name] = p
			mu.Unlock()
		}(l)
	}
	wg.Wait()
	for _, l := range d.Graph { // dependency order: an upstream is settled first
		p := plans[l.Name]
		for _, dep := range l.DependsOn {
			if ripples(plans[dep], l.Reads[dep]) {
				// A preview against outputs that will change (or do not
				// exist yet: it fails) shows nothing worth keeping.
				p.after, p.err, p.outcome = dep, nil, stage.Outcome{}
				break
			}
		}
	}
	return plans
}

// planDrift is the drift gate (driftGate) read from the plans' refresh
// steps, when every layer's preview refreshed it to the end: a deployment
// then refreshes each layer once. Otherwise (a runner whose previews say
// nothing of their refresh, or a layer whose preview could not run yet)
// the drift gate refreshes the layers itself.
func (d *Deployer) planDrift(ctx context.Context, env profile.Environment, p profile.Profile, plans map[string]*layerPlan) (map[string]bool, bool, error) {
	_, planner := d.Runner.(stage.Planner)
	for _, l := range d.Graph {
		if !planner || !plans[l.Name].previewed {
			return d.driftGate(ctx, env, p)
		}
	}
	report := drift.Report{Environment: string(env), Account: p.AccountID}
	for _, l := range d.Graph {
		report.AddRefreshed(l.Name, plans[l.Name].refreshed)
	}
	stale := map[string]bool{}
	for _, r := range report.Drifted {
		stale[r.Layer] = true
	}
	return stale, true, d.stopForDrift(ctx, env, report)
}

// ripples reports whether an upstream's plan leaves a reader's plan
// inexact: it waits itself, failed, creates the stack (there are no outputs
// to read yet), or changes an output the reader reads (reads). A plan that
// names no changed output, or a reader that does not say what it reads,
// counts any output change.
func ripples(u *layerPlan, reads []string) bool {
	switch {
	case u.after != "" || u.err != nil || createsStack(u.outcome.Steps):
		return true
	case !u.outcome.OutputsChanged:
		return false
	case len(reads) == 0 || len(u.outcome.ChangedOutputs) == 0:
		return true
	}
	for _, k := range u.outcome.ChangedOutputs {
		if slices.Contains(reads, k) {
			return true
		}
	}
	return false
}

// planThenApply is an update: every layer is planned before any changes
// (the plans' refresh is also the drift gate's), the plans are shown in
// one table, a plan that fails or would lose data stops the deployment
// before anything changes, and then only the layers whose plan changes
// something are updated, in dependency order, each held to its plan.
func (d *Deployer) planThenApply(ctx context.Context, env profile.Environment, p profile.Profile, rs *runState) (Report, error) {
	dir, err := os.MkdirTemp("", "payments-plan-")
	if err != nil {
		return Report{Env: env, Op: stage.Up}, err
	}
	defer os.RemoveAll(dir)
	refused, err := d.makePlans(ctx, env, p, rs, dir)
	if err != nil || refused != nil {
		return *refused, err
	}
	report := d.concurrent(ctx, stage.Up, env, rs)
	d.mark("applies")
	return report, nil
}

// makePlans plans every layer into dir and shows the plans; a plan that
// failed or would lose data is refused, with the report saying so.
func (d *Deployer) makePlans(ctx context.Context, env profile.Environment, p profile.Profile, rs *runState, dir string) (*Report, error) {
	rs.dir = dir
	// Excepted drift is left as it is by the plans too.
	if ignorer, ok := d.Runner.(DriftIgnorer); ok {
		ignorer.IgnoreDrift(d.Exceptions)
	}
	start := d.Now()
	rs.plans = d.planAll(ctx, env, dir)
	d.mark("plans")
	stale, checked, err := d.planDrift(ctx, env, p, rs.plans)
	d.mark("drift check")
	if err != nil {
		return &Report{Env: env, Op: stage.Up}, err
	}
	if checked {
		rs.fresh = func(layer string) bool { return !stale[layer] }
	}
	d.printPlan(env, rs.plans, d.Now().Sub(start))

	// Refuse before anything changes.
	for _, l := range d.Graph {
		plan := rs.plans[l.Name]
		err := plan.err
		if err == nil && plan.after == "" {
			err = d.checkLoss(env, plan.outcome, &prefixWriter{prefix: "[" + l.Name + "] ", out: &syncWriter{w: d.Out}})
		} else if err != nil {
			err = fmt.Errorf("plan: %w", err)
		}
		if err != nil {
			fmt.Fprintf(d.Out, "[%s] FAILED: %v\nnothing was changed\n", l.Name, err)
			return refusal(env, d.Graph, l.Name, err), nil
		}
	}
	return nil, nil
}

// refusal is the report of an update refused before any layer ran.
func refusal(env profile.Environment, graph []stage.Layer, layer string, err error) *Report {
	report := &Report{Env: env, Op: stage.Up}
	for _, other := range graph {
		r := LayerResult{Layer: other.Name, Status: statusSkipped}
		if other.Name == layer {
			r.Status, r.Err = statusFailed, err
		}
		report.Layers = append(report.Layers, r)
	}
	return report
}

// printPlan is the table of every layer's plan, shown before anything
// changes.
func (d *Deployer) printPlan(env profile.Environment, plans map[string]*layerPlan, took time.Duration) {
	fmt.Fprintf(d.Out, "\nplan of %s (%s)\n", env, took.Round(time.Millisecond))
	tw := tabwriter.NewWriter(d.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LAYER\tCREATE\tUPDATE\tREPLACE\tDELETE\tDATA LOSS\tPLAN")
	for _, l := range d.Graph {
		p := plans[l.Name]
		switch {
		case p.after != "":
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\tplanned once %s has applied (it changes what %s reads)\n", l.Name, p.after, l.Name)
		case p.err != nil:
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\tFAILED: %v\n", l.Name, firstLine(p.err))
		default:
			c := stage.ChangesOf(p.outcome.Steps)
			loss := "none"
			if n := len(stage.DataLoss(p.outcome.Steps, awstype.Holds)); n > 0 {
				loss = fmt.Sprintf("%d resource(s)", n)
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%s\n", l.Name, c["create"], c["update"], c["replace"], c["delete"], loss, planLine(p.outcome))
		}
	}
	tw.Flush()
	var each []string
	for _, l := range d.Graph {
		each = append(each, fmt.Sprintf("%s %s", l.Name, plans[l.Name].took.Round(100*time.Millisecond)))
	}
	fmt.Fprintf(d.Out, "the layers' previews, run at once: %s\n\n", strings.Join(each, ", "))
}

// planLine says what a plan does in a few words.
func planLine(o stage.Outcome) string {
	outputs := "outputs change"
	if len(o.ChangedOutputs) > 0 {
		outputs += ": " + strings.Join(o.ChangedOutputs, ", ")
	}
	switch {
	case o.Empty():
		return "no changes"
	case len(stage.ChangesOf(o.Steps)) == 0:
		return outputs
	case o.OutputsChanged:
		return stage.ChangesOf(o.Steps).String() + ", " + outputs
	}
	return stage.ChangesOf(o.Steps).String()
}

func firstLine(err error) string {
	s := err.Error()
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
