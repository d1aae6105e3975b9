package adopt

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/cost"
	"github.com/acmepay/platform/internal/drift"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/profile"
)

const commit = "4f1c2a9e8d7b6c5a4f1c2a9e8d7b6c5a4f1c2a9e"

var accounts = map[string]string{"dev": fixture.DevAccount, "staging": fixture.StagingAccount, "prod": fixture.ProdAccount}

func fnURNIn(env string) string {
	return "urn:pulumi:" + env + "::compute::payments:compute:PaymentFunction$aws:lambda/function:Function::payment-processor"
}

// functionDrift is a night's report of env in which the function's
// properties were changed by hand to the given live values.
func functionDrift(env string, live map[string]float64) drift.Report {
	r := drift.Report{Environment: env, Account: accounts[env], Commit: commit}
	var props []drift.Property
	for _, path := range []string{"memorySize", "timeout"} {
		if v, ok := live[path]; ok {
			props = append(props, drift.Property{Path: path, Kind: "update", Recorded: 1.0, Live: v})
		}
	}
	r.Drifted = []drift.Resource{{Layer: "compute", URN: fnURNIn(env), Type: "aws:lambda/function:Function",
		Name: "payment-processor", Kind: drift.Modified, Properties: props}}
	return r
}

func TestTheMergedReportIsOneTableOfEveryEnvironment(t *testing.T) {
	staging := functionDrift("staging", map[string]float64{"timeout": 15})
	prod := drift.Report{Environment: "prod", Account: accounts["prod"], Commit: commit,
		Drifted: []drift.Resource{
			{Layer: "compute", URN: fnURNIn("prod"), Type: "aws:lambda/function:Function", Name: "payment-processor", Kind: drift.Modified,
				Properties: []drift.Property{{Path: "tags.CostCenter", Kind: "delete", Recorded: "payments"}}},
			{Layer: "network", URN: "urn:pulumi:prod::network::aws:ec2/route:Route::vpc-private-2-default", Type: "aws:ec2/route:Route",
				Name: "vpc-private-2-default", Kind: drift.Deleted},
		},
		Excepted: []drift.Resource{{Layer: "observability", Type: "aws:cloudwatch/metricAlarm:MetricAlarm", Name: "payment-processor-errors",
			Kind: drift.Modified, Properties: []drift.Property{{Path: "threshold", Recorded: 5.0, Live: 20.0,
				Exception: &drift.Exception{Reason: "incident 4711 load test", Approver: "jane.doe", Expires: "2026-12-15"}}}}},
	}
	dev := drift.Report{Environment: "dev", Account: accounts["dev"], Commit: commit}

	// Given out of order, merged in promotion order.
	n, err := Merge([]drift.Report{prod, dev, staging})
	require.NoError(t, err)
	assert.Equal(t, commit, n.Commit)
	assert.Equal(t, []string{"dev", "staging", "prod"}, n.Environments)
	assert.Empty(t, n.Missing)
	assert.Equal(t, []Row{
		{Environment: "staging", Layer: "compute", Resource: "payment-processor", Type: "aws:lambda/function:Function", Property: "timeout",
			Live: 15.0, Code: 1.0, Class: ClassAdoptable, Setting: "payments:lambdaTimeoutSeconds"},
		{Environment: "prod", Layer: "compute", Resource: "payment-processor", Type: "aws:lambda/function:Function", Property: "tags.CostCenter",
			Code: "payments", Class: ClassRevertOnly, Reason: "tags are set by the tagging transformation in code (pkg/tagging)"},
		{Environment: "prod", Layer: "network", Resource: "vpc-private-2-default", Type: "aws:ec2/route:Route",
			Class: ClassRevertOnly, Reason: "the resource was deleted; only a deployment recreates it"},
		{Environment: "prod", Layer: "observability", Resource: "payment-processor-errors", Type: "aws:cloudwatch/metricAlarm:MetricAlarm",
			Property: "threshold", Live: 20.0, Code: 5.0, Class: ClassExcepted, Reason: "incident 4711 load test (approved by jane.doe)", Until: "2026-12-15"},
	}, n.Rows)

	var md strings.Builder
	n.Markdown(&md)
	assert.Equal(t, `## Drift: hand changes in staging, prod

Checked from commit `+"`"+commit+"`"+`.

- **dev**: no drift
- **staging**: 1 drifted property
- **prod**: 2 drifted properties

| environment | layer | resource | property | live | code | classification |
|---|---|---|---|---|---|---|
| staging | compute | payment-processor `+"`aws:lambda/function:Function` | `timeout` | `15` | `1` | adoptable: `payments:lambdaTimeoutSeconds`"+` |
| prod | compute | payment-processor `+"`aws:lambda/function:Function` | `tags.CostCenter` | (absent) | `\"payments\"`"+` | revert-only: tags are set by the tagging transformation in code (pkg/tagging) |
| prod | network | vpc-private-2-default `+"`aws:ec2/route:Route`"+` |  | (absent) | (absent) | revert-only: the resource was deleted; only a deployment recreates it |
| prod | observability | payment-processor-errors `+"`aws:cloudwatch/metricAlarm:MetricAlarm` | `threshold` | `20` | `5`"+` | excepted until 2026-12-15: incident 4711 load test (approved by jane.doe) |
`, md.String())

	// A night in which one environment's check wrote no report says so.
	n, err = Merge([]drift.Report{dev, staging})
	require.NoError(t, err)
	assert.Equal(t, []string{"prod"}, n.Missing)
	md.Reset()
	n.Markdown(&md)
	assert.Contains(t, md.String(), "- **prod**: no report yet: no drift check of prod was run (`go run mage.go drift:env prod` writes one)")
	n.Failed = map[string]string{"prod": "drift prod: reading the state: AccessDenied"}
	md.Reset()
	n.Markdown(&md)
	assert.Contains(t, md.String(), "- **prod**: no report: its drift check failed (drift prod: reading the state: AccessDenied); see its job's log")

	n, err = Merge([]drift.Report{dev})
	require.NoError(t, err)
	md.Reset()
	n.Markdown(&md)
	assert.Contains(t, md.String(), "## Drift: no hand changes in the environments checked")
	assert.NotContains(t, md.String(), "| environment |", "no table without drift")
}

func TestReportsThatAreNotOneNightAreRefused(t *testing.T) {
	other := functionDrift("prod", map[string]float64{"timeout": 15})
	other.Commit = "9999999999999999999999999999999999999999"
	unknown := functionDrift("prod", nil)
	unknown.Environment = "qa"
	noCommit := functionDrift("prod", nil)
	noCommit.Commit = ""
	cases := []struct {
		name    string
		reports []drift.Report
		want    string
	}{
		{"different commits", []drift.Report{functionDrift("staging", nil), other},
			"the drift reports come from different commits: staging's from " + commit + ", prod's from 9999999999999999999999999999999999999999"},
		{"a report without a commit beside one with", []drift.Report{functionDrift("staging", nil), noCommit},
			"staging's from " + commit + ", prod's from no recorded commit"},
		{"an unknown environment", []drift.Report{functionDrift("staging", nil), unknown}, `unknown environment "qa"`},
		{"two reports of one environment", []drift.Report{functionDrift("prod", nil), functionDrift("prod", map[string]float64{"timeout": 15})},
			"two drift reports for prod"},
		{"no report", nil, "no drift report"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Merge(tc.reports)
			require.ErrorIs(t, err, ErrRefused)
			assert.Contains(t, err.Error(), tc.want)

			dir := root(t)
			before := snapshot(t, dir)
			_, err = Run(context.Background(), Options{Root: dir, Reports: tc.reports, Plan: noPlan})
			require.ErrorIs(t, err, ErrRefused)
			assert.Contains(t, err.Error(), tc.want)
			assert.Equal(t, before, snapshot(t, dir), "no file changed")
		})
	}
}

func TestReadReportsTakesEachEnvironmentsReportAndNothingElse(t *testing.T) {
	dir := t.TempDir()
	for _, r := range []drift.Report{functionDrift("dev", nil), functionDrift("prod", map[string]float64{"timeout": 15})} {
		_, err := r.WriteJSON(dir)
		require.NoError(t, err)
	}
	// What drift:report and drift:adopt wrote before is not a report.
	for _, name := range []string{"report.json", "adopt.json", "prod.adopt.json"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(`{"rows": []}`), 0o644))
	}
	reports, err := ReadReports(dir)
	require.NoError(t, err)
	var envs []string
	for _, r := range reports {
		envs = append(envs, r.Environment)
	}
	assert.ElementsMatch(t, []string{"dev", "prod"}, envs)

	// A report under another environment's name is refused.
	raw, err := os.ReadFile(filepath.Join(dir, "prod.json"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "staging.json"), raw, 0o644))
	_, err = ReadReports(dir)
	require.ErrorIs(t, err, ErrRefused)
	assert.Contains(t, err.Error(), `staging.json holds the drift report of "prod"`)

	_, err = ReadReports(t.TempDir())
	assert.ErrorContains(t, err, "no drift report in")
}

// A same-everywhere setting (the function's timeout) drifted in staging and
// prod: adopted once, for all three environments, when both drifted to the
// same value; refused, naming both, when they did not, while the rest of
// the night is adopted.
func TestASameEverywhereSettingDriftedInTwoEnvironments(t *testing.T) {
	planned := func(got *[]string) func(context.Context, string, string) (cost.Report, error) {
		return func(_ context.Context, _, env string) (cost.Report, error) {
			*got = append(*got, env)
			return cost.Report{Environment: env}, nil
		}
	}
	t.Run("to the same value", func(t *testing.T) {
		dir := root(t)
		var got []string
		res, err := Run(context.Background(), Options{Root: dir, Plan: planned(&got), Reports: []drift.Report{
			functionDrift("prod", map[string]float64{"timeout": 15}), functionDrift("staging", map[string]float64{"timeout": 15}),
		}})
		require.NoError(t, err)
		why := "aws:lambda/function:Function payment-processor timeout was changed by hand in staging and prod; " +
			"the setting is the same everywhere, so every environment gets it"
		assert.Equal(t, []Change{
			{Environment: "dev", File: "compute/Pulumi.dev.yaml", Setting: "payments:lambdaTimeoutSeconds", Old: "10", New: "15", Why: why},
			{Environment: "staging", File: "compute/Pulumi.staging.yaml", Setting: "payments:lambdaTimeoutSeconds", Old: "10", New: "15", Why: why},
			{Environment: "prod", File: "compute/Pulumi.prod.yaml", Setting: "payments:lambdaTimeoutSeconds", Old: "10", New: "15", Why: why},
		}, res.Changes, "one change per environment, not one per report")
		assert.Empty(t, res.Refused)
		assert.Equal(t, []string{"dev", "staging", "prod"}, got, "each environment is re-planned once")
		for _, env := range []string{"dev", "staging", "prod"} {
			cfg, err := profile.ReadStackFile(filepath.Join(dir, "compute", "Pulumi."+env+".yaml"))
			require.NoError(t, err)
			assert.Equal(t, "15", cfg["payments:lambdaTimeoutSeconds"], env)
		}
	})
	t.Run("to different values", func(t *testing.T) {
		dir := root(t)
		var got []string
		res, err := Run(context.Background(), Options{Root: dir, Plan: planned(&got), Reports: []drift.Report{
			functionDrift("prod", map[string]float64{"timeout": 20, "memorySize": 3008}),
			functionDrift("staging", map[string]float64{"timeout": 15}),
		}})
		require.NoError(t, err)
		require.Len(t, res.Refused, 1)
		assert.Equal(t, "payments:lambdaTimeoutSeconds", res.Refused[0].Setting)
		assert.Contains(t, res.Refused[0].Reason, "it must be the same in every environment, but staging drifted to 15 (payment-processor timeout) and prod to 20 (payment-processor timeout)")
		assert.Equal(t, []Change{{Environment: "prod", File: "compute/Pulumi.prod.yaml", Setting: "payments:lambdaMemoryMb", Old: "2048", New: "3008",
			Why: "aws:lambda/function:Function payment-processor memorySize was changed by hand in prod"}}, res.Changes, "the rest is adopted")
		assert.Equal(t, []string{"prod"}, got)
		for _, env := range []string{"dev", "staging", "prod"} {
			cfg, err := profile.ReadStackFile(filepath.Join(dir, "compute", "Pulumi."+env+".yaml"))
			require.NoError(t, err)
			assert.NotContains(t, cfg, "payments:lambdaTimeoutSeconds", "%s's timeout is left as the code has it", env)
		}
		var md strings.Builder
		res.Markdown(&md)
		assert.Contains(t, md.String(), "## Not adopted\n\n| setting | why |\n|---|---|\n| `payments:lambdaTimeoutSeconds` | it must be the same")
	})
	t.Run("to two values in one environment", func(t *testing.T) {
		r := functionDrift("prod", map[string]float64{"memorySize": 3008})
		r.Drifted = append(r.Drifted, drift.Resource{Layer: "compute", URN: fnURNIn("prod"), Type: "aws:lambda/function:Function",
			Name: "payment-processor", Kind: drift.Modified, Properties: []drift.Property{{Path: "memorySize", Live: 4096.0}}})
		dir := root(t)
		before := snapshot(t, dir)
		res, err := Run(context.Background(), Options{Root: dir, Plan: noPlan, Reports: []drift.Report{r}})
		require.NoError(t, err)
		assert.Empty(t, res.Changes)
		require.Len(t, res.Refused, 1)
		assert.Equal(t, "in prod it would take two values: 3008 from payment-processor memorySize, 4096 from payment-processor memorySize", res.Refused[0].Reason)
		assert.Equal(t, before, snapshot(t, dir), "no file changed")
	})
}

// drift:env leaves <env>.failed when its check fails; a later report of
// the same environment supersedes it.
func TestReadFailuresTellsAFailedCheckFromOneNeverRun(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, WriteFailure(dir, "prod", errors.New("drift prod: refreshing layer network: AccessDenied\nmore detail")))
	require.NoError(t, WriteFailure(dir, "staging", errors.New("drift staging: locked")))
	// staging's check ran again and wrote its report after the failure.
	later := time.Now().Add(time.Minute)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "staging.json"), []byte("{}"), 0o644))
	require.NoError(t, os.Chtimes(filepath.Join(dir, "staging.json"), later, later))
	failed, err := ReadFailures(dir)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"prod": "drift prod: refreshing layer network: AccessDenied"}, failed)
}
