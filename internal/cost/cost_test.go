package cost

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/pricing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/profile"
)

func committed(t *testing.T) (*Prices, Usages) {
	t.Helper()
	p, u, err := Load(filepath.Join("..", ".."))
	require.NoError(t, err)
	return p, u
}

func planned(t *testing.T, env string) manifest.Manifest {
	t.Helper()
	m, err := manifest.ReadPlanned("../..", env)
	require.NoError(t, err)
	return m
}

func res(typ, name string, config map[string]any) manifest.Resource {
	return manifest.Resource{Type: typ, LogicalName: name, Config: config}
}

func lineOf(t *testing.T, r Report, name, dimension string) Line {
	t.Helper()
	for _, l := range r.Lines {
		if l.Name == name && l.Dimension == dimension {
			return l
		}
	}
	t.Fatalf("no line %s %s in %+v", name, dimension, r.Lines)
	return Line{}
}

// Every type of the registry either has a pricing or says in its
// entry why it has no charge, never both and never neither, so a type added
// to the registry cannot reach an estimate as $0 unnoticed.
func TestEveryRegisteredTypeIsPricedOrHasNoCharge(t *testing.T) {
	prices, usage := committed(t)
	for _, ty := range awstype.All() {
		r := res(ty.Token, "r", map[string]any{})
		p := &pricer{prices: prices, usage: usage.Environments[profile.Dev], m: manifest.Manifest{Layers: []manifest.Layer{{Name: "l", Resources: []manifest.Resource{r}}}}, r: &Report{}}
		hasRule := p.priceResource("l", r)
		require.NoError(t, p.err, ty.Token)
		if ty.NoCharge != "" {
			assert.False(t, hasRule, "%s: priced by a rule, and its entry says it has no charge", ty.Token)
		} else {
			assert.True(t, hasRule, "%s: no pricing rule, and its entry gives no reason it has no charge", ty.Token)
			assert.NotEmpty(t, p.r.Lines, ty.Token)
		}
	}
}

// Each formula against a number worked out by hand from the list prices in
// costs/prices.yaml and the usage below.
func TestFormulas(t *testing.T) {
	prices, _ := committed(t)
	usage := Usage{PaymentsPerMonth: 1_000_000, AvgDurationMs: 200, NatGBPerMonth: 100, FunctionLogGBPerMonth: 2, FlowLogGBPerMonth: 10,
		TableSizeGB: 10, AuditObjectKB: 1, KMSRequestsPerMonth: 100_000, AlarmNotificationsPerMonth: 1000}
	m := manifest.Manifest{Environment: "prod", Region: "us-east-1", Layers: []manifest.Layer{{Name: "all", Resources: []manifest.Resource{
		res("aws:ec2/natGateway:NatGateway", "nat-1", nil),
		res("aws:ec2/natGateway:NatGateway", "nat-2", nil),
		res("aws:ec2/eip:Eip", "nat-1", nil),
		res("aws:lambda/function:Function", "fn", map[string]any{"memorySize": 1024.0, "architectures": []any{"arm64"}, "tracingConfig": map[string]any{"mode": "Active"}}),
		res("aws:dynamodb/table:Table", "table", map[string]any{"billingMode": "PROVISIONED", "readCapacity": 10.0, "writeCapacity": 20.0,
			"globalSecondaryIndexes": []any{map[string]any{}}, "pointInTimeRecovery": map[string]any{"enabled": true}}),
		res("aws:appautoscaling/target:Target", "w", map[string]any{"scalableDimension": "dynamodb:table:WriteCapacityUnits", "maxCapacity": 100.0}),
		res("aws:appautoscaling/target:Target", "r", map[string]any{"scalableDimension": "dynamodb:table:ReadCapacityUnits", "maxCapacity": 50.0}),
		{Type: "aws:s3/bucketV2:BucketV2", LogicalName: "bucket", PhysicalName: "b"},
		res("aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "bucket", map[string]any{"bucket": "b",
			"rules": []any{map[string]any{"expiration": map[string]any{"days": 90.0}}}}),
		{Type: "aws:cloudwatch/logGroup:LogGroup", LogicalName: "fn", PhysicalName: "/aws/lambda/fn", Config: map[string]any{"retentionInDays": 60.0}},
		{Type: "aws:cloudwatch/logGroup:LogGroup", LogicalName: "flow", PhysicalName: "/aws/vpc/flow-logs/vpc", Config: map[string]any{"retentionInDays": 30.0}},
		res("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm", nil),
		res("aws:cloudwatch/dashboard:Dashboard", "dash", nil),
		res("aws:kms/key:Key", "key", nil),
		res("aws:sns/topic:Topic", "topic", nil),
	}}}}
	r, err := Estimate(m, prices, usage)
	require.NoError(t, err)
	for _, c := range []struct {
		name, dimension string
		want, max       float64
	}{
		{"nat-1", "hours provisioned", 32.85, 0},                             // 730 h × $0.045
		{"nat-1", "GB processed (its share)", 2.25, 0},                       // 100 GB / 2 NATs × $0.045
		{"nat-1", "public IPv4 hours", 3.65, 0},                              // 730 h × $0.005
		{"fn", "GB-seconds (arm64)", 2.67, 0},                                // 1e6 × 0.2 s × 1 GB × $0.0000133334 = 2.66668
		{"fn", "requests", 0.20, 0},                                          // 1e6 × $0.20 per million
		{"fn", "X-Ray traces", 5.00, 0},                                      // 1e6 × $5 per million
		{"table", "read capacity (floor to autoscaling max)", 1.90, 9.49},    // 10 RCU × 2 (table, index) × 730 h × $0.00013; max 50
		{"table", "write capacity (floor to autoscaling max)", 18.98, 94.90}, // 20 WCU × 2 × 730 × $0.00065; max 100
		{"table", "storage", 2.50, 0},                                        // 10 GB × $0.25
		{"table", "point-in-time recovery", 2.00, 0},                         // 10 GB × $0.20
		{"bucket", "audit records stored (90 days kept)", 0.07, 0},           // 1e6 × 1 KB = 1 GB a month, kept 3 months: 3 GB × $0.023
		{"bucket", "PUT requests", 5.00, 0},                                  // 1e6 × $0.005 per 1,000
		{"fn", "ingestion", 1.00, 0},                                         // 2 GB × $0.50
		{"fn", "storage (60 days kept)", 0.12, 0},                            // 2 GB a month kept 2 months × $0.03
		{"flow", "ingestion", 5.00, 0},                                       // 10 GB × $0.50 (vended)
		{"alarm", "alarm", 0.10, 0},
		{"dash", "dashboard", 3.00, 0},
		{"key", "key", 1.00, 0},
		{"key", "requests", 0.30, 0},               // 100,000 × $0.03 per 10,000
		{"topic", "e-mail notifications", 0.02, 0}, // 1,000 × $2 per 100,000
	} {
		l := lineOf(t, r, c.name, c.dimension)
		assert.InDelta(t, c.want, l.Monthly, 0.005, "%s %s", c.name, c.dimension)
		assert.InDelta(t, c.max, l.MaxMonthly, 0.005, "%s %s at the maximum", c.name, c.dimension)
	}
	assert.InDelta(t, 3.33, r.Lambda.X86USD, 0.005, "1e6 × 0.2 s × 1 GB × $0.0000166667")
	assert.InDelta(t, 0.66, r.Lambda.SavingUSD, 0.005)
	assert.InDelta(t, 32.85*2+3.65+1.90+18.98+0.10+3.00+1.00, r.Fixed, 0.02, "NATs, the address, capacity floors, alarm, dashboard, key")
}

func TestOnDemandTablePaysPerWrite(t *testing.T) {
	prices, _ := committed(t)
	m := manifest.Manifest{Environment: "dev", Region: "us-east-1", Layers: []manifest.Layer{{Name: "data", Resources: []manifest.Resource{
		res("aws:dynamodb/table:Table", "table", map[string]any{"billingMode": "PAY_PER_REQUEST", "globalSecondaryIndexes": []any{map[string]any{}}}),
	}}}}
	r, err := Estimate(m, prices, Usage{PaymentsPerMonth: 1_000_000})
	require.NoError(t, err)
	assert.InDelta(t, 1.25, lineOf(t, r, "table", "write request units (item and index)").Monthly, 0.005, "2e6 WRU × $0.625 per million")
	assert.Zero(t, r.Fixed, "an on-demand table costs nothing idle")
}

// Prod's second NAT gateway (and its address) is the dev/prod difference in
// NAT cost: 730 h × ($0.045 + $0.005).
func TestTheSecondNATGatewayShowsUpAsItsCost(t *testing.T) {
	prices, usage := committed(t)
	natFixed := func(env string) float64 {
		r, err := Estimate(planned(t, env), prices, usage.Environments[profile.Environment(env)])
		require.NoError(t, err)
		sum := 0.0
		for _, l := range r.Lines {
			if l.Fixed && (l.PriceID == "nat-gateway-hour" || l.PriceID == "public-ipv4-hour") {
				sum += l.Monthly
			}
		}
		return sum
	}
	assert.InDelta(t, 36.50, natFixed("prod")-natFixed("dev"), 0.005)
}

func TestEveryResourceIsPricedOrExplained(t *testing.T) {
	prices, usage := committed(t)
	for _, env := range profile.Environments() {
		r, err := Estimate(planned(t, string(env)), prices, usage.Environments[env])
		require.NoError(t, err)
		assert.Empty(t, r.NotPriced, "%s: every type of the plan has a rule", env)
		for _, l := range r.Lines {
			assert.NotEmpty(t, l.PriceID)
		}
	}
	m := manifest.Manifest{Region: "us-east-1", Layers: []manifest.Layer{{Resources: []manifest.Resource{res("aws:rds/instance:Instance", "db", nil)}}}}
	r, err := Estimate(m, prices, Usage{})
	require.NoError(t, err)
	require.Len(t, r.NotPriced, 1, "a type the pricer has never seen is reported, never $0")
	assert.Contains(t, r.NotPriced[0].Reason, "no pricing for aws:rds/instance:Instance")
}

// An environment in a region the table has no prices for is refused,
// naming the region, the table's region and what to add, never priced
// with another region's list prices.
func TestARegionWithoutPricesIsRefused(t *testing.T) {
	prices, usage := committed(t)
	m := manifest.Manifest{Environment: "dr", Region: "us-west-2", Layers: []manifest.Layer{{Resources: []manifest.Resource{res("aws:kms/key:Key", "key", nil)}}}}
	_, err := Estimate(m, prices, usage.Environments[profile.Dev])
	require.Error(t, err)
	for _, want := range []string{"dr: costs/prices.yaml", `region "us-west-2" has no prices`, "us-east-1's list prices only", "add a table for us-west-2"} {
		assert.Contains(t, err.Error(), want)
	}
	m.Region = "us-east-1"
	r, err := Estimate(m, prices, usage.Environments[profile.Dev])
	require.NoError(t, err)
	assert.Equal(t, 1.0, r.Fixed, "a KMS key is $1 a month in us-east-1")

	// A table for another region parses; the refresh, which knows
	// us-east-1's usage types only, refuses it rather than fetch the wrong
	// prices.
	other, err := ParsePrices([]byte("region: eu-west-1\nprices:\n  - {id: kms-key-month, unit: key-month, usd: 1, description: k, source: s, taken: \"2026-12-07\"}\n"))
	require.NoError(t, err)
	require.NoError(t, other.CheckRegion("eu-west-1"))
	_, _, err = Refresh(context.Background(), nil, other, "2026-12-07")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `region "eu-west-1": the refresh knows us-east-1's usage types only`)
	_, err = ParsePrices([]byte("prices: []\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "region is empty")
}

func TestPriceTableRefusesIncompleteEntries(t *testing.T) {
	entry := func(fields string) []byte {
		return []byte("region: us-east-1\nprices:\n  - {id: x, unit: hour, " + fields + "}\n")
	}
	for fields, want := range map[string]string{
		`usd: 0.1, taken: "2026-11-27"`:               `no source`,
		`usd: 0.1, source: "https://aws.amazon.com/"`: `taken "": allowed the date`,
		`usd: -1, source: s, taken: "2026-11-27"`:     `usd = -1: allowed zero or more`,
		`usd: 0.1, source: s, taken: "27/11/2026"`:    `taken "27/11/2026"`,
	} {
		_, err := ParsePrices(entry(fields))
		require.Error(t, err, fields)
		assert.Contains(t, err.Error(), want)
	}
}

func TestUsageFileIsValidated(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", UsageFile))
	require.NoError(t, err)
	good := string(raw)
	for name, c := range map[string]struct {
		edit func(string) string
		want string
	}{
		"unknown environment": {func(s string) string { return s + "  qa:\n    paymentsPerMonth: 1\n" }, `environments.qa: unknown environment "qa"`},
		"neither its own nor its tier's": {func(s string) string {
			return replaceOnce(strings.SplitN(s, "\n  review:", 2)[0]+"\n", "  development: dev\n", "")
		}, "costs/usage.yaml: no usage assumptions for review: add environments.review, or tiers.development naming the environment whose assumptions a development environment takes"},
		"unknown tier":           {func(s string) string { return replaceOnce(s, "  development: dev", "  dev: dev") }, "tiers.dev: unknown tier"},
		"a tier's unknown entry": {func(s string) string { return replaceOnce(s, "  production: prod", "  production: dr") }, `tiers.production = "dr": allowed an environment this file gives assumptions`},
		"negative":               {func(s string) string { return replaceOnce(s, "paymentsPerMonth: 20000", "paymentsPerMonth: -5") }, "environments.dev.paymentsPerMonth = -5: allowed a number of zero or more"},
		"not a number":           {func(s string) string { return replaceOnce(s, "paymentsPerMonth: 20000", "paymentsPerMonth: lots") }, "environments.dev.paymentsPerMonth = lots: allowed a number of zero or more"},
		"missing":                {func(s string) string { return replaceOnce(s, "    tableSizeGB: 0.1 ", "    # ") }, "environments.dev.tableSizeGB is missing"},
		"unknown key": {func(s string) string {
			return replaceOnce(s, "    auditObjectKB: 0.5             # one JSON", "    auditObjectKB: 0.5\n    tip: 3 #")
		}, "environments.dev.tip is not an assumption"},
	} {
		_, err := ParseUsage([]byte(c.edit(good)))
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), c.want, name)
	}
}

// A new environment without its own assumptions takes its tier's
// environment's, and says so; its own entry wins.
func TestAnEnvironmentWithoutItsOwnAssumptionsTakesItsTiers(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", UsageFile))
	require.NoError(t, err)
	u, err := ParseUsage(raw)
	require.NoError(t, err)
	qa := profile.Profile{Environment: "qa", Tier: profile.Development}
	got, from, err := u.For(qa)
	require.NoError(t, err)
	assert.Equal(t, u.Environments[profile.Dev], got)
	assert.Equal(t, "costs/usage.yaml environments.dev, which tiers.development gives every development environment without its own", from)
	_, from, err = u.For(profile.Profile{Environment: "pr-9", Tier: profile.Development})
	require.NoError(t, err)
	assert.Equal(t, "costs/usage.yaml environments.review", from, "review environments have their own")
	delete(u.Tiers, profile.Development)
	_, _, err = u.For(qa)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no usage assumptions for qa: add environments.qa, or tiers.development")
}

func replaceOnce(s, old, repl string) string {
	if !strings.Contains(s, old) {
		panic("no " + old)
	}
	return strings.Replace(s, old, repl, 1)
}

func TestCommittedPriceTableKeepsItsLayout(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", PricesFile))
	require.NoError(t, err)
	p, err := ParsePrices(raw)
	require.NoError(t, err)
	assert.Equal(t, string(raw), string(p.YAML(Header(raw))), "cost:prices rewrites the file as it is")
}

func TestBudgetNamesTheLargestContributors(t *testing.T) {
	prices, usage := committed(t)
	r, err := Estimate(planned(t, "prod"), prices, usage.Environments[profile.Prod])
	require.NoError(t, err)
	require.NoError(t, r.CheckBudget(150))
	err = r.CheckBudget(50)
	require.Error(t, err)
	assert.Equal(t, "prod's fixed monthly cost $105.97 exceeds its budget of $50 (payments:monthlyBudgetUsd); the largest contributors: "+
		"aws:ec2/natGateway:NatGateway vpc-nat-1 $32.85, aws:ec2/natGateway:NatGateway vpc-nat-2 $32.85, aws:dynamodb/table:Table transactions $28.47", err.Error())
}

type fakePricing struct{ usd string }

func (f fakePricing) GetProducts(_ context.Context, in *pricing.GetProductsInput, _ ...func(*pricing.Options)) (*pricing.GetProductsOutput, error) {
	product := fmt.Sprintf(`{"terms":{"OnDemand":{"X":{"priceDimensions":{"Y":{"beginRange":"0","pricePerUnit":{"USD":%q}}}}}}}`, f.usd)
	return &pricing.GetProductsOutput{PriceList: []string{product}}, nil
}

func TestRefreshReportsMovedPrices(t *testing.T) {
	p, err := ParsePrices([]byte("region: us-east-1\nprices:\n" +
		"  - {id: nat-gateway-hour, unit: hour, usd: 0.045, description: d, source: s, taken: \"2025-01-01\"}\n" +
		"  - {id: sns-email-notification, unit: notification, usd: 0.00002, description: d, source: s, taken: \"2025-01-01\"}\n"))
	require.NoError(t, err)
	changes, skipped, err := Refresh(context.Background(), fakePricing{usd: "0.0500000000"}, p, "2026-11-27")
	require.NoError(t, err)
	assert.Equal(t, []Change{{ID: "nat-gateway-hour", Old: 0.045, New: 0.05}}, changes)
	assert.Equal(t, []string{"sns-email-notification"}, skipped, "a price with no known query is left as it is, and said so")
	assert.Equal(t, "2026-11-27", p.Prices[0].Taken)
}

func TestDiffCallsOutNATCapacityAndPITR(t *testing.T) {
	prices, usage := committed(t)
	prod, err := Estimate(planned(t, "prod"), prices, usage.Environments[profile.Prod])
	require.NoError(t, err)
	cheaper := prod
	cheaper.Lines = nil
	for _, l := range prod.Lines {
		if l.Name != "vpc-nat-2" {
			cheaper.Lines = append(cheaper.Lines, l)
		}
	}
	cheaper.Total = prod.Total - 32.85 - 3.65 - 2.25
	md := Diff([]Report{prod}, []Report{cheaper})
	// prod's own total moves with every priced type; the line's figures
	// are its total before and after, 38.75 apart.
	line := regexp.MustCompile(`\| prod \| \$(\d+\.\d\d) \| \$(\d+\.\d\d) \| -38\.75 \|`).FindStringSubmatch(md)
	require.NotNil(t, line, md)
	assert.Equal(t, fmt.Sprintf("%.2f", prod.Total), line[1])
	assert.Equal(t, fmt.Sprintf("%.2f", prod.Total-38.75), line[2])
	assert.Contains(t, md, "| prod | vpc-nat-2 | hours provisioned | $32.85 | removed | **NAT** |")
}
