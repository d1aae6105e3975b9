package parity

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/pkg/profile"
)

// The committed planned manifests are kept current by the plan tests.
func planned(t *testing.T) []manifest.Manifest {
	t.Helper()
	var out []manifest.Manifest
	for _, env := range profile.Environments() {
		m, err := manifest.ReadPlanned("../..", string(env))
		require.NoError(t, err)
		out = append(out, m)
	}
	return out
}

func TestCleanTreeHasOnlySanctionedDifferences(t *testing.T) {
	r := Compare(planned(t))
	require.NoError(t, r.Err())
	reasons := map[string]bool{}
	for _, d := range r.Sanctioned {
		reasons[d.Sanction] = true
	}
	// The values each reason names are the environments file's, each
	// environment's in its order, so a reason that states a wrong value
	// fails here.
	var ps []profile.Profile
	for _, env := range profile.Environments() {
		p, err := profile.Planned(env)
		require.NoError(t, err)
		ps = append(ps, p)
	}
	values := func(of func(profile.Profile) string) string {
		var out []string
		for _, p := range ps {
			out = append(out, string(p.Environment)+" "+of(p))
		}
		return strings.Join(out, ", ")
	}
	number := func(of func(profile.Profile) int) func(profile.Profile) string {
		return func(p profile.Profile) string { return strconv.Itoa(of(p)) }
	}
	onOff := func(of func(profile.Profile) bool) func(profile.Profile) string {
		return func(p profile.Profile) string { return map[bool]string{true: "on", false: "off"}[of(p)] }
	}
	// Every sanctioned difference of docs/environments.md shows up.
	for _, want := range []string{
		"NAT gateways (network.natGateways; 2 is one per AZ): " + values(number(func(p profile.Profile) int { return p.Network.NatGateways })),
		"VPC flow logs (network.flowLogs): " + values(onOff(func(p profile.Profile) bool { return p.Network.FlowLogs })),
		"DynamoDB point-in-time recovery (production tier only): " + values(onOff(func(p profile.Profile) bool { return p.Table.PointInTimeRecovery })),
		"Lambda memory (function.memoryMb): " + values(number(func(p profile.Profile) int { return p.Function.MemoryMB })) + " MB",
		"Lambda reserved concurrency (function.reservedConcurrency): " + values(number(func(p profile.Profile) int { return p.Function.ReservedConcurrency })),
		"log retention (function.logRetentionDays): " + values(number(func(p profile.Profile) int { return p.Function.LogRetentionDays })) + " days",
		"S3 audit-log expiration (audit.expirationDays): " + values(number(func(p profile.Profile) int { return p.Audit.ExpirationDays })) + " days",
		"alarm thresholds (alarms.functionErrorsThreshold / alarms.tableThrottleThreshold): " + values(func(p profile.Profile) string {
			return strconv.Itoa(p.Alarms.FunctionErrorsThreshold) + "/" + strconv.Itoa(p.Alarms.TableThrottleThreshold)
		}),
		"a production environment's table: only its break-glass role destroys it",
	} {
		assert.True(t, reasons[want], "expected a sanctioned difference: %s", want)
	}
}

// A reason names the compared environments and their values, whatever
// they are called: it holds no name or value of its own.
func TestReasonsNameTheComparedEnvironments(t *testing.T) {
	envs := []profile.Profile{{Environment: "alpha"}, {Environment: "beta"}}
	envs[0].Function.MemoryMB, envs[1].Function.MemoryMB = 128, 3008
	envs[1].Table.PointInTimeRecovery = true
	d := Difference{Resource: "urn:pulumi:<env>::compute::aws:lambda/function:Function::payment-processor", Path: "memorySize"}
	assert.Equal(t, "Lambda memory (function.memoryMb): alpha 128, beta 3008 MB", sanctionFor(d, envs))
	d = Difference{Resource: "urn:pulumi:<env>::data::aws:dynamodb/table:Table::transactions", Path: "pointInTimeRecovery.enabled"}
	assert.Equal(t, "DynamoDB point-in-time recovery (production tier only): alpha off, beta on", sanctionFor(d, envs))
	d.Path = "timeout"
	assert.Empty(t, sanctionFor(d, envs), "timeout is not a sanctioned difference")
}

func TestResourceOnlyInProdIsCaught(t *testing.T) {
	ms := planned(t)
	prod := &ms[2]
	prod.Layers[1].Resources = append(prod.Layers[1].Resources, manifest.Resource{
		URN: "urn:pulumi:prod::data::aws:s3/bucketV2:BucketV2::hotfix-exports", Type: "aws:s3/bucketV2:BucketV2",
		PhysicalName: "hotfix-exports-prod-pay01",
	})
	err := Compare(ms).Err()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "urn:pulumi:<env>::data::aws:s3/bucketV2:BucketV2::hotfix-exports: dev=(absent) prod=exists staging=(absent)")
}

func TestSettingChangedOnlyInStagingIsCaught(t *testing.T) {
	ms := planned(t)
	editEach(&ms[1], "aws:lambda/function:Function", func(cfg map[string]any) {
		cfg["timeout"] = 30.0
	})
	r := Compare(ms)
	require.Len(t, r.Unsanctioned, 1)
	d := r.Unsanctioned[0]
	assert.Equal(t, "timeout", d.Path)
	assert.Equal(t, map[string]string{"dev": "10", "staging": "30", "prod": "10"}, d.Values)
}

func TestUnsanctionedSettingInDevIsCaught(t *testing.T) {
	ms := planned(t)
	editEach(&ms[0], "aws:sns/topic:Topic", func(cfg map[string]any) {
		cfg["kmsMasterKeyId"] = "alias/dev-key"
	})
	err := Compare(ms).Err()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "kmsMasterKeyId: dev=alias/<env>-key prod=arn:aws:kms:us-east-1:<account>:key/(known after deploy) staging=arn:aws:kms:us-east-1:<account>:key/(known after deploy)")
}

func TestSanctionIsScopedToItsResourceType(t *testing.T) {
	ms := planned(t)
	editEach(&ms[2], "aws:sns/topic:Topic", func(cfg map[string]any) {
		cfg["memorySize"] = 4096.0 // sanctioned on functions, not on topics
	})
	err := Compare(ms).Err()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "aws:sns/topic:Topic::alarms memorySize")
}

func TestNormalisation(t *testing.T) {
	m := manifest.Manifest{Environment: "prod", Account: "345678901234"}
	m.Settings.Suffix = "pay01"
	m.Settings.Network.VpcCIDR = "10.30.0.0/16"
	n := replacer(m)
	assert.Equal(t, "arn:aws:iam::<account>:role/payment-processor-role-<env>-<suffix>", n("arn:aws:iam::345678901234:role/payment-processor-role-prod-pay01"))
	assert.Equal(t, "<net>.64.0/18", n("10.30.64.0/18"))
	assert.Equal(t, "arn:aws:*:*:*:*-<other-env>-*", n("arn:aws:*:*:*:*-dev-*"))
	assert.Equal(t, "Payment processing (<env>)", n("Payment processing (prod)"))
	assert.Equal(t, "production", n("production"), "only whole words are environment names")
}

// editEach edits the configuration of every resource of type typ in m.
func editEach(m *manifest.Manifest, typ string, edit func(cfg map[string]any)) {
	for li := range m.Layers {
		for ri := range m.Layers[li].Resources {
			if r := &m.Layers[li].Resources[ri]; r.Type == typ {
				edit(r.Config)
			}
		}
	}
}
