package deploy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/acmepay/platform/internal/drift"
	"github.com/acmepay/platform/internal/quota"
	"github.com/acmepay/platform/internal/recovery"
	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stage"
)

// MaxPlanAge is how old a saved plan may be when it is applied: an approval
// is of the account as it was, and a day later it is another account.
const MaxPlanAge = 12 * time.Hour

// planFileVersion is the format of a plan file.
const planFileVersion = 1

// ErrStalePlan refuses a plan file that is not a plan of the environment as
// it is now: another environment, commit, code or state, or too old.
var ErrStalePlan = errors.New("refusing the plan file")

// ErrNeedsNewPlan stops an approved deployment at a layer whose plan could
// not be made before its upstream applied: the approval did not cover it.
var ErrNeedsNewPlan = errors.New("needs a new plan")

// PlanFile is an environment's plan as approved: every layer's saved update
// plan, and what the plans were made from.
type PlanFile struct {
	Version     int       `json:"version"`
	Environment string    `json:"environment"`
	Commit      string    `json:"commit"`
	Created     time.Time `json:"created"`
	// Files are the digests of the stack files and programs the plans were
	// made from (PlanInputs).
	Files  map[string]string `json:"files"`
	Layers []PlannedLayer    `json:"layers"`
}

// PlannedLayer is one layer's plan in a plan file.
type PlannedLayer struct {
	Name string `json:"name"`
	// State is the digest of the layer's state when it was planned: the
	// plan is of that state. (A file or S3 backend numbers no updates, so
	// the state itself is what is compared.)
	State   string        `json:"state"`
	Changes stage.Changes `json:"changes"`
	// Empty: the plan changes nothing, outputs included; Drifted: its
	// refresh found drift to record.
	Empty   bool `json:"empty"`
	Drifted bool `json:"drifted"`
	// Loss lists what the plan destroys of the stateful resources.
	Loss []stage.Step `json:"loss,omitempty"`
	// After names the upstream whose apply the layer's plan waits for; such
	// a layer has no plan in the file.
	After string          `json:"after,omitempty"`
	Plan  json.RawMessage `json:"plan,omitempty"`
}

// Inputs are what a plan is made from: the commit and a digest of every
// stack file and program file of the layers and the shared module.
type Inputs struct {
	Commit string
	Files  map[string]string
}

// PlanInputs digests, under root, each layer's Pulumi.yaml and stack file
// of env (not the other environments'), the drift exceptions (they decide what an update leaves as it
// is), and every Go source and module file of the layers, pkg and the
// deployment code that runs the programs (internal/programs).
func PlanInputs(root string, env profile.Environment, graph []stage.Layer) (map[string]string, error) {
	files := map[string]string{}
	add := func(rel string) error {
		raw, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			return err
		}
		sum := sha256.Sum256(raw)
		files[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	}
	if err := add(drift.ExceptionsFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	dirs := []string{"pkg", filepath.Join("internal", "programs")}
	for _, l := range graph {
		for _, f := range []string{"Pulumi.yaml", "Pulumi." + string(env) + ".yaml"} {
			if err := add(filepath.Join(l.Name, f)); err != nil {
				return nil, err
			}
		}
		dirs = append(dirs, l.Name)
	}
	for _, dir := range dirs {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			name := e.Name()
			if strings.HasPrefix(name, "Pulumi.") && name != "Pulumi.yaml" && name != "Pulumi."+string(env)+".yaml" {
				return nil // another environment's stack file
			}
			if strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") || name == "go.mod" || name == "go.sum" || strings.HasSuffix(name, ".yaml") {
				rel, err := filepath.Rel(root, path)
				if err != nil {
					return err
				}
				return add(rel)
			}
			return nil
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return files, nil
}

// moved names the files that differ between two digests.
func moved(then, now map[string]string) []string {
	return stage.ChangedKeys(then, now, func(a, b string) bool { return a == b })
}

// ReadPlanFile reads a plan file, refusing one that is not a complete plan.
func ReadPlanFile(path string) (PlanFile, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return PlanFile{}, fmt.Errorf("%w %s: %w", ErrStalePlan, path, err)
	}
	var pf PlanFile
	if err := json.Unmarshal(raw, &pf); err != nil {
		return PlanFile{}, fmt.Errorf("%w %s: it is not a readable plan (corrupt or truncated): %w", ErrStalePlan, path, err)
	}
	if pf.Version != planFileVersion || pf.Environment == "" || len(pf.Layers) == 0 || len(pf.Files) == 0 {
		return PlanFile{}, fmt.Errorf("%w %s: it is not a complete plan of format %d (version %d, environment %q, %d layers)",
			ErrStalePlan, path, planFileVersion, pf.Version, pf.Environment, len(pf.Layers))
	}
	for _, l := range pf.Layers {
		var plan apitype.DeploymentPlanV1
		if l.After == "" && json.Unmarshal(l.Plan, &plan) != nil {
			return PlanFile{}, fmt.Errorf("%w %s: layer %s has no readable plan", ErrStalePlan, path, l.Name)
		}
	}
	return pf, nil
}

// checkPlanFile refuses a plan file of another environment, commit or code,
// or older than MaxPlanAge, naming what moved.
func (d *Deployer) checkPlanFile(pf PlanFile, env profile.Environment, now Inputs) error {
	var why []string
	if pf.Environment != string(env) {
		why = append(why, fmt.Sprintf("it is a plan of %s, not %s", pf.Environment, env))
	}
	if pf.Commit != now.Commit {
		why = append(why, fmt.Sprintf("it was made at commit %s, and this is %s", pf.Commit, now.Commit))
	}
	if m := moved(pf.Files, now.Files); len(m) > 0 {
		why = append(why, "these files changed since: "+strings.Join(m, ", "))
	}
	if age := d.Now().Sub(pf.Created); age > MaxPlanAge {
		why = append(why, fmt.Sprintf("it is %s old, and a plan is applied within %s", age.Round(time.Minute), MaxPlanAge))
	}
	var names []string
	for _, l := range d.Graph {
		names = append(names, l.Name)
	}
	var planned []string
	for _, l := range pf.Layers {
		planned = append(planned, l.Name)
	}
	if !slices.Equal(names, planned) {
		why = append(why, fmt.Sprintf("it plans the layers %v, and the deployment has %v", planned, names))
	}
	if len(why) > 0 {
		return fmt.Errorf("%w: %s; make a new plan", ErrStalePlan, strings.Join(why, "; "))
	}
	return nil
}

// SavePlan plans an environment as a deployment does and writes the plans
// to path, for review and approval; it changes nothing. The runner must
// save plans (Planner) and read each stack's state (Inspector).
func (d *Deployer) SavePlan(ctx context.Context, envName string, in stage.Inspector, now Inputs, path string) (Report, error) {
	env, err := profile.ParseEnvironment(envName)
	if err != nil {
		return Report{}, err
	}
	if _, ok := d.Runner.(stage.Planner); !ok {
		return Report{}, fmt.Errorf("this runner cannot save plans")
	}
	p, err := d.preflight(ctx, env)
	if err != nil {
		return Report{Env: env, Op: stage.Up}, err
	}
	if d.Quotas != nil {
		if err := quota.Check(ctx, d.Quotas, p); err != nil {
			return Report{Env: env, Op: stage.Up}, err
		}
	}
	release, err := d.guard(ctx, env, stage.Preview, recovery.Shared)
	if err != nil {
		return Report{Env: env, Op: stage.Up}, err
	}
	defer release()
	fmt.Fprintf(d.Out, "plan %s: account %s, region %s, suffix %s\n", env, p.AccountID, p.Region, p.Suffix)
	dir, err := os.MkdirTemp("", "payments-plan-")
	if err != nil {
		return Report{Env: env, Op: stage.Up}, err
	}
	defer os.RemoveAll(dir)
	rs := &runState{fresh: func(string) bool { return false }}
	refused, err := d.makePlans(ctx, env, p, rs, dir)
	if err != nil {
		return *refused, err
	}
	if refused != nil {
		d.printSummary(*refused)
		for _, l := range refused.Layers {
			if l.Err != nil {
				return *refused, fmt.Errorf("plan %s stopped: layer %s failed: %w", env, l.Layer, l.Err)
			}
		}
	}
	pf := PlanFile{Version: planFileVersion, Environment: string(env), Commit: now.Commit, Created: d.Now().UTC(), Files: now.Files}
	for _, l := range d.Graph {
		plan := rs.plans[l.Name]
		pl := PlannedLayer{Name: l.Name, After: plan.after, Drifted: !rs.fresh(l.Name)}
		if pl.State, err = stateDigest(ctx, in, l, env); err != nil {
			return Report{Env: env, Op: stage.Up}, err
		}
		if plan.after == "" {
			pl.Changes, pl.Empty, pl.Loss = stage.ChangesOf(plan.outcome.Steps), plan.outcome.Empty(), stage.DataLoss(plan.outcome.Steps, awstype.Holds)
			if pl.Plan, err = os.ReadFile(plan.path); err != nil {
				return Report{Env: env, Op: stage.Up}, fmt.Errorf("reading the saved plan of %s: %w", l.Name, err)
			}
		}
		pf.Layers = append(pf.Layers, pl)
	}
	raw, err := json.MarshalIndent(pf, "", "  ")
	if err == nil {
		err = os.MkdirAll(filepath.Dir(path), 0o755)
	}
	if err == nil {
		err = os.WriteFile(path, append(raw, '\n'), 0o600)
	}
	if err != nil {
		return Report{Env: env, Op: stage.Up}, err
	}
	fmt.Fprintf(d.Out, "plan saved: %s (apply it within %s: PLAN_FILE=%s go run mage.go deploy:env %s)\n", path, MaxPlanAge, path, env)
	return Report{Env: env, Op: stage.Up}, nil
}

// stateDigest is the digest of a layer's state as the backend holds it.
func stateDigest(ctx context.Context, in stage.Inspector, l stage.Layer, env profile.Environment) (string, error) {
	state, err := in.State(ctx, l, string(env))
	if err != nil {
		return "", fmt.Errorf("reading the state of %s: %w", l.Name, err)
	}
	raw, err := json.Marshal(state)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:]), nil
}

// approvedPlans turns a checked plan file into the run's plans, refusing
// it when a layer's state has moved since (another update ran).
func (d *Deployer) approvedPlans(ctx context.Context, env profile.Environment, pf PlanFile, rs *runState, dir string) error {
	in, ok := d.Runner.(stage.Inspector)
	if !ok {
		return fmt.Errorf("this runner cannot read the stacks' state to check the plan against")
	}
	rs.dir, rs.approved, rs.plans = dir, true, map[string]*layerPlan{}
	drifted := map[string]bool{}
	for i, l := range d.Graph {
		pl := pf.Layers[i]
		state, err := stateDigest(ctx, in, l, env)
		if err != nil {
			return err
		}
		if state != pl.State {
			return fmt.Errorf("%w: the state of %s changed since the plan was made (another update or refresh ran); make a new plan", ErrStalePlan, l.Name)
		}
		plan := &layerPlan{after: pl.After}
		if pl.After == "" {
			plan.path = filepath.Join(dir, l.Name+".plan.json")
			if err := os.WriteFile(plan.path, pl.Plan, 0o600); err != nil {
				return err
			}
			// The plan's counts, its data loss, and whether it is empty
			// (the file keeps no step list besides the loss).
			plan.outcome = stage.Outcome{Changes: pl.Changes, Steps: pl.Loss, OutputsChanged: !pl.Empty}
		}
		drifted[l.Name] = pl.Drifted
		rs.plans[l.Name] = plan
	}
	rs.fresh = func(layer string) bool { return !drifted[layer] }
	return nil
}

// applyApproved applies a checked plan file: each layer held to its
// approved plan, a layer whose plan is empty not updated, and a layer that
// could not be planned before its upstream applied not updated at all.
func (d *Deployer) applyApproved(ctx context.Context, env profile.Environment, pf PlanFile, rs *runState) (Report, error) {
	dir, err := os.MkdirTemp("", "payments-plan-")
	if err != nil {
		return Report{Env: env, Op: stage.Up}, err
	}
	defer os.RemoveAll(dir)
	if err := d.approvedPlans(ctx, env, pf, rs, dir); err != nil {
		return Report{Env: env, Op: stage.Up}, err
	}
	if ignorer, ok := d.Runner.(DriftIgnorer); ok {
		ignorer.IgnoreDrift(d.Exceptions)
	}
	fmt.Fprintf(d.Out, "applying the plan of %s made at %s from commit %s\n", env, pf.Created.Format(time.RFC3339), pf.Commit)
	d.printPlan(env, rs.plans, 0)
	for _, l := range d.Graph {
		if plan := rs.plans[l.Name]; plan.after == "" {
			if err := d.checkLoss(env, plan.outcome, &prefixWriter{prefix: "[" + l.Name + "] ", out: &syncWriter{w: d.Out}}); err != nil {
				fmt.Fprintf(d.Out, "[%s] FAILED: %v\nnothing was changed\n", l.Name, err)
				return *refusal(env, d.Graph, l.Name, err), nil
			}
		}
	}
	return d.concurrent(ctx, stage.Up, env, rs), nil
}

// checkedPlanFile reads d.PlanFile and checks it against the environment's
// code as it is now.
func (d *Deployer) checkedPlanFile(env profile.Environment) (PlanFile, error) {
	pf, err := ReadPlanFile(d.PlanFile)
	if err != nil {
		return PlanFile{}, err
	}
	if d.Inputs == nil {
		return PlanFile{}, fmt.Errorf("%w %s: nothing reads the code's commit and files to check it against", ErrStalePlan, d.PlanFile)
	}
	now, err := d.Inputs(env)
	if err != nil {
		return PlanFile{}, err
	}
	if err := d.checkPlanFile(pf, env, now); err != nil {
		return PlanFile{}, fmt.Errorf("%s: %w", d.PlanFile, err)
	}
	return pf, nil
}
