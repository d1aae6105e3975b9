package adopt

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/cost"
	"github.com/acmepay/platform/internal/drift"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/profile"
)

const fnURN = "urn:pulumi:prod::compute::payments:compute:PaymentFunction$aws:lambda/function:Function::payment-processor"

// root copies the repository's stack files and planned manifests.
func root(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, layer := range []string{"network", "data", "compute", "observability"} {
		for _, env := range []string{"dev", "staging", "prod"} {
			for _, rel := range []string{filepath.Join(layer, "Pulumi."+env+".yaml"), filepath.Join("manifests", "planned", env+".json")} {
				raw, err := os.ReadFile(filepath.Join("..", "..", rel))
				require.NoError(t, err)
				require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755))
				require.NoError(t, os.WriteFile(filepath.Join(dir, rel), raw, 0o644))
			}
		}
	}
	return dir
}

func memoryDrift(live float64) drift.Report {
	return drift.Report{Environment: "prod", Account: fixture.ProdAccount, Drifted: []drift.Resource{{
		Layer: "compute", URN: fnURN, Type: "aws:lambda/function:Function", Name: "payment-processor", Kind: drift.Modified,
		Properties: []drift.Property{{Path: "memorySize", Kind: "update", Recorded: 2048.0, Live: live}},
	}}}
}

func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		raw, err := os.ReadFile(p)
		out[p] = string(raw)
		return err
	}))
	return out
}

func noPlan(context.Context, string, string) (cost.Report, error) { return cost.Report{}, nil }

func TestBadInputIsRefusedAndChangesNoFile(t *testing.T) {
	otherEnv := memoryDrift(3008)
	otherEnv.Environment = "qa"
	otherAccount := memoryDrift(3008)
	otherAccount.Account = fixture.DevAccount
	stale := memoryDrift(3008)
	stale.Drifted[0].URN = "urn:pulumi:prod::compute::payments:compute:PaymentFunction$aws:lambda/function:Function::refund-processor"
	cases := []struct {
		name   string
		report drift.Report
		dirty  []string
		plan   func(context.Context, string, string) (cost.Report, error)
		want   string
	}{
		{"another environment", otherEnv, nil, noPlan, `unknown environment "qa"`},
		{"another account", otherAccount, nil, noPlan, `the drift report of prod was taken in account "` + fixture.DevAccount + `", but prod is account ` + fixture.ProdAccount},
		{"a stale report", stale, nil, noPlan, "the drift report is stale: " + stale.Drifted[0].URN + " is not in the environment's code any more"},
		{"a dirty working tree", memoryDrift(3008), []string{"compute/Pulumi.prod.yaml"}, noPlan, "uncommitted changes in compute/Pulumi.prod.yaml"},
		{"a value validation refuses", memoryDrift(99999), nil, noPlan, `payments:lambdaMemoryMb = "99999": allowed 128-10240`},
		{"a plan that fails", memoryDrift(3008), nil, func(context.Context, string, string) (cost.Report, error) {
			return cost.Report{}, errors.New("LAMBDA_ARM64 violated")
		}, "the plan of prod fails with the adopted values: LAMBDA_ARM64 violated"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := root(t)
			before := snapshot(t, dir)
			_, err := Run(context.Background(), Options{Root: dir, Reports: []drift.Report{tc.report}, Plan: tc.plan,
				Dirty: func(paths []string) ([]string, error) { return tc.dirty, nil }})
			require.ErrorIs(t, err, ErrRefused)
			assert.Contains(t, err.Error(), tc.want)
			assert.Equal(t, before, snapshot(t, dir), "no file changed")
		})
	}
}

func TestAdoptionWritesTheOwningLayersFile(t *testing.T) {
	dir := root(t)
	var planned []string
	res, err := Run(context.Background(), Options{Root: dir, Reports: []drift.Report{memoryDrift(3008)},
		Plan: func(_ context.Context, _, env string) (cost.Report, error) {
			planned = append(planned, env)
			return cost.Report{Environment: env}, nil
		}})
	require.NoError(t, err)
	assert.Equal(t, []Change{{Environment: "prod", File: "compute/Pulumi.prod.yaml", Setting: "payments:lambdaMemoryMb", Old: "2048", New: "3008",
		Why: "aws:lambda/function:Function payment-processor memorySize was changed by hand in prod"}}, res.Changes)
	assert.Equal(t, []string{"prod"}, planned, "only the touched environment is re-planned")
	cfg, err := profile.ReadStackFile(filepath.Join(dir, "compute", "Pulumi.prod.yaml"))
	require.NoError(t, err)
	assert.Equal(t, "3008", cfg["payments:lambdaMemoryMb"])
	require.NoError(t, res.Write(filepath.Join(dir, "drift")))
	assert.FileExists(t, filepath.Join(dir, "drift", "adopt.json"))
	body, err := os.ReadFile(filepath.Join(dir, "drift", "adopt.md"))
	require.NoError(t, err)
	assert.Contains(t, string(body), "| prod | `payments:lambdaMemoryMb` | 2048 | 3008 | `compute/Pulumi.prod.yaml` |")
}

func TestClassification(t *testing.T) {
	report := drift.Report{Environment: "prod", Drifted: []drift.Resource{
		{Type: "aws:cloudwatch/logGroup:LogGroup", Name: "vpc-flow-logs", Kind: drift.Modified, Properties: []drift.Property{{Path: "retentionInDays", Live: 400.0}}},
		{Type: "aws:cloudwatch/logGroup:LogGroup", Name: "payment-processor", Kind: drift.Modified, Properties: []drift.Property{{Path: "retentionInDays", Live: 400.0}}},
		{Type: "aws:cloudwatch/metricAlarm:MetricAlarm", Name: "transactions-write-throttles", Kind: drift.Modified, Properties: []drift.Property{{Path: "threshold", Live: 2.0}}},
		{Type: "aws:cloudwatch/metricAlarm:MetricAlarm", Name: "payment-processor-duration", Kind: drift.Modified, Properties: []drift.Property{{Path: "threshold", Live: 9000.0}}},
		{Type: "aws:iam/rolePolicy:RolePolicy", Name: "payment-processor", Kind: drift.Modified, Properties: []drift.Property{{Path: "policy", Live: "{}"}}},
		{Type: "aws:ec2/route:Route", Name: "vpc-public-default", Kind: drift.Modified, Properties: []drift.Property{{Path: "gatewayId", Live: "igw-x"}}},
	}}
	adoptable, revertOnly := Classify(report)
	var settings []string
	for _, f := range adoptable {
		settings = append(settings, f.Setting)
	}
	assert.Equal(t, []string{"payments:flowLogRetentionDays", "payments:logRetentionDays", "payments:tableThrottleThreshold"}, settings)
	var reasons []string
	for _, f := range revertOnly {
		reasons = append(reasons, f.Reason)
	}
	assert.Equal(t, []string{
		"threshold of aws:cloudwatch/metricAlarm:MetricAlarm is set in code, not by a setting",
		"IAM and key policies are code (pkg/workload, pkg/component)",
		"routes are code (pkg/component)",
	}, reasons)
}

func TestGitDirtyNamesChangedFilesOnly(t *testing.T) {
	dir := t.TempDir()
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-c", "user.email=t@example.com", "-c", "user.name=t"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
	}
	git("init", "-q")
	for _, f := range []string{"a.yaml", "b.yaml"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), []byte("x: 1\n"), 0o644))
	}
	git("add", ".")
	git("commit", "-q", "-m", "init")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.yaml"), []byte("x: 2\n"), 0o644))
	dirty, err := GitDirty(dir)([]string{"a.yaml", "b.yaml"})
	require.NoError(t, err)
	assert.Equal(t, []string{"b.yaml"}, dirty)
}
