package deploy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/acmepay/platform/internal/drift"
	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/internal/quota"
	"github.com/acmepay/platform/internal/recovery"
	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stage"
)

// preflighter is a Runner with checks of its own to pass before any layer
// runs (the Automation runner's secrets passphrase).
type preflighter interface {
	Preflight() error
}

// passphraseChecker is a runner that can tell a wrong secrets passphrase
// before any layer runs.
type passphraseChecker interface {
	CheckPassphrase(env string, layers []string) error
}

// stateBackend is a Runner that keeps its state in a backend named by URL
// (PULUMI_BACKEND_URL), which must be the one bootstrap's state bucket
// policy gives the environment.
type stateBackend interface {
	StateBackend() string
}

// Identity reports the AWS account of the caller's credentials.
type Identity interface {
	AccountID(ctx context.Context) (string, error)
}

// Principal reports who the caller is (its ARN: a role session when the
// caller assumed a role).
type Principal interface {
	CallerArn(ctx context.Context) (string, error)
}

// CLI checks the Pulumi CLI.
type CLI interface {
	Check(ctx context.Context) (version string, err error)
}

// Deployer runs operations over an environment.
type Deployer struct {
	// Root is the repository root holding the layer directories.
	Root     string
	Graph    []stage.Layer
	Runner   stage.Runner
	Identity Identity
	// Bootstrap, when set, reads the account's bootstrap version, which must
	// be at least bootstrapiam.Version.
	Bootstrap Bootstrap
	// Quotas, when set, reads the account's service quotas: an update or
	// preview the account's quotas would stop half-way (the function's
	// reserved concurrency, Elastic IPs, VPCs, NAT gateways) is refused
	// before any layer runs.
	Quotas quota.Reader
	CLI    CLI
	// Out takes the deployment's own output: plans, refusals, each layer's
	// messages and the summary.
	Out io.Writer
	// Timeline, when set, records how long each stage of a run takes
	// (the checks, the locks, the plans, the applies, the manifest).
	Timeline *Timeline
	// Engine, when set, takes the engine's stream (the CLI's progress and
	// diagnostics, every line prefixed with its layer) instead of Out; a
	// layer that fails then shows its last lines on Out. It must accept
	// writes from layers running at once.
	Engine io.Writer
	Now    func() time.Time
	// Guard, when set, is asked before any stack is touched: it refuses
	// while another run holds the environment or a layer, or while an
	// interrupted run's locks or pending operations remain; an update or
	// destroy holds the environment until it ends.
	Guard Guard
	// ConfirmDestroy must name prod for prod to be destroyed (from
	// CONFIRM_DESTROY): a destroy of prod is never one mistyped word away.
	ConfirmDestroy string
	// AllowDataLoss lets an update replace or delete stateful resources (the
	// types whose registry entry holds data: awstype.Type.Holds). Without it, each layer is previewed before its update and
	// refused if the preview would.
	AllowDataLoss bool
	// Exceptions is the drift accepted until a date
	// (compliance/drift-exceptions.yaml): a deploy neither stops for it nor
	// puts it back while the exception lasts.
	Exceptions []drift.Exception
	// RevertDrift names the environment whose hand changes a deploy may put
	// back (REVERT_DRIFT, and drift:revert). Without it a deploy of staging
	// or prod that would undo a hand change stops before changing anything.
	RevertDrift string
	// PlanFile, when set, is the approved plan (SavePlan) an update applies
	// instead of planning (PLAN_FILE); Inputs reads what the plan must have
	// been made from (the commit and the files' digests).
	PlanFile string
	Inputs   func(env profile.Environment) (Inputs, error)
}

// Guard checks an environment's stacks before a run (see recovery.Checker).
type Guard interface {
	Before(ctx context.Context, env profile.Environment, op string, hold recovery.Hold) (release func(context.Context) error, err error)
}

// guard asks the Guard, if any; release never fails the run.
func (d *Deployer) guard(ctx context.Context, env profile.Environment, op stage.Op, hold recovery.Hold) (func(), error) {
	if d.Guard == nil {
		return func() {}, nil
	}
	release, err := d.Guard.Before(ctx, env, string(op), hold)
	if err != nil {
		return nil, err
	}
	return func() {
		if err := release(context.Background()); err != nil {
			fmt.Fprintf(d.Out, "releasing the lock of %s: %v\n", env, err)
		}
	}, nil
}

// LayerResult is the outcome of one layer.
type LayerResult struct {
	Layer    string
	Status   string // succeeded, failed, skipped, waiting
	Changes  stage.Changes
	Duration time.Duration
	Err      error
	// firstDeploy is set when the operation creates the layer's stack.
	firstDeploy bool
}

// Report is the outcome of an operation over an environment.
type Report struct {
	Env    profile.Environment
	Op     stage.Op
	Layers []LayerResult
}

// Layer is the result of the named layer; a layer the operation did not
// reach has none (its Status is empty).
func (r Report) Layer(name string) LayerResult {
	for _, l := range r.Layers {
		if l.Layer == name {
			return l
		}
	}
	return LayerResult{}
}

// Statuses is each layer's status, by layer.
func (r Report) Statuses() map[string]string {
	out := map[string]string{}
	for _, l := range r.Layers {
		out[l.Layer] = l.Status
	}
	return out
}

// ErrConfirmDestroy is returned for a destroy of staging or prod that was
// not confirmed.
var ErrConfirmDestroy = errors.New("refusing to destroy a shared environment without confirmation")

// ErrNeedsBreakGlass refuses a destroy of prod, or a prod deployment that may
// lose data, run by anyone but the break-glass role: the deployer's
// guardrail denies it anyway, and this says so before anything is touched.
var ErrNeedsBreakGlass = errors.New("this needs prod's break-glass role")

// confirmsDestroy: the environment's tier (environments.yaml) wants a
// destroy confirmed by naming the environment (CONFIRM_DESTROY=<env>); an
// unknown environment is refused later, never destroyed unconfirmed.
func confirmsDestroy(env profile.Environment) bool {
	tier := tierOf(env)
	return tier == "" || tier.ConfirmsDestroy()
}

// BreakGlassSession matches the sessions of an account's break-glass role.
func BreakGlassSession(account string) string {
	return "arn:aws:sts::" + account + ":assumed-role/" + bootstrapiam.BreakGlassRoleName + "/*"
}

// ErrCancelled is returned when a signal stopped the run.
var ErrCancelled = errors.New("cancelled")

// Cancelled lists the layers a signal stopped.
func (r Report) Cancelled() []string {
	var out []string
	for _, l := range r.Layers {
		if l.Status == statusCancelled {
			out = append(out, l.Layer)
		}
	}
	return out
}

// ErrWrongAccount is returned when the credentials belong to another account.
var ErrWrongAccount = errors.New("wrong AWS account")

// Run validates everything it can before touching any stack, then runs op.
func (d *Deployer) Run(ctx context.Context, op stage.Op, envName string) (Report, error) {
	report, _, err := d.run(ctx, op, envName)
	return report, err
}

// Deploy updates an environment (Run with Up), then builds its deployed
// manifest from the stacks' state, with the one preflight.
func (d *Deployer) Deploy(ctx context.Context, envName string, in stage.Inspector, prov manifest.Provenance) (Report, manifest.Manifest, error) {
	report, p, err := d.run(ctx, stage.Up, envName)
	if err != nil {
		return report, manifest.Manifest{}, err
	}
	m, err := d.manifestOf(ctx, p, in, prov)
	d.mark("manifest")
	return report, m, err
}

// run is Run, returning the environment's profile the preflight validated.
func (d *Deployer) run(ctx context.Context, op stage.Op, envName string) (Report, profile.Profile, error) {
	s, err := d.begin(ctx, op, envName)
	if err != nil {
		if s.env == "" {
			return Report{}, s.p, err
		}
		return Report{Env: s.env, Op: op}, s.p, err
	}
	defer s.release()
	report, err := d.execute(ctx, op, s)
	return report, s.p, err
}

// started is a run whose checks all passed, before any stack is touched:
// the environment, the profile the preflight validated, the approved plan
// (PLAN_FILE) and the hold on the environment, released when the run ends.
type started struct {
	env      profile.Environment
	p        profile.Profile
	approved PlanFile
	release  func()
}

// begin runs every check of op before any stack is touched, once: the
// confirmation of a destroy, the approved plan, the preflight, the
// quotas, the break-glass session, and the hold on the environment.
func (d *Deployer) begin(ctx context.Context, op stage.Op, envName string) (started, error) {
	var s started
	env, err := profile.ParseEnvironment(envName)
	if err != nil {
		return s, err
	}
	s.env = env
	if op == stage.Destroy && d.ConfirmDestroy != string(env) && confirmsDestroy(env) {
		return s, fmt.Errorf("%w: set CONFIRM_DESTROY=%s to destroy %s", ErrConfirmDestroy, env, env)
	}
	if op == stage.Up && d.PlanFile != "" {
		if s.approved, err = d.checkedPlanFile(env); err != nil {
			return s, err
		}
	}
	if s.p, err = d.preflight(ctx, env); err != nil {
		return s, err
	}
	if op != stage.Destroy && d.Quotas != nil {
		if err := quota.Check(ctx, d.Quotas, s.p); err != nil {
			return s, err
		}
		d.mark("quotas")
	}
	if s.p.Production() && (op == stage.Destroy || (op == stage.Up && d.AllowDataLoss)) {
		if err := d.holdsBreakGlass(ctx, s.p); err != nil {
			return s, err
		}
	}
	hold := recovery.Exclusive
	if op == stage.Preview {
		hold = recovery.Shared
	}
	if s.release, err = d.guard(ctx, env, op, hold); err != nil {
		return s, err
	}
	d.mark("locks")
	return s, nil
}

// execute runs op on the layers of a started run.
func (d *Deployer) execute(ctx context.Context, op stage.Op, s started) (Report, error) {
	env, p := s.env, s.p
	fmt.Fprintf(d.Out, "%s %s: account %s, region %s, suffix %s\n", op, env, p.AccountID, p.Region, p.Suffix)
	rs := &runState{fresh: func(string) bool { return false }}
	var report Report
	switch op {
	case stage.Destroy:
		report = d.sequential(ctx, op, env, stage.DestroyOrder(d.Graph), rs)
		d.mark("layers")
	case stage.Preview:
		report = d.concurrent(ctx, op, env, rs)
		d.mark("layers")
	case stage.Up:
		var stop error
		if d.PlanFile != "" {
			report, stop = d.applyApproved(ctx, env, s.approved, rs)
		} else {
			report, stop = d.planThenApply(ctx, env, p, rs)
		}
		if stop != nil {
			return report, stop
		}
	}
	d.printSummary(report)
	for _, l := range report.Layers {
		if l.Status == statusFailed {
			return report, fmt.Errorf("%s %s stopped: layer %s failed: %w", op, env, l.Layer, l.Err)
		}
	}
	if cancelled := report.Cancelled(); len(cancelled) > 0 {
		return report, fmt.Errorf("%s %s %w: %s stopped at a safe point with their state saved; run it again to finish", op, env, ErrCancelled, strings.Join(cancelled, ", "))
	}
	return report, nil
}

// holdsBreakGlass checks the caller is a session of prod's break-glass role.
func (d *Deployer) holdsBreakGlass(ctx context.Context, p profile.Profile) error {
	principal, ok := d.Identity.(Principal)
	if !ok {
		return fmt.Errorf("%w: cannot tell who the caller is", ErrNeedsBreakGlass)
	}
	arn, err := principal.CallerArn(ctx)
	if err != nil {
		return fmt.Errorf("reading the caller (sts:GetCallerIdentity): %w", err)
	}
	if !iampolicy.Glob(BreakGlassSession(p.AccountID), arn) {
		return fmt.Errorf("%w: the caller is %s; assume %s with MFA from a workstation (docs/bootstrap.md, \"Break glass\"), then run it again",
			ErrNeedsBreakGlass, arn, "arn:aws:iam::"+p.AccountID+":role/"+bootstrapiam.BreakGlassRoleName)
	}
	return nil
}

// preflightOf is preflight of the environment envName names.
func (d *Deployer) preflightOf(ctx context.Context, envName string) (profile.Environment, profile.Profile, error) {
	env, err := profile.ParseEnvironment(envName)
	if err != nil {
		return "", profile.Profile{}, err
	}
	p, err := d.preflight(ctx, env)
	return env, p, err
}

// preflight is every check that must pass before any stack is touched.
func (d *Deployer) preflight(ctx context.Context, env profile.Environment) (profile.Profile, error) {
	if err := stage.ValidateGraph(d.Graph); err != nil {
		return profile.Profile{}, err
	}
	// The CLI's version and the passphrase are checked while the account
	// and its bootstrap are (they read only local files and the CLI); their
	// answers are taken in the order the checks have always been made.
	type checked struct {
		version string
		err     error
	}
	cli, pass := make(chan checked, 1), make(chan error, 1)
	go func() {
		version, err := d.CLI.Check(ctx)
		cli <- checked{version, err}
	}()
	if p, ok := d.Runner.(passphraseChecker); ok {
		var layers []string
		for _, l := range d.Graph {
			layers = append(layers, l.Name)
		}
		go func() { pass <- p.CheckPassphrase(string(env), layers) }()
	} else {
		pass <- nil
	}
	target, err := profile.ForDeployment(d.Root, env)
	if err != nil {
		return profile.Profile{}, err
	}
	account, err := d.Identity.AccountID(ctx)
	if err != nil {
		return profile.Profile{}, fmt.Errorf("reading the caller's AWS account (sts:GetCallerIdentity): %w", err)
	}
	if account != target.AccountID {
		return profile.Profile{}, fmt.Errorf("%w: the credentials are for account %s, but %s is account %s; refusing to touch anything",
			ErrWrongAccount, account, env, target.AccountID)
	}
	if b, ok := d.Runner.(stateBackend); ok {
		pipe, err := profile.PlannedPipeline()
		if err != nil {
			return profile.Profile{}, err
		}
		if err := bootstrapiam.CheckBackend(pipe, b.StateBackend(), bootstrapiam.StatePrefix(env), string(env)+"'s pipeline roles"); err != nil {
			return profile.Profile{}, err
		}
	}
	if d.Bootstrap != nil {
		if err := checkBootstrap(ctx, d.Bootstrap, target); err != nil {
			return profile.Profile{}, err
		}
	}
	d.mark("account and bootstrap checks")
	v := <-cli
	if v.err != nil {
		return profile.Profile{}, v.err
	}
	fmt.Fprintf(d.Out, "pulumi %s\n", v.version)
	if p, ok := d.Runner.(preflighter); ok {
		if err := p.Preflight(); err != nil {
			return profile.Profile{}, err
		}
	}
	if err := <-pass; err != nil {
		return profile.Profile{}, err
	}
	d.mark("pulumi version and passphrase")
	return target, nil
}

func (d *Deployer) printSummary(r Report) {
	fmt.Fprintf(d.Out, "\n%s %s summary\n", r.Op, r.Env)
	tw := tabwriter.NewWriter(d.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LAYER\tSTATUS\tCHANGES\tDURATION")
	for _, l := range r.Layers {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l.Layer, l.Status, l.Changes, l.Duration.Round(time.Millisecond))
	}
	tw.Flush()
}
