package offline

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/awsfake"
	"github.com/acmepay/platform/internal/deploy"
	"github.com/acmepay/platform/internal/recovery"
	"github.com/acmepay/platform/internal/statebackend"
	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stage"
)

// The fault matrix, through the deployment code and the real engine: each
// fault ends in a converged environment (a second deploy changes nothing,
// destroy leaves nothing) in which no resource was made twice.

const natType = "aws:ec2/natGateway:NatGateway"

// faulty is dev with the deployment code guarded by a recovery check over a
// state backend directory (its locks) and the engine's snapshots (pending
// operations).
type faulty struct {
	e     *Env
	d     *deploy.Deployer
	out   *bytes.Buffer
	store *statebackend.Store
	check recovery.Checker
}

func newFaulty(t *testing.T) *faulty {
	t.Helper()
	e := newEnv(t, profile.Dev)
	store, err := statebackend.Open(context.Background(), "file://"+t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	host, err := statebackend.ThisHost()
	require.NoError(t, err)
	check := recovery.Checker{Locks: store, States: e, Host: host, Layers: contract.Layers()}
	out := &bytes.Buffer{}
	d := &deploy.Deployer{
		Root: e.Root, Graph: contract.Graph(), Runner: Runner{Env: e, Commit: commit}, Guard: check,
		Identity: account(e.Profile.AccountID), CLI: cli{}, Out: out, Now: time.Now,
	}
	return &faulty{e: e, d: d, out: out, store: store, check: check}
}

func (f *faulty) up(ctx context.Context) (deploy.Report, error) {
	return f.d.Run(ctx, stage.Up, string(f.e.Env))
}

func (f *faulty) recoverer() recovery.Recoverer {
	return recovery.Recoverer{Checker: f.check, Editor: f.e, Finder: recovery.Cloud{Lookup: f.e.Cloud.FindByName}, Out: f.out}
}

// converged asserts a second deploy changes nothing, that each named
// resource exists once and was made want times, then destroys to nothing.
func (f *faulty) converged(t *testing.T, madeNAT int) {
	t.Helper()
	report, err := f.up(context.Background())
	require.NoError(t, err, f.out.String())
	for _, l := range report.Layers {
		for kind, n := range l.Changes {
			assert.Equal(t, "same", kind, "%s: the deploy after recovery changes nothing, got %s=%d", l.Layer, kind, n)
		}
	}
	assert.Len(t, f.e.Cloud.FindByName(natType, "nat-1-dev-"+fixture.DevSuffix), 1, "one NAT gateway of that name in the account")
	assert.Equal(t, madeNAT, f.e.Cloud.Creates(natType), "NAT gateways made over the account's life")
	_, err = f.d.Run(context.Background(), stage.Destroy, string(f.e.Env))
	require.NoError(t, err, f.out.String())
	assert.Empty(t, f.e.Cloud.Resources(), "destroy leaves nothing")
}

// cleanThenConverges asserts the fault left nothing to recover, lifts it,
// and deploys to convergence with the NAT gateway made once.
func (f *faulty) cleanThenConverges(t *testing.T, why string) {
	t.Helper()
	r, err := f.check.Check(context.Background(), profile.Dev)
	require.NoError(t, err)
	assert.True(t, r.Clean(), "%s:\n%s", why, r)
	f.e.Cloud.Inject(natType, awsfake.Fault{})
	_, err = f.up(context.Background())
	require.NoError(t, err, f.out.String())
	f.converged(t, 1)
}

func TestCreateRefusedTwiceThenConverges(t *testing.T) {
	f := newFaulty(t)
	f.e.Cloud.Inject(natType, awsfake.Fault{Fail: 2})
	for i := range 2 {
		report, err := f.up(context.Background())
		require.Error(t, err, "attempt %d", i+1)
		assert.Contains(t, err.Error(), "layer network failed")
		assert.Contains(t, err.Error(), "NatGateway")
		assert.Equal(t, []string{"failed", "skipped", "skipped", "skipped"}, statuses(report))
	}
	report, err := f.up(context.Background())
	require.NoError(t, err, f.out.String())
	assert.Equal(t, []string{"succeeded", "succeeded", "succeeded", "succeeded"}, statuses(report))
	f.converged(t, 1)
}

func TestCreateTimeoutThenConverges(t *testing.T) {
	f := newFaulty(t)
	f.e.Cloud.Inject(natType, awsfake.Fault{Delay: 10 * time.Millisecond, Timeout: true})
	_, err := f.up(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "timeout")
	assert.Len(t, f.e.Cloud.FindByName(natType, "nat-1-dev-"+fixture.DevSuffix), 1, "the timed-out NAT gateway exists")
	f.cleanThenConverges(t, "the engine recorded the timed-out create with its error, not as pending")
}

func TestDeployCancelledMidLayerStopsAtASafePoint(t *testing.T) {
	f := newFaulty(t)
	f.e.Cloud.Inject(natType, awsfake.Fault{Delay: 2 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for f.e.Cloud.Creates(natType) == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		cancel() // while the NAT gateway is being made
	}()
	report, err := f.up(ctx)
	require.ErrorIs(t, err, deploy.ErrCancelled)
	assert.Equal(t, []string{"cancelled", "skipped", "skipped", "skipped"}, statuses(report))
	assert.Contains(t, err.Error(), "network stopped at a safe point")

	f.cleanThenConverges(t, "a cancelled deploy waits for the create in flight and records it")
}

// A run killed while the NAT gateway was being made, which the cloud
// finished: the deployment refuses to start, recovery adopts the gateway,
// and the next deploy creates only what was never made.
func TestPendingCreateThatExistsIsAdopted(t *testing.T) {
	f := newFaulty(t)
	_, err := f.up(context.Background())
	require.NoError(t, err, f.out.String())
	require.NoError(t, f.e.Interrupt("network", natType, "vpc-nat-1", CreatedInTheCloud))

	_, err = f.up(context.Background())
	require.ErrorIs(t, err, recovery.ErrInterrupted)
	assert.Contains(t, err.Error(), `[network] interrupted while creating aws:ec2/natGateway:NatGateway "nat-1-dev-`+fixture.DevSuffix+`"`)
	assert.Contains(t, err.Error(), "fix it with: go run mage.go recover:env dev")

	f.out.Reset()
	require.NoError(t, f.recoverer().Run(context.Background(), profile.Dev))
	assert.Contains(t, f.out.String(), `[network] aws:ec2/natGateway:NatGateway "nat-1-dev-`+fixture.DevSuffix+`" exists in the cloud as nat-`)
	report, err := f.up(context.Background())
	require.NoError(t, err, f.out.String())
	assert.Equal(t, 2, report.Layers[0].Changes["create"], "only the two private routes through the gateway are made")
	f.converged(t, 1)
}

func TestPendingCreateThatDoesNotExistIsCleared(t *testing.T) {
	f := newFaulty(t)
	_, err := f.up(context.Background())
	require.NoError(t, err, f.out.String())
	require.NoError(t, f.e.Interrupt("network", natType, "vpc-nat-1", NotCreated))

	f.out.Reset()
	require.NoError(t, f.recoverer().Run(context.Background(), profile.Dev))
	assert.Contains(t, f.out.String(), `does not exist in the cloud: pending create cleared`)
	_, err = f.up(context.Background())
	require.NoError(t, err, f.out.String())
	f.converged(t, 2) // the first, gone with the kill, and its replacement
}

// Without recovery the engine cannot know the gateway exists: a deploy makes
// a second one, and the first is an orphan nothing tracks. This is why the
// deployment refuses to start over a pending create.
func TestWithoutRecoveryAPendingCreateBecomesAnOrphan(t *testing.T) {
	f := newFaulty(t)
	_, err := f.up(context.Background())
	require.NoError(t, err, f.out.String())
	require.NoError(t, f.e.Interrupt("network", natType, "vpc-nat-1", CreatedInTheCloud))
	f.d.Guard = nil
	_, err = f.up(context.Background())
	require.NoError(t, err, f.out.String())
	assert.Len(t, f.e.Cloud.FindByName(natType, "nat-1-dev-"+fixture.DevSuffix), 2, "two gateways of one name: one is an orphan")
}

// A lock left by a process of this machine that no longer exists: the
// deployment refuses, recovery removes it, the next deploy converges.
func TestStaleLockIsRemoved(t *testing.T) {
	f := newFaulty(t)
	_, err := f.up(context.Background())
	require.NoError(t, err, f.out.String())
	host, err := os.Hostname()
	require.NoError(t, err)
	writeLock(t, f.store, "compute", statebackend.Lock{Pid: deadPid(t), Username: "ci", Hostname: host, Timestamp: time.Now()})

	_, err = f.up(context.Background())
	require.ErrorIs(t, err, recovery.ErrInterrupted)
	assert.Contains(t, err.Error(), "[compute] stale stack lock by ci@"+host)

	f.out.Reset()
	require.NoError(t, f.recoverer().Run(context.Background(), profile.Dev))
	assert.Contains(t, f.out.String(), "[compute] removed the lock of ci@"+host+" (pid ")
	f.converged(t, 1)
}

// A lock whose process is running is never removed: the deployment and the
// recovery both refuse at once, naming the holder.
func TestLiveLockIsNeverRemoved(t *testing.T) {
	f := newFaulty(t)
	host, err := os.Hostname()
	require.NoError(t, err)
	key := writeLock(t, f.store, "data", statebackend.Lock{Pid: os.Getpid(), Username: "alice", Hostname: host, Timestamp: time.Now()})

	_, err = f.up(context.Background())
	require.ErrorIs(t, err, recovery.ErrBusy)
	assert.Contains(t, err.Error(), "[data] live stack lock by alice@"+host)
	err = f.recoverer().Run(context.Background(), profile.Dev)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "never removes a live lock")
	_, statErr := os.Stat(filepath.Join(strings.TrimPrefix(f.store.URL, "file://"), filepath.FromSlash(key)))
	assert.NoError(t, statErr, "the live lock is still there")
	assert.Empty(t, f.e.Cloud.Resources(), "nothing was touched")
}

func TestRecoverWithNothingToRecover(t *testing.T) {
	f := newFaulty(t)
	err := f.recoverer().Run(context.Background(), profile.Dev)
	require.ErrorIs(t, err, recovery.ErrNothingToRecover)
	assert.Equal(t, "dev: no locks and no pending operations in 4 layers\n", f.out.String())
}

func statuses(r deploy.Report) []string {
	var out []string
	for _, l := range r.Layers {
		out = append(out, l.Status)
	}
	return out
}

// deadPid is the pid of a process of this machine that has exited.
func deadPid(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	require.NoError(t, cmd.Run())
	return cmd.Process.Pid
}

// writeLock writes a stack lock where and as the Pulumi CLI writes one.
func writeLock(t *testing.T, store *statebackend.Store, layer string, l statebackend.Lock) string {
	t.Helper()
	key := ".pulumi/locks/organization/" + layer + "/dev/0f1e2d3c-lock.json"
	raw, err := json.Marshal(map[string]any{"pid": l.Pid, "username": l.Username, "hostname": l.Hostname, "timestamp": l.Timestamp})
	require.NoError(t, err)
	path := filepath.Join(strings.TrimPrefix(store.URL, "file://"), filepath.FromSlash(key))
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, raw, 0o600))
	return key
}

// A second deploy of an environment while one runs is refused at once,
// naming the holder, and changes nothing.
func TestSecondDeployWhileOneRunsIsRefusedAtOnce(t *testing.T) {
	f := newFaulty(t)
	f.e.Cloud.Inject(natType, awsfake.Fault{Delay: 2 * time.Second})
	first := make(chan error, 1)
	go func() { _, err := f.up(context.Background()); first <- err }()
	for f.e.Cloud.Creates(natType) == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	second := &deploy.Deployer{Root: f.d.Root, Graph: f.d.Graph, Runner: f.d.Runner, Guard: f.check,
		Identity: f.d.Identity, CLI: f.d.CLI, Out: &bytes.Buffer{}, Now: time.Now}
	_, err := second.Run(context.Background(), stage.Up, "dev")
	require.ErrorIs(t, err, recovery.ErrBusy)
	assert.Contains(t, err.Error(), "[environment] live environment lock (up) by ")
	select {
	case err := <-first:
		t.Fatalf("the second deploy waited for the first (which ended with %v) instead of being refused while it ran", err)
	default: // refused while the first is still creating the gateway
	}
	require.NoError(t, <-first, f.out.String())
	f.e.Cloud.Inject(natType, awsfake.Fault{})
	f.converged(t, 1)
}
