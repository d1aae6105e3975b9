package live

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/awsfake"
	"github.com/acmepay/platform/internal/doccheck"
	"github.com/acmepay/platform/internal/recovery"
	"github.com/acmepay/platform/internal/statebackend"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stage"
)

// helperRoot makes the test binary a `deploy:env dev` process over the stack
// files at that root, for the kill test.
const helperRoot = "LIVE_TEST_DEPLOY_ROOT"

func TestMain(m *testing.M) {
	if root := os.Getenv(helperRoot); root != "" {
		dep, err := newDeployment(root, os.Stdout)
		if err == nil {
			_, err = dep.d.Run(context.Background(), stage.Up, "dev")
		}
		if err != nil {
			fmt.Println("helper:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const natType = "aws:ec2/natGateway:NatGateway"

// TestDeployKilledWhileTheNATGatewayIsCreated kills `deploy:env dev`, with
// every process it started (as a cancelled pipeline runner does), while the
// NAT gateway is being created. The next deploy and destroy refuse to start
// and name what is left and the fix; recovery removes the dead processes'
// locks and adopts the gateway the cloud finished; the environment then
// converges with one gateway, and destroy leaves nothing.
func TestDeployKilledWhileTheNATGatewayIsCreated(t *testing.T) {
	cloud := standIn(t)
	root := stackFiles(t)
	bootstrapAccount(t, context.Background(), root, io.Discard)
	bootstrapped := live(cloud)
	cloud.CallAs("arn:aws:iam::" + fixture.DevAccount + ":role/payments-pipeline-deployer") // deploy and recover as the pipeline's deployer
	cloud.Inject(natType, awsfake.Fault{Delay: 30 * time.Second})

	helper := exec.Command(os.Args[0], "-test.run=^$")
	helper.Env = append(os.Environ(), helperRoot+"="+root)
	helper.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := helper.StdoutPipe()
	require.NoError(t, err)
	helper.Stderr = helper.Stdout
	require.NoError(t, helper.Start())
	log := &bytes.Buffer{}
	go func() { _, _ = bufio.NewReader(stdout).WriteTo(log) }()
	deadline := time.Now().Add(3 * time.Minute)
	for cloud.Creates(natType) == 0 {
		require.True(t, time.Now().Before(deadline), "the NAT gateway's create never started:\n%s", log)
		time.Sleep(100 * time.Millisecond)
	}
	// The create is in flight once the engine has recorded it in the
	// state as a pending operation (before it calls the provider), and
	// the kill comes when it is the only one: a route's create cut short
	// has no ID to look for, and recovery rightly leaves it to a person.
	// "The only one" must hold while the engine has nothing else to start:
	// the state unchanged for two seconds, everything the NAT gateway does
	// not hold up created. (A single look raced a route table
	// association's create starting between the look and the kill.)
	store, err := statebackend.Open(context.Background(), os.Getenv("PULUMI_BACKEND_URL"))
	require.NoError(t, err)
	defer store.Close()
	for since, last := time.Now(), ""; ; time.Sleep(50 * time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "the NAT gateway's create was never the one pending operation for two seconds:\n%s", log)
		only, state := pendingCreate(t, store, natType)
		if !only || state != last {
			since, last = time.Now(), state
			continue
		}
		if time.Since(since) >= 2*time.Second {
			break
		}
	}
	killTree(t, helper.Process.Pid)
	_ = helper.Wait()
	cloud.Inject(natType, awsfake.Fault{})
	t.Logf("killed during the NAT gateway's create; the deploy had printed:\n%s", log)

	out := &bytes.Buffer{}
	dep, err := newDeployment(root, out)
	require.NoError(t, err)
	ctx := context.Background()
	_, err = dep.d.Run(ctx, stage.Up, "dev")
	require.ErrorIs(t, err, recovery.ErrInterrupted, out.String())
	assert.Contains(t, err.Error(), "[network] stale stack lock")
	assert.Contains(t, err.Error(), `[network] interrupted while creating aws:ec2/natGateway:NatGateway "nat-1-dev-`+fixture.DevSuffix+`"`)
	assert.Contains(t, err.Error(), "[dev] stale environment lock (up)")
	assert.Contains(t, err.Error(), "fix it with: go run mage.go recover:env dev")
	t.Logf("the deploy after the kill refused:\n%v", err)
	_, err = dep.d.Run(ctx, stage.Destroy, "dev")
	require.ErrorIs(t, err, recovery.ErrInterrupted, "destroy refuses too")

	start := time.Now()
	rec := recovery.Recoverer{Checker: dep.check, Editor: dep.runner, Finder: recovery.Cloud{Lookup: cloud.FindByName}, Out: out}
	out.Reset()
	require.NoError(t, dep.d.Recover(ctx, "dev", rec), out.String())
	t.Logf("recover:env dev took %s:\n%s", time.Since(start).Round(100*time.Millisecond), out)
	assert.Empty(t, doccheck.Missing(recoverOutput(t), out.String()), "docs/operations.md's output of recover:env dev")
	assert.Contains(t, out.String(), `[network] aws:ec2/natGateway:NatGateway "nat-1-dev-`+fixture.DevSuffix+`" exists in the cloud as nat-`)
	report, err := dep.check.Check(ctx, profile.Dev)
	require.NoError(t, err)
	assert.True(t, report.Clean(), report.String())

	out.Reset()
	_, err = dep.d.Run(ctx, stage.Up, "dev")
	require.NoError(t, err, out.String())
	assert.Equal(t, planned(t, "dev"), without(live(cloud), bootstrapped), "the account holds exactly what the plan says, no orphan")
	assert.Equal(t, 1, cloud.Creates(natType), "the NAT gateway was created once")
	second, err := dep.d.Run(ctx, stage.Up, "dev")
	require.NoError(t, err, out.String())
	for _, l := range second.Layers {
		for kind, n := range l.Changes {
			assert.Equal(t, "same", kind, "%s: converged, got %s=%d", l.Layer, kind, n)
		}
	}
	_, err = dep.d.Run(ctx, stage.Destroy, "dev")
	require.NoError(t, err, out.String())
	assert.Equal(t, bootstrapped, live(cloud), "destroy leaves nothing but the account's bootstrap")
}

// pendingCreate reports whether the network layer's state records
// pending operations, and each is a create of a resource of the type; and
// what the state holds (its resources and pending operations, by URN).
func pendingCreate(t *testing.T, store *statebackend.Store, typ string) (bool, string) {
	t.Helper()
	dep, ok, err := store.Checkpoint(context.Background(), "network", "dev")
	require.NoError(t, err)
	if !ok || len(dep.PendingOperations) == 0 {
		return false, ""
	}
	var state strings.Builder
	for _, r := range dep.Resources {
		state.WriteString(string(r.URN) + "\n")
	}
	only := true
	for _, op := range dep.PendingOperations {
		state.WriteString("pending " + string(op.Type) + " " + string(op.Resource.URN) + "\n")
		only = only && string(op.Resource.Type) == typ && op.Type == apitype.OperationTypeCreating
	}
	return only, state.String()
}

// killTree SIGKILLs a process and every process it started, as a runner
// tearing down a cancelled job does.
func killTree(t *testing.T, pid int) {
	t.Helper()
	children := map[int][]int{}
	entries, err := os.ReadDir("/proc")
	require.NoError(t, err)
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		raw, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after ")".
		fields := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
		if len(fields) > 1 {
			ppid, _ := strconv.Atoi(fields[1])
			children[ppid] = append(children[ppid], p)
		}
	}
	var tree []int
	var walk func(int)
	walk = func(p int) {
		tree = append(tree, p)
		for _, c := range children[p] {
			walk(c)
		}
	}
	walk(pid)
	for _, p := range tree {
		if err := syscall.Kill(p, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			t.Logf("kill %d: %v", p, err)
		}
	}
	t.Logf("killed %d processes", len(tree))
}

// recoverOutput is what docs/operations.md says recover:env dev prints
// after a deploy killed while the NAT gateway was created.
func recoverOutput(t *testing.T) []string {
	t.Helper()
	blocks, err := doccheck.Read(filepath.Join("..", ".."), "docs/operations.md")
	require.NoError(t, err)
	for _, b := range blocks {
		for _, c := range b.Commands {
			if c.Text == "go run mage.go recover:env dev" {
				require.NotEmpty(t, b.Expected, "docs/operations.md shows recover:env's output")
				return b.Expected
			}
		}
	}
	t.Fatal("docs/operations.md has no `go run mage.go recover:env dev`")
	return nil
}
