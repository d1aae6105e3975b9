package automation_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/deploy"
	"github.com/acmepay/platform/internal/deploy/automation"
	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/internal/programs"
	"github.com/acmepay/platform/internal/quota"
	"github.com/acmepay/platform/internal/recovery"
	"github.com/acmepay/platform/internal/statebackend"
	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stage"
)

// liveBudget is how long the live test may take: the deployment, its
// checks and the destroy (AWS's NAT gateway takes minutes each way), with
// room for the destroy after a failure.
const (
	liveRun     = 40 * time.Minute
	liveCleanup = 15 * time.Minute
	liveCommand = "PAYMENTS_LIVE_ENV=dev go test -timeout 60m ./internal/deploy/automation -run TestLiveDeployAndDestroy"
)

// errLiveRefused fails the live test before anything is touched.
var errLiveRefused = errors.New("the live test refuses")

// liveTarget decides whether the live test runs, and on which environment:
// skip is the reason it does not run; err refuses a request it must never
// carry out. It deploys and destroys the environment it names, so prod is
// refused outright, staging only with CONFIRM_DESTROY=staging (as its
// destroy needs), and it runs only when the test binary's deadline leaves
// room for its own timeout and its clean-up: Go's default 10 minutes
// would kill it mid-deploy, with no clean-up, leaving half an
// environment (which is what happens when PAYMENTS_LIVE_ENV is left
// exported in a shell that runs `go test work`).
func liveTarget(lookup func(string) (string, bool), deadline time.Time, hasDeadline bool, now time.Time) (env profile.Environment, skip string, err error) {
	name, _ := lookup("PAYMENTS_LIVE_ENV")
	if name == "" {
		return "", "live test: set PAYMENTS_LIVE_ENV=dev (with AWS credentials for that account and the Pulumi CLI installed) to deploy, drift-check and destroy a real environment: " + liveCommand, nil
	}
	env, err = profile.ParseEnvironment(name)
	if err != nil {
		return "", "", fmt.Errorf("%w: PAYMENTS_LIVE_ENV: %w", errLiveRefused, err)
	}
	switch env {
	case profile.Prod:
		return "", "", fmt.Errorf("%w: PAYMENTS_LIVE_ENV=prod: it destroys the environment it deploys, and prod is deployed only by the pipeline; use dev", errLiveRefused)
	case profile.Staging:
		if confirm, _ := lookup("CONFIRM_DESTROY"); confirm != string(profile.Staging) {
			return "", "", fmt.Errorf("%w: PAYMENTS_LIVE_ENV=staging destroys staging at the end: set CONFIRM_DESTROY=staging too, as destroy:env staging needs", errLiveRefused)
		}
	}
	if need := liveRun + liveCleanup; !hasDeadline || deadline.Sub(now) < need {
		left := "none"
		if hasDeadline {
			left = deadline.Sub(now).Round(time.Minute).String()
		}
		return "", fmt.Sprintf("live test: PAYMENTS_LIVE_ENV=%s is set, but the test binary's deadline leaves %s and the live test needs %s (its %s run and %s clean-up); a kill at Go's deadline skips the clean-up and leaves the environment half-built. Run it alone: %s",
			env, left, need, liveRun, liveCleanup, liveCommand), nil
	}
	return env, "", nil
}

// The live test's guards, with no AWS: which requests it refuses, which it
// leaves for later, and which it runs.
func TestTheLiveTestRunsOnlyWhereItIsSafe(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	lookup := func(vars map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	}
	hour, tenMinutes := now.Add(time.Hour), now.Add(10*time.Minute)

	_, skip, err := liveTarget(lookup(nil), hour, true, now)
	require.NoError(t, err)
	assert.Contains(t, skip, "set PAYMENTS_LIVE_ENV=dev")

	_, _, err = liveTarget(lookup(map[string]string{"PAYMENTS_LIVE_ENV": "prod", "CONFIRM_DESTROY": "prod"}), hour, true, now)
	require.ErrorIs(t, err, errLiveRefused)
	assert.Contains(t, err.Error(), "PAYMENTS_LIVE_ENV=prod")

	_, _, err = liveTarget(lookup(map[string]string{"PAYMENTS_LIVE_ENV": "staging"}), hour, true, now)
	require.ErrorIs(t, err, errLiveRefused)
	assert.Contains(t, err.Error(), "set CONFIRM_DESTROY=staging")

	_, _, err = liveTarget(lookup(map[string]string{"PAYMENTS_LIVE_ENV": "qa"}), hour, true, now)
	require.ErrorIs(t, err, errLiveRefused)

	// Left exported under `go test work`'s default deadline: not run.
	_, skip, err = liveTarget(lookup(map[string]string{"PAYMENTS_LIVE_ENV": "dev"}), tenMinutes, true, now)
	require.NoError(t, err)
	assert.Contains(t, skip, "deadline leaves 10m0s and the live test needs 55m0s")
	_, skip, err = liveTarget(lookup(map[string]string{"PAYMENTS_LIVE_ENV": "dev"}), time.Time{}, false, now)
	require.NoError(t, err)
	assert.Contains(t, skip, "deadline leaves none")

	env, skip, err := liveTarget(lookup(map[string]string{"PAYMENTS_LIVE_ENV": "dev"}), hour, true, now)
	require.NoError(t, err)
	assert.Empty(t, skip)
	assert.Equal(t, profile.Dev, env)
	env, _, err = liveTarget(lookup(map[string]string{"PAYMENTS_LIVE_ENV": "staging", "CONFIRM_DESTROY": "staging"}), hour, true, now)
	require.NoError(t, err)
	assert.Equal(t, profile.Staging, env)
}

// TestLiveDeployAndDestroy deploys a whole environment to its real AWS
// account as deploy:env does (the environment lock, the interrupted-run
// check, the bootstrap and quota checks), checks that a preview right after
// changes nothing, that the drift check finds nothing and that the deployed
// manifest passes every rule, then destroys it and checks that no layer's
// state holds a resource. It runs only when asked to (liveTarget), with
// real credentials and the Pulumi CLI. Interrupted (SIGINT, SIGTERM), it
// stops at a safe point and still destroys; when the destroy cannot
// finish, it prints the commands that settle what is left.
func TestLiveDeployAndDestroy(t *testing.T) {
	deadline, hasDeadline := t.Deadline()
	env, skip, err := liveTarget(os.LookupEnv, deadline, hasDeadline, time.Now())
	require.NoError(t, err)
	if skip != "" {
		t.Skip(skip)
	}
	if _, err := exec.LookPath("pulumi"); err != nil {
		t.Skip("live test: the Pulumi CLI is not on PATH")
	}
	root := "../../.."
	out := testWriter{t}
	signals, force, stopSignals := automation.Interruptible(out)
	defer stopSignals()
	ctx, cancel := context.WithTimeout(signals, liveRun)
	defer cancel()

	auto, err := automation.New(root, os.LookupEnv)
	require.NoError(t, err)
	auto.Programs = programs.ByLayer()
	auto.Command = &automation.Command{Force: force}
	store, err := statebackend.Open(context.Background(), auto.Backend)
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	host, err := statebackend.ThisHost()
	require.NoError(t, err)
	check := recovery.Checker{Locks: store, States: recovery.BackendStates{Store: store}, Host: host, Layers: contract.Layers()}
	d := &deploy.Deployer{Root: root, Graph: contract.Graph(), Runner: auto, Guard: check,
		Identity: deploy.STSIdentity{}, Bootstrap: deploy.SSMBootstrap{}, Quotas: quota.AWS{},
		CLI: automation.PulumiCLI{}, Out: out, Now: time.Now, ConfirmDestroy: os.Getenv("CONFIRM_DESTROY")}

	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), liveCleanup)
		defer cancel()
		if _, err := d.Run(ctx, stage.Destroy, string(env)); err != nil {
			t.Errorf("the live test could not destroy %s: %v\nsettle what is left, then destroy it:\n  go run mage.go recover:env %s\n  CONFIRM_DESTROY=%s go run mage.go destroy:env %s",
				env, err, env, env, env)
			return
		}
		for _, l := range contract.Graph() {
			state, err := auto.State(ctx, l, string(env))
			require.NoError(t, err)
			for _, r := range state {
				assert.Equal(t, "pulumi:pulumi:Stack", string(r.Type), "layer %s still holds %s after destroy", l.Name, r.URN)
			}
		}
	})
	_, err = d.Run(ctx, stage.Up, string(env))
	require.NoError(t, err)
	second, err := d.Run(ctx, stage.Preview, string(env))
	require.NoError(t, err)
	for _, l := range second.Layers {
		for kind, n := range l.Changes {
			if kind != "same" && n > 0 {
				t.Errorf("layer %s: a preview right after deploy shows %d %s", l.Layer, n, kind)
			}
		}
	}
	report, err := d.Drift(ctx, string(env), auto)
	require.NoError(t, err)
	assert.False(t, report.Any(), "a fresh deployment has drifted: %+v", report.Drifted)
	m, err := d.Manifest(ctx, string(env), auto, manifest.Provenance{SourceCommit: "0000000"})
	require.NoError(t, err)
	require.NotNil(t, m.Policy)
	assert.Zero(t, m.Policy.Summary.Failed, "the deployed environment breaks a compliance rule")
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
