// Package live holds the live test tier: the deployment code through the
// real Pulumi CLI, against the in-memory AWS served to the CLI over gRPC
// (PULUMI_DEBUG_PROVIDERS) and a local STS answer for the account check.
package live

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/awsfake"
	"github.com/acmepay/platform/internal/bootstrap"
	"github.com/acmepay/platform/internal/deploy"
	"github.com/acmepay/platform/internal/deploy/automation"
	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/internal/programs"
	"github.com/acmepay/platform/internal/recovery"
	"github.com/acmepay/platform/internal/statebackend"
	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/profile"
)

// findCLI puts a Pulumi CLI on PATH: the user's, else the one shipped beside
// the repository in ../shared/bin; "" when there is neither.
func findCLI(t *testing.T) string {
	t.Helper()
	if path, err := exec.LookPath("pulumi"); err == nil {
		return path
	}
	shared, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "bin"))
	require.NoError(t, err)
	if _, err := os.Stat(filepath.Join(shared, "pulumi")); err != nil {
		return ""
	}
	t.Setenv("PATH", shared+string(os.PathListSeparator)+os.Getenv("PATH"))
	return filepath.Join(shared, "pulumi")
}

// stackFiles copies every layer's project and stack files, and the
// bootstrap project's, into a new root: creating a stack writes its
// encryption salt into the stack file, which must not touch the repository.
func stackFiles(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, layer := range append(contract.Layers(), bootstrapiam.Project) {
		require.NoError(t, os.MkdirAll(filepath.Join(root, layer), 0o755))
		names := []string{"Pulumi.yaml"}
		for _, env := range profile.Environments() {
			names = append(names, "Pulumi."+string(env)+".yaml")
		}
		if layer == bootstrapiam.Project {
			names = append(names, "Pulumi."+bootstrapiam.ToolingStack+".yaml")
		}
		for _, name := range names {
			raw, err := os.ReadFile(filepath.Join("..", "..", layer, name))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(root, layer, name), raw, 0o644))
		}
	}
	return root
}

// planned lists the AWS resources (type and logical name) of an
// environment's committed planned manifest.
func planned(t *testing.T, env string) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "manifests", "planned", env+".json"))
	require.NoError(t, err)
	var m manifest.Manifest
	require.NoError(t, json.Unmarshal(raw, &m))
	var out []string
	for _, l := range m.Layers {
		for _, r := range l.Resources {
			if strings.HasPrefix(r.Type, "aws:") {
				out = append(out, r.Type+" "+r.LogicalName)
			}
		}
	}
	sort.Strings(out)
	return out
}

func live(cloud *awsfake.Cloud) []string {
	var out []string
	for _, r := range cloud.Resources() {
		out = append(out, r.Type+" "+r.Name)
	}
	sort.Strings(out)
	return out
}

// standIn serves a fresh stand-in account to the CLI and points the
// environment at it and at a new file backend; it skips without a CLI.
func standIn(t *testing.T) *awsfake.Cloud {
	t.Helper()
	cli := findCLI(t)
	if cli == "" {
		t.Skip("no Pulumi CLI: none on PATH and none in ../shared/bin; the live tier runs the deployment through the real CLI")
	}
	if testing.Short() {
		t.Skip("-short: the live tier takes minutes")
	}
	const account = "123456789012"
	cloud := awsfake.New(account, "us-east-1")
	cancel := make(chan bool)
	t.Cleanup(func() { close(cancel) })
	provider, err := cloud.ServeProvider(cancel)
	require.NoError(t, err)
	sts, stop, err := cloud.ServeSTS()
	require.NoError(t, err)
	t.Cleanup(func() { _ = stop() })

	state := t.TempDir()
	for k, v := range map[string]string{
		"PULUMI_HOME": t.TempDir(), "PULUMI_BACKEND_URL": "file://" + state, "PULUMI_CONFIG_PASSPHRASE": "live-tier",
		"PULUMI_SKIP_UPDATE_CHECK": "1", "PULUMI_DEBUG_PROVIDERS": "aws:" + strconv.Itoa(provider.Port),
		"AWS_ENDPOINT_URL_STS": "http://" + sts, "AWS_ENDPOINT_URL_SSM": "http://" + sts, "AWS_ACCESS_KEY_ID": "AKIAAWSFAKE", "AWS_SECRET_ACCESS_KEY": "awsfake",
		"AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "",
	} {
		t.Setenv(k, v)
	}
	return cloud
}

// deployment is what `mage deploy:env` builds: the deployment code over the
// Automation API and the CLI, guarded by the state backend's locks and
// pending operations.
type deployment struct {
	d      *deploy.Deployer
	runner *automation.Automation
	check  recovery.Checker
}

func newDeployment(root string, out io.Writer) (*deployment, error) {
	runner, err := automation.New(root, os.LookupEnv)
	if err != nil {
		return nil, err
	}
	runner.Programs = programs.ByLayer()
	runner.Command = &automation.Command{}
	store, err := statebackend.Open(context.Background(), runner.Backend)
	if err != nil {
		return nil, err
	}
	host, err := statebackend.ThisHost()
	if err != nil {
		return nil, err
	}
	check := recovery.Checker{Locks: store, States: recovery.BackendStates{Store: store}, Host: host, Layers: contract.Layers()}
	d := &deploy.Deployer{Root: root, Graph: deploy.Graph(), Runner: runner, Guard: check, Identity: deploy.STSIdentity{Region: "us-east-1"},
		Bootstrap: deploy.SSMBootstrap{}, CLI: automation.PulumiCLI{}, Out: out, Now: time.Now}
	return &deployment{d: d, runner: runner, check: check}, nil
}

// TestDevThroughThePulumiCLI bootstraps dev's account as its administrator,
// then, as the pipeline's roles, deploys dev through the deployment code and
// the real CLI, deploys again (nothing changes), finds a console edit with
// the drift check (the read-only role), puts it back (the deployer), and
// destroys to the bootstrap, whose teardown leaves nothing.
func TestDevThroughThePulumiCLI(t *testing.T) {
	cloud := standIn(t)
	root := stackFiles(t)
	out := &bytes.Buffer{}
	dep, err := newDeployment(root, out)
	require.NoError(t, err)
	d, runner := dep.d, dep.runner
	ctx := context.Background()
	timed := func(name string, f func() error) {
		t.Helper()
		start := time.Now()
		err := f()
		t.Logf("%s: %s", name, time.Since(start).Round(100*time.Millisecond))
		require.NoError(t, err, out.String())
	}

	_, err = d.Run(ctx, deploy.Up, "dev")
	require.ErrorIs(t, err, deploy.ErrNotBootstrapped, "an account nobody bootstrapped is refused")
	assert.Empty(t, cloud.Resources(), "before anything is touched")
	admin := bootstrapAccount(t, ctx, root, out)
	bootstrapped := live(cloud)
	assert.Contains(t, bootstrapped, "aws:iam/role:Role deployer")
	assert.Contains(t, bootstrapped, "aws:iam/policy:Policy permissions-boundary-dev-pay01")

	// From here on the pipeline's roles run dev, as CI runs it: every API
	// call the provider makes is evaluated under the role's live documents.
	deployer, readOnly := "arn:aws:iam::123456789012:role/payments-pipeline-deployer", "arn:aws:iam::123456789012:role/payments-pipeline-readonly"
	cloud.CallAs(deployer)
	var first deploy.Report
	timed("first deploy", func() (err error) { first, err = d.Run(ctx, deploy.Up, "dev"); return })
	for _, l := range first.Layers {
		assert.NotZero(t, l.Changes["create"], "layer %s created nothing", l.Layer)
	}
	assert.Equal(t, planned(t, "dev"), without(live(cloud), bootstrapped), "the account holds exactly what the offline plan says dev has, beside its bootstrap")
	err = admin.Env(ctx, deploy.Destroy, "dev")
	require.ErrorIs(t, err, bootstrap.ErrLayersRemain, "the bootstrap outlives the environment it serves")
	assert.Contains(t, err.Error(), "network: aws:ec2/vpc:Vpc vpc")

	var second deploy.Report
	timed("second deploy", func() (err error) { second, err = d.Run(ctx, deploy.Up, "dev"); return })
	for _, l := range second.Layers {
		for kind, n := range l.Changes {
			assert.True(t, kind == "same", "%s: a second deploy changes nothing, got %s=%d", l.Layer, kind, n)
		}
	}

	require.NoError(t, cloud.Edit("aws:lambda/function:Function", "payment-processor", func(in resource.PropertyMap) {
		in["memorySize"] = resource.NewNumberProperty(128)
	}))
	cloud.CallAs(readOnly)
	timed("drift check", func() error {
		report, err := d.Drift(ctx, "dev", runner)
		if err == nil {
			require.Len(t, report.Drifted, 1)
			assert.Equal(t, "memorySize", report.Drifted[0].Properties[0].Path)
		}
		return err
	})
	_, _, err = d.Revert(ctx, "dev", runner)
	require.ErrorContains(t, err, "AccessDenied: "+readOnly+" is not authorized to perform lambda:UpdateFunctionConfiguration",
		"the read-only role cannot put it back")
	cloud.CallAs(deployer)
	timed("revert", func() error { _, _, err := d.Revert(ctx, "dev", runner); return err })
	timed("destroy", func() error { _, err := d.Run(ctx, deploy.Destroy, "dev"); return err })
	assert.Equal(t, bootstrapped, live(cloud), "destroy leaves nothing in the account but its bootstrap")
	cloud.CallAs("") // the account's administrator
	timed("bootstrap teardown", func() error { return admin.Env(ctx, deploy.Destroy, "dev") })
	assert.Empty(t, cloud.Resources(), "and the bootstrap's teardown leaves nothing")
}

// bootstrapAccount runs `bootstrap:env dev` through the CLI, as the
// account's administrator, and returns the bootstrapper for its teardown.
func bootstrapAccount(t *testing.T, ctx context.Context, root string, out io.Writer) *bootstrap.Bootstrapper {
	t.Helper()
	admin, closeStore, err := bootstrap.New(ctx, root, "dev", &automation.Command{}, out)
	require.NoError(t, err)
	t.Cleanup(func() { _ = closeStore() })
	admin.Identity = deploy.STSIdentity{Region: "us-east-1"}
	start := time.Now()
	require.NoError(t, admin.Env(ctx, deploy.Up, "dev"))
	t.Logf("bootstrap: %s", time.Since(start).Round(100*time.Millisecond))
	return admin
}

// without is list less every entry of drop.
func without(list, drop []string) []string {
	var out []string
	for _, s := range list {
		if !slices.Contains(drop, s) {
			out = append(out, s)
		}
	}
	return out
}
