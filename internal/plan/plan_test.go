package plan

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/offline"
	"github.com/acmepay/platform/pkg/fixture"
)

func TestPlanPrintsEveryLayerAndWritesAPlannedManifest(t *testing.T) {
	var out bytes.Buffer
	dir := t.TempDir()
	res, err := Run(context.Background(), Options{Root: "../..", Env: "dev", Out: &out, ManifestDir: dir, CostDir: t.TempDir()})
	require.NoError(t, err)
	text := out.String()
	for _, want := range []string{
		"offline plan of dev (account " + fixture.DevAccount,
		"network        planning... ",
		"observability  planning... ",
		"ec2:Vpc                    vpc-dev-" + fixture.DevSuffix,
		"payment-processor-dev-" + fixture.DevSuffix,
		"memorySize=512",
		"billingMode=PAY_PER_REQUEST",
		"metricName=Errors statistic=Sum threshold=10",
	} {
		assert.Contains(t, text, want)
	}
	assert.NotContains(t, text, "flow-log", "dev has no flow logs")

	raw, err := os.ReadFile(filepath.Join(dir, "dev.json"))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	assert.Equal(t, "planned", m["status"])
	assert.Equal(t, "dev", m["environment"])
	assert.NotContains(t, m, "provenance", "a planned manifest carries no timestamp or commit")
	assert.Equal(t, res.ManifestPath, filepath.Join(dir, "dev.json"))
}

func TestUnknownEnvironment(t *testing.T) {
	_, err := Run(context.Background(), Options{Root: "../..", Env: "qa", Out: io.Discard, ManifestDir: "-", CostDir: "-"})
	require.Error(t, err)
	assert.Equal(t, `unknown environment "qa": allowed dev, staging, prod`, err.Error())
}

// Every infrastructure change shows up in review as a diff of the committed
// planned manifests: this fails when the code would plan something else.
func TestCommittedPlannedManifestsAreCurrent(t *testing.T) {
	for _, env := range []string{"dev", "staging", "prod"} {
		t.Run(env, func(t *testing.T) {
			res, err := Run(context.Background(), Options{Root: "../..", Env: env, Out: io.Discard, ManifestDir: "-", CostDir: "-"})
			require.NoError(t, err)
			want, err := res.Manifest.JSON()
			require.NoError(t, err)
			got, err := os.ReadFile(filepath.Join("../..", ManifestDir, env+".json"))
			require.NoError(t, err, "manifests/planned/%s.json is missing: run `go run mage.go plan:env %s` and commit it", env, env)
			assert.Equal(t, string(want), string(got), "manifests/planned/%s.json is stale: run `go run mage.go plan:env %s` and commit the diff", env, env)
			wantCost, err := res.Cost.JSON()
			require.NoError(t, err)
			gotCost, err := os.ReadFile(filepath.Join("../..", "costs", env+".json"))
			require.NoError(t, err, "costs/%s.json is missing: run `go run mage.go plan:env %s` and commit it", env, env)
			assert.Equal(t, string(wantCost), string(gotCost), "costs/%s.json is stale: run `go run mage.go plan:env %s` and commit the diff", env, env)
		})
	}
}

// warmUp builds the payment function once (the build is memoised per
// process), so the benchmarks measure planning, not compiling.
func warmUp(b *testing.B) {
	if _, err := Run(context.Background(), Options{Root: "../..", Env: "dev", Out: io.Discard, ManifestDir: "-", CostDir: "-"}); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkPlanDev(b *testing.B) {
	warmUp(b)
	for b.Loop() {
		if _, err := Run(context.Background(), Options{Root: "../..", Env: "dev", Out: io.Discard, ManifestDir: "-", CostDir: "-"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPlanAllEnvironments(b *testing.B) {
	warmUp(b)
	for b.Loop() {
		for _, env := range []string{"dev", "staging", "prod"} {
			if _, err := Run(context.Background(), Options{Root: "../..", Env: env, Out: io.Discard, ManifestDir: "-", CostDir: "-"}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// Bad input stops the plan before any layer is planned: every layer's stack
// file of every environment is read and checked first, as a deployment does.
func TestBadStackConfigStopsThePlanBeforeAnyLayer(t *testing.T) {
	root := t.TempDir()
	for _, layer := range []string{"network", "data", "compute", "observability"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, layer), 0o755))
		for _, env := range []string{"dev", "staging", "prod"} {
			raw, err := os.ReadFile(filepath.Join("../..", layer, "Pulumi."+env+".yaml"))
			require.NoError(t, err)
			if layer == "compute" && env == "prod" {
				raw = append(raw, "  payments:lambdaMemoryMB: 4096\n"...)
			}
			require.NoError(t, os.WriteFile(filepath.Join(root, layer, "Pulumi."+env+".yaml"), raw, 0o644))
		}
	}
	var out bytes.Buffer
	_, err := Run(context.Background(), Options{Root: root, Env: "prod", Out: &out, ManifestDir: "-", CostDir: "-"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "compute/Pulumi.prod.yaml")
	assert.Contains(t, err.Error(), `config payments:lambdaMemoryMB = "4096" is not a payments setting (did you mean payments:lambdaMemoryMb?)`)
	assert.NotContains(t, out.String(), "planning", "no layer was planned")
}

// The offline plan runs as the pipeline's deployer: a layer change that
// asks for what the deployer's ceiling denies fails the plan, naming the
// role, the action, the resource and the statement that denies it, before
// anyone meets it as an AccessDenied half-way through a deployment.
func TestAPlanAskingBeyondTheDeployersCeilingFails(t *testing.T) {
	network := offline.Programs["network"]
	offline.Programs["network"] = func(ctx *pulumi.Context) error {
		if err := network(ctx); err != nil {
			return err
		}
		// "Tidy the boundary": a layer that writes a policy named like it.
		_, err := iam.NewPolicy(ctx, "tidy-boundary", &iam.PolicyArgs{
			Name:   pulumi.String("permissions-boundary-dev-" + fixture.DevSuffix),
			Policy: pulumi.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*"],"Resource":["*"]}]}`),
		})
		return err
	}
	t.Cleanup(func() { offline.Programs["network"] = network })
	_, err := Run(context.Background(), Options{Root: "../..", Env: "dev", Out: io.Discard, ManifestDir: "-", CostDir: "-"})
	require.Error(t, err)
	for _, want := range []string{
		"arn:aws:iam::" + fixture.DevAccount + ":role/payments-pipeline-deployer", "iam:CreatePolicy",
		"arn:aws:iam::" + fixture.DevAccount + ":policy/permissions-boundary-dev-" + fixture.DevSuffix, "boundary/NothingBootstrapOwns",
	} {
		assert.Contains(t, err.Error(), want)
	}
}

// The offline plan and its engine share the deployment's stages through
// pkg/stage, not through the deployment's orchestration: neither imports
// internal/deploy, directly or through another package.
func TestTheOfflinePlanDoesNotImportTheOrchestrator(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs the go command to list the packages' imports: " + err.Error())
	}
	for _, pkg := range []string{".", "../offline"} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		require.NoError(t, err, string(out))
		deps := strings.Fields(string(out))
		assert.Contains(t, deps, "github.com/acmepay/platform/pkg/stage", pkg)
		assert.NotContains(t, deps, "github.com/acmepay/platform/internal/deploy", pkg)
	}
}
