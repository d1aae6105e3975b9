package offline_test

// Closing the drift loop through the real engine: a hand edit on prod is
// found by the drift check, classified, adopted into the stack files (or
// listed as revert-only), the environments touched are re-planned, and a
// redeploy leaves no drift.

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/adopt"
	"github.com/acmepay/platform/internal/cost"
	"github.com/acmepay/platform/internal/deploy"
	"github.com/acmepay/platform/internal/drift"
	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/internal/offline"
	"github.com/acmepay/platform/internal/plan"
	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stage"
)

type accountOf string

func (a accountOf) AccountID(context.Context) (string, error) { return string(a), nil }

type inProcessCLI struct{}

func (inProcessCLI) Check(context.Context) (string, error) { return "in-process engine", nil }

// repoCopy copies what a plan and a deployment read (every layer's stack
// files, the waivers, the planned manifests) into a new root, so adoption
// can write files without touching the repository.
func repoCopy(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	copyFile := func(rel string) {
		raw, err := os.ReadFile(filepath.Join("..", "..", rel))
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(root, rel)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, rel), raw, 0o644))
	}
	for _, layer := range contract.Layers() {
		copyFile(filepath.Join(layer, "Pulumi.yaml"))
		for _, e := range profile.Environments() {
			copyFile(filepath.Join(layer, "Pulumi."+string(e)+".yaml"))
			copyFile(filepath.Join("manifests", "planned", string(e)+".json"))
			copyFile(filepath.Join("costs", string(e)+".json"))
		}
	}
	// The plan runs on an account holding its bootstrap.
	copyFile(filepath.Join("bootstrap", "Pulumi.yaml"))
	for _, e := range profile.Environments() {
		copyFile(filepath.Join("bootstrap", "Pulumi."+string(e)+".yaml"))
	}
	copyFile("compliance/waivers.yaml")
	copyFile("costs/prices.yaml")
	copyFile("costs/usage.yaml")
	return root
}

// deployedProd deploys prod from root through the deployment code.
func deployedProd(t *testing.T, root string) (*offline.Env, *deploy.Deployer, offline.Runner) {
	t.Helper()
	return deployed(t, root, profile.Prod)
}

func replan(ctx context.Context, root, env string) (cost.Report, error) {
	r, err := plan.Run(ctx, plan.Options{Root: root, Env: env, Out: &bytes.Buffer{}})
	return r.Cost, err
}

// plannedConfig is a property of a resource in an environment's planned
// manifest under root.
func plannedConfig(t *testing.T, root, env, typ, name, key string) any {
	t.Helper()
	m, err := manifest.ReadPlanned(root, env)
	require.NoError(t, err)
	for _, l := range m.Layers {
		for _, r := range l.Resources {
			if r.Type == typ && r.LogicalName == name {
				return r.Config[key]
			}
		}
	}
	t.Fatalf("no %s %s in %s's planned manifest", typ, name, env)
	return nil
}

func setNumber(key resource.PropertyKey, v float64) func(resource.PropertyMap) {
	return func(in resource.PropertyMap) { in[key] = resource.NewNumberProperty(v) }
}

func TestAdoptingHandEditsOnProd(t *testing.T) {
	const (
		fn    = "aws:lambda/function:Function"
		group = "aws:cloudwatch/logGroup:LogGroup"
		alarm = "aws:cloudwatch/metricAlarm:MetricAlarm"
		scale = "aws:appautoscaling/target:Target"
	)
	type change struct{ env, file, setting, value string }
	cases := []struct {
		name string
		edit func(e *offline.Env) error
		// want are the overrides written; revert is the reason of a
		// revert-only property; refused is part of the refusal.
		want    []change
		revert  string
		refused string
		// after checks the planned manifests once adopted.
		after func(t *testing.T, root string)
	}{
		{name: "memory", edit: func(e *offline.Env) error {
			return e.Cloud.Edit(fn, "payment-processor", setNumber("memorySize", 3008))
		},
			want: []change{{"prod", "compute/Pulumi.prod.yaml", "payments:lambdaMemoryMb", "3008"}},
			after: func(t *testing.T, root string) {
				assert.EqualValues(t, 3008, plannedConfig(t, root, "prod", fn, "payment-processor", "memorySize"))
				assert.EqualValues(t, 1024, plannedConfig(t, root, "staging", fn, "payment-processor", "memorySize"), "a per-environment setting stays prod's")
			}},
		{name: "timeout", edit: func(e *offline.Env) error { return e.Cloud.Edit(fn, "payment-processor", setNumber("timeout", 15)) },
			want: []change{
				{"dev", "compute/Pulumi.dev.yaml", "payments:lambdaTimeoutSeconds", "15"},
				{"staging", "compute/Pulumi.staging.yaml", "payments:lambdaTimeoutSeconds", "15"},
				{"prod", "compute/Pulumi.prod.yaml", "payments:lambdaTimeoutSeconds", "15"},
			},
			after: func(t *testing.T, root string) {
				for _, env := range []string{"dev", "staging", "prod"} {
					assert.EqualValues(t, 15, plannedConfig(t, root, env, fn, "payment-processor", "timeout"), "%s reaches the hand change through code", env)
					assert.EqualValues(t, 12000, plannedConfig(t, root, env, alarm, "payment-processor-duration", "threshold"), "%s's duration alarm follows", env)
				}
			}},
		{name: "log retention", edit: func(e *offline.Env) error {
			return e.Cloud.Edit(group, "payment-processor", setNumber("retentionInDays", 400))
		}, want: []change{{"prod", "compute/Pulumi.prod.yaml", "payments:logRetentionDays", "400"}}},
		{name: "audit expiration", edit: func(e *offline.Env) error {
			return e.Cloud.Edit("aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "audit-logs", func(in resource.PropertyMap) {
				in["rules"].ArrayValue()[0].ObjectValue()["expiration"].ObjectValue()["days"] = resource.NewNumberProperty(400)
			})
		}, want: []change{{"prod", "data/Pulumi.prod.yaml", "payments:auditLogExpirationDays", "400"}},
			after: func(t *testing.T, root string) {
				lock := plannedConfig(t, root, "prod", "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2", "audit-logs", "rule")
				assert.EqualValues(t, 400, lock.(map[string]any)["defaultRetention"].(map[string]any)["days"], "the lock follows the expiration")
			}},
		{name: "alarm threshold", edit: func(e *offline.Env) error {
			return e.Cloud.Edit(alarm, "payment-processor-errors", setNumber("threshold", 3))
		}, want: []change{{"prod", "observability/Pulumi.prod.yaml", "payments:lambdaErrorsThreshold", "3"}}},
		{name: "read capacity floor", edit: func(e *offline.Env) error {
			return e.Cloud.Edit(scale, "transactions-table-read", setNumber("minCapacity", 40))
		}, want: []change{{"prod", "data/Pulumi.prod.yaml", "payments:tableReadCapacity", "40"}},
			after: func(t *testing.T, root string) {
				assert.EqualValues(t, 40, plannedConfig(t, root, "prod", scale, "transactions-index-read", "minCapacity"), "the index follows the table")
			}},
		{name: "autoscaling max", edit: func(e *offline.Env) error {
			return e.Cloud.Edit(scale, "transactions-table-write", setNumber("maxCapacity", 800))
		}, want: []change{{"prod", "data/Pulumi.prod.yaml", "payments:tableMaxWriteCapacity", "800"}}},
		{name: "PITR off in prod", edit: func(e *offline.Env) error {
			return e.Cloud.Edit("aws:dynamodb/table:Table", "transactions", func(in resource.PropertyMap) {
				in["pointInTimeRecovery"].ObjectValue()["enabled"] = resource.NewBoolProperty(false)
			})
		}, refused: `breaks the rule "point-in-time recovery on in production and off elsewhere" (prod, tier production)`},
		{name: "tag removed", edit: func(e *offline.Env) error {
			return e.Cloud.Edit(fn, "payment-processor", func(in resource.PropertyMap) { delete(in["tags"].ObjectValue(), "CostCenter") })
		}, revert: "tags are set by the tagging transformation in code"},
		{name: "security-group rule added", edit: func(e *offline.Env) error {
			return e.Cloud.Edit("aws:ec2/securityGroup:SecurityGroup", "payment-processor", func(in resource.PropertyMap) {
				in["ingress"] = resource.NewArrayProperty([]resource.PropertyValue{resource.NewObjectProperty(resource.PropertyMap{
					"protocol": resource.NewStringProperty("tcp"), "fromPort": resource.NewNumberProperty(22), "toPort": resource.NewNumberProperty(22),
					"cidrBlocks": resource.NewArrayProperty([]resource.PropertyValue{resource.NewStringProperty("0.0.0.0/0")}),
				})})
			})
		}, revert: "security-group rules are code"},
		{name: "NAT route deleted", edit: func(e *offline.Env) error { return e.Cloud.Remove("aws:ec2/route:Route", "vpc-private-2-default") },
			revert: "the resource was deleted"},
		{name: "function deleted", edit: func(e *offline.Env) error { return e.Cloud.Remove(fn, "payment-processor") },
			revert: "the resource was deleted"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			root := repoCopy(t)
			e, d, r := deployedProd(t, root)
			require.NoError(t, tc.edit(e))
			report, err := d.Drift(ctx, "prod", r)
			require.NoError(t, err)
			require.True(t, report.Any(), "the edit is drift")
			before := stackFiles(t, root)

			res, err := adopt.Run(ctx, adopt.Options{Root: root, Reports: []drift.Report{report}, Plan: replan})
			if tc.refused != "" {
				require.ErrorIs(t, err, adopt.ErrRefused)
				assert.Contains(t, err.Error(), tc.refused)
				assert.Equal(t, before, stackFiles(t, root), "a refused adoption changes no file")
			} else {
				require.NoError(t, err)
				var got []change
				for _, c := range res.Changes {
					got = append(got, change{c.Environment, c.File, c.Setting, c.New})
				}
				assert.ElementsMatch(t, tc.want, got)
				if tc.revert != "" {
					require.NotEmpty(t, res.RevertOnly)
					assert.Contains(t, res.RevertOnly[0].Reason, tc.revert)
					assert.Equal(t, before, stackFiles(t, root), "revert-only drift changes no file")
				}
				if tc.after != nil {
					tc.after(t, root)
				}
			}

			// Whatever was adopted is now code, and the deployment keeps
			// it; whatever was not stops the deployment of prod, until it
			// is put back on purpose (REVERT_DRIFT=prod).
			d.RevertDrift = ""
			_, err = d.Run(ctx, stage.Up, "prod")
			if tc.refused != "" || tc.revert != "" {
				require.ErrorIs(t, err, deploy.ErrDrift)
				d.RevertDrift = "prod"
				_, err = d.Run(ctx, stage.Up, "prod")
			}
			require.NoError(t, err)
			again, err := d.Drift(ctx, "prod", r)
			require.NoError(t, err)
			assert.False(t, again.Any(), "after the redeploy: %+v", again.Drifted)
		})
	}
}

func stackFiles(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, layer := range contract.Layers() {
		for _, e := range profile.Environments() {
			raw, err := os.ReadFile(filepath.Join(root, layer, "Pulumi."+string(e)+".yaml"))
			require.NoError(t, err)
			out[filepath.Join(layer, string(e))] = string(raw)
		}
	}
	return out
}

func TestAnUntouchedEnvironmentHasNoDriftThreeTimesRunning(t *testing.T) {
	root := repoCopy(t)
	_, d, r := deployedProd(t, root)
	for i := range 3 {
		report, err := d.Drift(context.Background(), "prod", r)
		require.NoError(t, err)
		assert.Equal(t, drift.Report{Environment: "prod", Account: fixture.ProdAccount}, report, "refresh %d", i+1)
	}
}

func TestRevertPutsBackWhatDrifted(t *testing.T) {
	root := repoCopy(t)
	e, d, r := deployedProd(t, root)
	out := &bytes.Buffer{}
	d.Out = out
	require.NoError(t, e.Cloud.Edit("aws:lambda/function:Function", "payment-processor", setNumber("memorySize", 128)))
	report, _, err := d.Revert(context.Background(), "prod", r)
	require.NoError(t, err)
	require.Len(t, report.Drifted, 1)
	assert.Contains(t, out.String(), "the deployment of prod will undo:")
	assert.Contains(t, out.String(), "memorySize")
	for _, res := range e.Cloud.Resources() {
		if res.Type == "aws:lambda/function:Function" {
			assert.EqualValues(t, 2048, res.Inputs["memorySize"].NumberValue(), "the recorded memory is back")
		}
	}
	again, err := d.Drift(context.Background(), "prod", r)
	require.NoError(t, err)
	assert.False(t, again.Any())
}

// deployed deploys env from root through the deployment code.
func deployed(t *testing.T, root string, env profile.Environment) (*offline.Env, *deploy.Deployer, offline.Runner) {
	t.Helper()
	e, err := offline.New(t, root, env)
	require.NoError(t, err)
	r := offline.Runner{Env: e, Commit: "0000000000000000000000000000000000000000"}
	d := &deploy.Deployer{Root: root, Graph: contract.Graph(), Runner: r, Identity: accountOf(e.Profile.AccountID),
		CLI: inProcessCLI{}, Out: &bytes.Buffer{}, Now: time.Now}
	_, err = d.Run(context.Background(), stage.Up, string(env))
	require.NoError(t, err)
	return e, d, r
}

// A night in which every environment drifted: dev's memory, staging's and
// prod's timeout (a same-everywhere setting, to one value), a tag removed
// in prod. The merged report shows all of it on one screen; one adoption
// writes each setting once and re-plans each environment once; after the
// adoption pull request is promoted, dev and staging have no drift and prod
// only stops on its revert-only tag.
func TestANightOfDriftInEveryEnvironmentBecomesOneReportAndOneAdoption(t *testing.T) {
	ctx := context.Background()
	root := repoCopy(t)
	const commit = "4f1c2a9e8d7b6c5a4f1c2a9e8d7b6c5a4f1c2a9e"
	type deployment struct {
		e *offline.Env
		d *deploy.Deployer
		r offline.Runner
	}
	envs := map[profile.Environment]deployment{}
	for _, env := range profile.Environments() {
		e, d, r := deployed(t, root, env)
		envs[env] = deployment{e, d, r}
	}
	const fn = "aws:lambda/function:Function"
	require.NoError(t, envs[profile.Dev].e.Cloud.Edit(fn, "payment-processor", setNumber("memorySize", 2048)))
	require.NoError(t, envs[profile.Staging].e.Cloud.Edit(fn, "payment-processor", setNumber("timeout", 15)))
	require.NoError(t, envs[profile.Prod].e.Cloud.Edit(fn, "payment-processor", func(in resource.PropertyMap) {
		in["timeout"] = resource.NewNumberProperty(15)
		delete(in["tags"].ObjectValue(), "CostCenter")
	}))
	var reports []drift.Report
	for _, env := range profile.Environments() {
		report, err := envs[env].d.Drift(ctx, string(env), envs[env].r)
		require.NoError(t, err)
		require.True(t, report.Any(), "%s drifted", env)
		report.Commit = commit
		reports = append(reports, report)
	}

	night, err := adopt.Merge(reports)
	require.NoError(t, err)
	var md strings.Builder
	night.Markdown(&md)
	t.Logf("the merged report:\n%s", md.String())
	for _, want := range []string{
		"## Drift: hand changes in dev, staging, prod",
		"| dev | compute | payment-processor `aws:lambda/function:Function` | `memorySize` | `2048` | `512` | adoptable: `payments:lambdaMemoryMb` |",
		"| staging | compute | payment-processor `aws:lambda/function:Function` | `timeout` | `15` | `10` | adoptable: `payments:lambdaTimeoutSeconds` |",
		"| prod | compute | payment-processor `aws:lambda/function:Function` | `timeout` | `15` | `10` | adoptable: `payments:lambdaTimeoutSeconds` |",
		"| prod | compute | payment-processor `aws:lambda/function:Function` | `tags.CostCenter` | (absent) | `\"payments-prod\"` | revert-only: tags are set by the tagging transformation in code (pkg/tagging) |",
	} {
		assert.Contains(t, md.String(), want)
	}

	var planned []string
	res, err := adopt.Run(ctx, adopt.Options{Root: root, Reports: reports, Plan: func(ctx context.Context, root, env string) (cost.Report, error) {
		planned = append(planned, env)
		r, err := plan.Run(ctx, plan.Options{Root: root, Env: env, Out: &bytes.Buffer{}})
		return r.Cost, err
	}})
	require.NoError(t, err)
	type change struct{ env, setting, value string }
	var got []change
	for _, c := range res.Changes {
		got = append(got, change{c.Environment, c.Setting, c.New})
	}
	assert.Equal(t, []change{
		{"dev", "payments:lambdaMemoryMb", "2048"},
		{"dev", "payments:lambdaTimeoutSeconds", "15"},
		{"staging", "payments:lambdaTimeoutSeconds", "15"},
		{"prod", "payments:lambdaTimeoutSeconds", "15"},
	}, got, "the timeout is adopted once, for every environment")
	assert.Equal(t, []string{"dev", "staging", "prod"}, planned, "each environment is re-planned once")
	require.Len(t, res.RevertOnly, 1)
	assert.Equal(t, "prod", res.RevertOnly[0].Environment)
	assert.Regexp(t, `\| dev \| payment-processor \| GB-seconds \(arm64\) \| \$0\.02 \| \$0\.\d\d \|`, res.CostDiff, "the body shows what dev's memory costs")
	prodLine := regexp.MustCompile(`\| prod \| \$(\d+\.\d\d) \| \$(\d+\.\d\d) \| \+0\.00 \|`).FindStringSubmatch(res.CostDiff)
	if assert.NotNil(t, prodLine, "the timeout costs nothing: %s", res.CostDiff) {
		assert.Equal(t, prodLine[1], prodLine[2], "the timeout costs nothing")
	}
	var body strings.Builder
	res.Markdown(&body)
	t.Logf("the pull request's body:\n%s", body.String())
	for _, env := range []string{"dev", "staging", "prod"} {
		assert.EqualValues(t, 15, plannedConfig(t, root, env, fn, "payment-processor", "timeout"), env)
	}
	assert.EqualValues(t, 2048, plannedConfig(t, root, "dev", fn, "payment-processor", "memorySize"))

	// The pull request is merged and promoted: what was adopted is kept;
	// prod's tag stops its deployment until it is put back on purpose.
	for _, env := range profile.Environments() {
		d := envs[env].d
		_, err := d.Run(ctx, stage.Up, string(env))
		if env == profile.Prod {
			require.ErrorIs(t, err, deploy.ErrDrift)
			d.RevertDrift = string(env)
			_, err = d.Run(ctx, stage.Up, string(env))
		}
		require.NoError(t, err, env)
		again, err := d.Drift(ctx, string(env), envs[env].r)
		require.NoError(t, err)
		assert.False(t, again.Any(), "%s after the promotion: %+v", env, again.Drifted)
	}
}
