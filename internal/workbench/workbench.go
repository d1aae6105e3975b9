// Package workbench runs the mage targets that plan, deploy, inspect and
// settle an environment, in a repository at root, with their settings read
// from a lookup (the process's environment, for magefile.go). The magefile's
// targets call Target, and so do the tests that follow the guides' commands
// (docs/first-deploy.md, docs/operations.md) against the stand-in: what the
// guides say is what the targets do.
package workbench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/acmepay/platform/internal/adopt"
	"github.com/acmepay/platform/internal/deploy"
	"github.com/acmepay/platform/internal/deploy/automation"
	"github.com/acmepay/platform/internal/drift"
	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/internal/plan"
	"github.com/acmepay/platform/internal/programs"
	"github.com/acmepay/platform/internal/quota"
	"github.com/acmepay/platform/internal/recovery"
	"github.com/acmepay/platform/internal/rollback"
	"github.com/acmepay/platform/internal/standin"
	"github.com/acmepay/platform/internal/statebackend"
	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stage"
)

// Options is where and how a target runs.
type Options struct {
	Root string
	// Lookup reads the targets' settings: REVERT_DRIFT, CONFIRM_DESTROY,
	// ALLOW_DATA_LOSS, LOCK_HOST_GONE, PLAN_FILE, GITHUB_STEP_SUMMARY (and, through
	// automation.New, PULUMI_BACKEND_URL). AWS credentials come from the
	// standard chain.
	Lookup func(string) (string, bool)
	Out    io.Writer
	// Force, when closed, kills a running CLI (a second signal); nil for
	// never.
	Force <-chan struct{}
	// Now is the time review:up and review:sweep go by; nil for the
	// clock's.
	Now func() time.Time
}

// EnvApply writes environments.yaml's accounts, region and suffix into every
// layer's stack files (env:apply).
func EnvApply(ctx context.Context, o Options) error { return apply(ctx, o) }

// Plan is the offline plan of an environment (plan:env).
func Plan(ctx context.Context, env string, o Options) error {
	_, err := plan.Run(ctx, plan.Options{Root: o.Root, Env: env, Out: o.Out})
	return err
}

// Rollback commits a commit's infrastructure on a new branch
// (rollback:env).
func Rollback(ctx context.Context, env, commit string, o Options) error {
	_, err := rollback.Prepare(ctx, rollback.Options{Root: o.Root, Env: env, Commit: commit, Out: o.Out})
	return err
}

// StandinStart serves an in-memory AWS playing env's account
// (standin:start).
func StandinStart(ctx context.Context, env string, o Options) error {
	return standin.Start(ctx, o.Root, env, o.Out)
}

// StandinStop stops env's stand-in (standin:stop).
func StandinStop(_ context.Context, env string, o Options) error {
	return standin.Stop(o.Root, env, o.Out)
}

// StandinShow lists what env's stand-in holds (standin:show).
func StandinShow(ctx context.Context, env string, o Options) error {
	return standin.Show(ctx, o.Root, env, o.Out)
}

// Preview previews every layer of an environment (preview:env).
func Preview(ctx context.Context, env string, o Options) error {
	return onBench(ctx, "preview:env", env, o, func(w *bench) error {
		programs.Warm(ctx)
		_, err := w.d.Run(ctx, stage.Preview, env)
		w.printTimeline(err)
		return err
	})
}

// PlanLive saves the plan an approved deploy applies (plan:live).
func PlanLive(ctx context.Context, env string, o Options) error {
	return onBench(ctx, "plan:live", env, o, func(w *bench) error {
		programs.Warm(ctx)
		e, err := profile.ParseEnvironment(env)
		if err != nil {
			return err
		}
		allow, _ := o.Lookup("ALLOW_DATA_LOSS")
		w.d.AllowDataLoss = allow == env
		now, err := w.d.Inputs(e)
		if err != nil {
			return err
		}
		_, err = w.d.SavePlan(ctx, env, w.runner, now, filepath.Join(o.Root, PlanFile(env)))
		return err
	})
}

// Destroy destroys an environment's layers (destroy:env).
func Destroy(ctx context.Context, env string, o Options) error {
	return onBench(ctx, "destroy:env", env, o, func(w *bench) error {
		_, err := w.d.Run(ctx, stage.Destroy, env)
		w.printTimeline(err)
		return err
	})
}

// Deploy deploys an environment and writes its manifest (deploy:env).
func Deploy(ctx context.Context, env string, o Options) error {
	return onBench(ctx, "deploy:env", env, o, func(w *bench) error {
		programs.Warm(ctx)
		allow, _ := o.Lookup("ALLOW_DATA_LOSS")
		w.d.AllowDataLoss = allow == env
		prov, err := manifest.ProvenanceOf(o.Root, w.runner.Backend)
		if err != nil {
			return err
		}
		_, m, err := w.d.Deploy(ctx, env, w.reader(), prov)
		if err != nil {
			summary, _ := o.Lookup("GITHUB_STEP_SUMMARY")
			return errors.Join(err, deploy.WriteStepSummary(summary, env, err))
		}
		err = w.write(m)
		w.d.Timeline.Mark("manifest written")
		w.printTimeline(err)
		return err
	})
}

// Manifest writes a deployed environment's manifest (manifest:env).
func Manifest(ctx context.Context, env string, o Options) error {
	return onBench(ctx, "manifest:env", env, o, func(w *bench) error { return w.manifest(ctx, env) })
}

// DriftCheck checks a deployed environment for drift and publishes the
// report (drift:env).
func DriftCheck(ctx context.Context, env string, o Options) error {
	return onBench(ctx, "drift:env", env, o, func(w *bench) error {
		report, err := w.d.Drift(ctx, env, w.runner)
		if err != nil {
			// The night's report tells a check that failed from one that
			// never ran: the failure is kept beside where the report goes.
			return errors.Join(err, adopt.WriteFailure(filepath.Join(o.Root, DriftDir), env, err))
		}
		report.Except(w.d.Exceptions)
		report.Commit = sourceCommit(o.Root)
		return report.Publish(filepath.Join(o.Root, "drift"), o.Out)
	})
}

// DriftRevert puts an environment back as the code says (drift:revert).
func DriftRevert(ctx context.Context, env string, o Options) error {
	return onBench(ctx, "drift:revert", env, o, func(w *bench) error {
		_, _, err := w.d.Revert(ctx, env, w.runner)
		return err
	})
}

// Recover settles what an interrupted run left in an environment
// (recover:env).
func Recover(ctx context.Context, env string, o Options) error {
	return onBench(ctx, "recover:env", env, o, func(w *bench) error { return w.recover(ctx, env) })
}

// onBench runs a target that works on an environment's stacks: with the
// state backend open, the engine's stream in its log and the run's
// timeline.
func onBench(ctx context.Context, target, env string, o Options, run func(w *bench) error) error {
	tl := timeline(o.Lookup)
	w, err := open(ctx, o)
	if err != nil {
		return err
	}
	defer w.close()
	tl.Mark("state backend")
	closeLog, err := w.engineLog(target, env)
	if err != nil {
		return err
	}
	defer closeLog()
	w.d.Timeline = tl
	return run(w)
}

// bench is what the targets on deployed stacks share: the deployer,
// guarded by the state backend's locks and pending operations.
type bench struct {
	o      Options
	d      *deploy.Deployer
	runner *automation.Automation
	store  *statebackend.Store
	check  recovery.Checker
	close  func()
}

// timeline starts a command's timeline when mage.go began it
// (PAYMENTS_MAGE_START, Unix nanoseconds), so that its first stage is `go
// run`'s and mage's build check; else now.
func timeline(lookup func(string) (string, bool)) *deploy.Timeline {
	if raw, ok := lookup("PAYMENTS_MAGE_START"); ok {
		if ns, err := strconv.ParseInt(raw, 10, 64); err == nil {
			return deploy.NewTimeline(time.Unix(0, ns), "go run and mage's build check")
		}
	}
	return deploy.NewTimeline(time.Now(), "start")
}

// printTimeline ends a run's output with where its time went, when it ran
// to its end.
func (w *bench) printTimeline(err error) {
	if err == nil {
		fmt.Fprintln(w.o.Out, w.d.Timeline)
	}
}

// LogDir is where, under the repository, a target's engine stream goes
// when the run is not verbose.
const LogDir = "logs"

// engineLog sends the engine's stream (the CLI's progress and diagnostics)
// to logs/<target>-<env>.log and says so, leaving the output to the plans,
// the layers' messages and the summaries; a failing layer still shows the
// stream's last lines. A verbose run (mage -v, VERBOSE=1) and a GitHub
// Actions job keep the whole stream in the output.
func (w *bench) engineLog(target, env string) (func(), error) {
	for _, k := range []string{"MAGEFILE_VERBOSE", "VERBOSE", "GITHUB_ACTIONS"} {
		if v, _ := w.o.Lookup(k); v == "1" || v == "true" {
			return func() {}, nil
		}
	}
	if !slices.Contains(profile.Environments(), profile.Environment(env)) {
		return func() {}, nil // refused before the engine runs
	}
	rel := filepath.Join(LogDir, strings.ReplaceAll(target, ":", "-")+"-"+env+".log")
	path := filepath.Join(w.o.Root, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w.d.Engine = deploy.SyncWriter(f) // the layers write at once
	fmt.Fprintf(w.o.Out, "the engine's output goes to %s (go run mage.go -v %s %s prints it here)\n", rel, target, env)
	return func() { _ = f.Close() }, nil
}

func open(ctx context.Context, o Options) (*bench, error) {
	runner, err := automation.New(o.Root, o.Lookup)
	if err != nil {
		return nil, err
	}
	runner.Programs = programs.ByLayer()
	runner.Command = &automation.Command{Force: o.Force}
	store, err := statebackend.Open(ctx, runner.Backend)
	if err != nil {
		return nil, err
	}
	runner.Exists = store.Exists
	host, err := statebackend.ThisHost()
	if err != nil {
		_ = store.Close()
		return nil, err
	}
	host.GoneHost, _ = o.Lookup("LOCK_HOST_GONE")
	exceptions, err := drift.LoadExceptions(o.Root, time.Now())
	if err != nil {
		_ = store.Close()
		return nil, err
	}
	revertFor, _ := o.Lookup("REVERT_DRIFT")
	revert, err := deploy.ParseRevertDrift(revertFor)
	if err != nil {
		_ = store.Close()
		return nil, err
	}
	confirm, _ := o.Lookup("CONFIRM_DESTROY")
	planFile, _ := o.Lookup("PLAN_FILE")
	check := recovery.Checker{Locks: store, States: recovery.BackendStates{Store: store}, Host: host, Layers: contract.Layers()}
	d := &deploy.Deployer{
		Root: o.Root, Graph: contract.Graph(), Runner: runner, Guard: check,
		Identity: deploy.STSIdentity{}, Bootstrap: deploy.SSMBootstrap{}, Quotas: quota.AWS{}, CLI: automation.PulumiCLI{},
		Out: o.Out, Now: time.Now, ConfirmDestroy: confirm,
		Exceptions: exceptions, RevertDrift: revert, PlanFile: planFile,
	}
	d.Inputs = func(env profile.Environment) (deploy.Inputs, error) { return inputs(o.Root, env, d.Graph) }
	return &bench{o: o, d: d, runner: runner, store: store, check: check, close: func() { _ = store.Close() }}, nil
}

// DriftReport refreshes every layer of a deployed environment without
// writing state, and reports what drifted (drift:adopt's fresh check).
func DriftReport(ctx context.Context, env string, o Options) (drift.Report, error) {
	w, err := open(ctx, o)
	if err != nil {
		return drift.Report{}, err
	}
	defer w.close()
	report, err := w.d.Drift(ctx, env, w.runner)
	report.Except(w.d.Exceptions)
	report.Commit = sourceCommit(o.Root)
	return report, err
}

// PlanFile is where plan:live writes an environment's plan, relative to
// the repository root.
func PlanFile(env string) string { return filepath.Join("plans", env+".json") }

// inputs are what a plan of env is made from: the commit checked out at
// root and the digests of the stack files and programs.
func inputs(root string, env profile.Environment, graph []stage.Layer) (deploy.Inputs, error) {
	commit := sourceCommit(root)
	if commit == "" {
		return deploy.Inputs{}, fmt.Errorf("a plan records the commit it was made from: %s is not a git checkout", root)
	}
	files, err := deploy.PlanInputs(root, env, graph)
	return deploy.Inputs{Commit: commit, Files: files}, err
}

// sourceCommit is the commit checked out at root, or "" outside a git
// checkout.
func sourceCommit(root string) string {
	prov, err := manifest.ProvenanceOf(root, "")
	if err != nil {
		return ""
	}
	return prov.SourceCommit
}

// manifest writes manifests/<env>.json from the deployed stacks' state.
func (w *bench) manifest(ctx context.Context, env string) error {
	prov, err := manifest.ProvenanceOf(w.o.Root, w.runner.Backend)
	if err != nil {
		return err
	}
	m, err := w.d.Manifest(ctx, env, w.reader(), prov)
	if err != nil {
		return err
	}
	return w.write(m)
}

// reader reads the deployed stacks for a manifest from the state backend
// directly, and anything else through the CLI.
func (w *bench) reader() stage.Inspector {
	return statebackend.Reader{Inspector: w.runner, Store: w.store, Depth: automation.HistoryDepth}
}

// write writes a deployed manifest and says where.
func (w *bench) write(m manifest.Manifest) error {
	path, err := m.WriteDeployed(w.o.Root)
	if err != nil {
		return err
	}
	if rel, err := filepath.Rel(w.o.Root, path); err == nil {
		path = rel
	}
	fmt.Fprintln(w.o.Out, "manifest (deployed):", path)
	return nil
}

// recover settles what an interrupted run left; nothing to settle is not
// an error.
func (w *bench) recover(ctx context.Context, env string) error {
	p, err := profile.ForDeployment(w.o.Root, profile.Environment(env))
	if err != nil {
		return err
	}
	finder, err := recovery.NewAWS(ctx, p.Region, env)
	if err != nil {
		return err
	}
	err = w.d.Recover(ctx, env, recovery.Recoverer{Checker: w.check, Editor: w.runner, Finder: finder, Out: w.o.Out})
	if errors.Is(err, recovery.ErrNothingToRecover) {
		return nil
	}
	return err
}

// CallerEnvironment is the environment whose account the credentials
// reach (`mage manifest`).
func CallerEnvironment(ctx context.Context, o Options) (profile.Environment, error) {
	w, err := open(ctx, o)
	if err != nil {
		return "", err
	}
	defer w.close()
	return w.d.CallerEnvironment(ctx)
}

// bootstrapDocumentsValid checks every account's bootstrap documents and the
// organisation's guardrails against AWS's validity rules, and every
// break-glass principal against the guardrails.
func bootstrapDocumentsValid() error {
	t, err := bootstrapiam.PlannedTooling()
	if err != nil {
		return err
	}
	files := t.Files()
	for _, a := range t.Accounts {
		f, err := a.Files()
		if err != nil {
			return err
		}
		for _, file := range f {
			file.Name = string(a.Profile.Environment) + "/" + file.Name
			files = append(files, file)
		}
	}
	return t.Valid(files)
}
