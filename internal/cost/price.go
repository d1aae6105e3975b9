package cost

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/internal/proppath"
	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/naming"
	"github.com/acmepay/platform/pkg/profile"
)

// HoursPerMonth is AWS's billing month (365 days × 24 h / 12).
const HoursPerMonth = 730

// Line is one priced dimension of one resource.
type Line struct {
	Layer     string  `json:"layer"`
	Type      string  `json:"type"`
	Name      string  `json:"name"`
	Dimension string  `json:"dimension"`
	PriceID   string  `json:"priceId"`
	Quantity  float64 `json:"quantity"`
	Unit      string  `json:"unit"`
	UnitUSD   float64 `json:"unitUsd"`
	// Monthly is the cost at Quantity; MaxMonthly, where set, at the
	// autoscaling ceiling.
	Monthly    float64 `json:"monthlyUsd"`
	MaxMonthly float64 `json:"maxMonthlyUsd,omitempty"`
	// Fixed is what the environment pays idle; the rest follows usage.
	Fixed bool `json:"fixed"`
}

// Item is a resource with no line: no charge, or not priced, and why.
type Item struct {
	Type   string `json:"type"`
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// Comparison is the payment function on arm64 against x86_64.
type Comparison struct {
	Arm64USD  float64 `json:"arm64Usd"`
	X86USD    float64 `json:"x86Usd"`
	SavingUSD float64 `json:"savingUsd"`
}

// Report is the monthly cost of one environment.
type Report struct {
	Environment string     `json:"environment"`
	Region      string     `json:"region"`
	Fixed       float64    `json:"fixedMonthlyUsd"`
	FixedMax    float64    `json:"fixedMaxMonthlyUsd"`
	Usage       float64    `json:"usageMonthlyUsd"`
	Total       float64    `json:"totalMonthlyUsd"`
	Lambda      Comparison `json:"lambdaArchitecture"`
	Lines       []Line     `json:"lines"`
	NoCharge    []Item     `json:"noCharge"`
	NotPriced   []Item     `json:"notPriced"`
	Assumptions Usage      `json:"usageAssumptions"`
	// AssumptionsFrom is where Assumptions are written (costs/usage.yaml's
	// entry they were taken from).
	AssumptionsFrom string `json:"usageAssumptionsFrom,omitempty"`
}

type pricer struct {
	prices *Prices
	usage  Usage
	m      manifest.Manifest
	r      *Report
	err    error
}

// billing is whether a line is paid when the environment is idle.
type billing int

const (
	// perUse lines follow usage.
	perUse billing = iota
	// whileIdle lines are paid whether or not anything runs (hours
	// provisioned, monthly fees).
	whileIdle
)

func (p *pricer) add(layer string, res manifest.Resource, dimension, priceID string, qty float64, b billing, maxQty float64) {
	price, err := p.prices.Get(priceID)
	if err != nil {
		if p.err == nil {
			p.err = err
		}
		return
	}
	l := Line{Layer: layer, Type: res.Type, Name: res.LogicalName, Dimension: dimension, PriceID: priceID,
		Quantity: round(qty, 6), Unit: price.Unit, UnitUSD: price.USD, Monthly: round(qty*price.USD, 2), Fixed: b == whileIdle}
	if maxQty > qty {
		l.MaxMonthly = round(maxQty*price.USD, 2)
	}
	p.r.Lines = append(p.r.Lines, l)
}

// Estimate prices a planned manifest.
func Estimate(m manifest.Manifest, prices *Prices, usage Usage) (Report, error) {
	if err := prices.CheckRegion(m.Region); err != nil {
		return Report{}, fmt.Errorf("%s: %w", m.Environment, err)
	}
	r := &Report{Environment: m.Environment, Region: m.Region, Assumptions: usage}
	p := &pricer{prices: prices, usage: usage, m: m, r: r}
	nats := 0
	for _, l := range m.Layers {
		for _, res := range l.Resources {
			if res.Type == awstype.NatGateway {
				nats++
			}
		}
	}
	for _, l := range m.Layers {
		for _, res := range l.Resources {
			if !strings.HasPrefix(res.Type, "aws:") {
				continue // component resources, providers, stacks, references
			}
			if t, _ := awstype.Of(res.Type); t.NoCharge != "" {
				reason := t.NoCharge
				r.NoCharge = append(r.NoCharge, Item{Type: res.Type, Name: res.LogicalName, Reason: reason})
				continue
			}
			if !p.priceResource(l.Name, res, nats) {
				r.NotPriced = append(r.NotPriced, Item{Type: res.Type, Name: res.LogicalName,
					Reason: "the pricer has no rule for " + res.Type + ": add one to internal/cost, or give its entry in pkg/awstype the reason it has no charge"})
			}
		}
	}
	if p.err != nil {
		return Report{}, p.err
	}
	sort.Slice(r.Lines, func(i, j int) bool {
		a, b := r.Lines[i], r.Lines[j]
		return a.Layer+a.Type+a.Name+a.Dimension < b.Layer+b.Type+b.Name+b.Dimension
	})
	for _, items := range [][]Item{r.NoCharge, r.NotPriced} {
		naming.SortByTypeAndName(items, func(i Item) (string, string) { return i.Type, i.Name })
	}
	for _, l := range r.Lines {
		if l.Fixed {
			r.Fixed += l.Monthly
			r.FixedMax += math.Max(l.Monthly, l.MaxMonthly)
		} else {
			r.Usage += l.Monthly
		}
	}
	r.Fixed, r.FixedMax, r.Usage = round(r.Fixed, 2), round(r.FixedMax, 2), round(r.Usage, 2)
	r.Total = round(r.Fixed+r.Usage, 2)
	return *r, nil
}

// priceResource adds a resource's lines and reports whether it has a rule.
func (p *pricer) priceResource(layer string, res manifest.Resource, nats int) bool {
	u := p.usage
	switch res.Type {
	case awstype.NatGateway:
		p.add(layer, res, "hours provisioned", "nat-gateway-hour", HoursPerMonth, whileIdle, 0)
		p.add(layer, res, "GB processed (its share)", "nat-gateway-gb", u.NatGBPerMonth/float64(max(nats, 1)), perUse, 0)
	case awstype.Eip:
		p.add(layer, res, "public IPv4 hours", "public-ipv4-hour", HoursPerMonth, whileIdle, 0)
	case awstype.Function:
		gbSeconds := u.PaymentsPerMonth * u.AvgDurationMs / 1000 * num(res.Config["memorySize"]) / 1024
		arch := "arm64"
		if a, _ := res.Config["architectures"].([]any); len(a) == 1 {
			arch = fmt.Sprint(a[0])
		}
		priceID := "lambda-arm64-gb-second"
		if arch != "arm64" {
			priceID = "lambda-x86-gb-second"
		}
		p.add(layer, res, "GB-seconds ("+arch+")", priceID, gbSeconds, perUse, 0)
		p.add(layer, res, "requests", "lambda-request", u.PaymentsPerMonth, perUse, 0)
		if mode, _ := proppath.Get(res.Config, "tracingConfig.mode").(string); mode == "Active" {
			p.add(layer, res, "X-Ray traces", "xray-trace", u.PaymentsPerMonth, perUse, 0)
		}
		arm, _ := p.prices.Get("lambda-arm64-gb-second")
		x86, _ := p.prices.Get("lambda-x86-gb-second")
		p.r.Lambda.Arm64USD += round(gbSeconds*arm.USD, 2)
		p.r.Lambda.X86USD += round(gbSeconds*x86.USD, 2)
		p.r.Lambda.SavingUSD = round(p.r.Lambda.X86USD-p.r.Lambda.Arm64USD, 2)
	case awstype.Table:
		// Every payment writes one item under 1 KB, and its index entry.
		indexes := float64(len(asList(res.Config["globalSecondaryIndexes"])))
		if res.Config["billingMode"] == profile.Provisioned {
			floorR, floorW := num(res.Config["readCapacity"]), num(res.Config["writeCapacity"])
			maxR, maxW := p.autoscalingMax("ReadCapacityUnits"), p.autoscalingMax("WriteCapacityUnits")
			copies := 1 + indexes // the table and each index are provisioned alike
			p.add(layer, res, "read capacity (floor to autoscaling max)", "dynamodb-rcu-hour", floorR*copies*HoursPerMonth, whileIdle, maxR*copies*HoursPerMonth)
			p.add(layer, res, "write capacity (floor to autoscaling max)", "dynamodb-wcu-hour", floorW*copies*HoursPerMonth, whileIdle, maxW*copies*HoursPerMonth)
		} else {
			p.add(layer, res, "write request units (item and index)", "dynamodb-write-request-unit", u.PaymentsPerMonth*(1+indexes), perUse, 0)
		}
		p.add(layer, res, "storage", "dynamodb-storage-gb-month", u.TableSizeGB, perUse, 0)
		if enabled, _ := proppath.Get(res.Config, "pointInTimeRecovery.enabled").(bool); enabled {
			p.add(layer, res, "point-in-time recovery", "dynamodb-pitr-gb-month", u.TableSizeGB, perUse, 0)
		}
	case awstype.Bucket:
		days := p.lifecycleDays(res.PhysicalName)
		stored := u.PaymentsPerMonth * u.AuditObjectKB / 1e6 * days / 30
		p.add(layer, res, fmt.Sprintf("audit records stored (%.0f days kept)", days), "s3-standard-gb-month", stored, perUse, 0)
		p.add(layer, res, "PUT requests", "s3-put-request", u.PaymentsPerMonth, perUse, 0)
	case awstype.MetricAlarm:
		p.add(layer, res, "alarm", "cloudwatch-alarm-month", 1, whileIdle, 0)
	case awstype.Dashboard:
		p.add(layer, res, "dashboard", "cloudwatch-dashboard-month", 1, whileIdle, 0)
	case awstype.LogGroup:
		gb, ingest := u.FunctionLogGBPerMonth, "logs-ingestion-gb"
		if strings.HasPrefix(res.PhysicalName, "/aws/vpc/flow-logs/") {
			gb, ingest = u.FlowLogGBPerMonth, "logs-vended-ingestion-gb"
		}
		retention := num(res.Config["retentionInDays"])
		p.add(layer, res, "ingestion", ingest, gb, perUse, 0)
		p.add(layer, res, fmt.Sprintf("storage (%.0f days kept)", retention), "logs-storage-gb-month", gb*retention/30, perUse, 0)
	case awstype.Key:
		p.add(layer, res, "key", "kms-key-month", 1, whileIdle, 0)
		p.add(layer, res, "requests", "kms-request", u.KMSRequestsPerMonth, perUse, 0)
	case awstype.Topic:
		p.add(layer, res, "e-mail notifications", "sns-email-notification", u.AlarmNotificationsPerMonth, perUse, 0)
	default:
		return false
	}
	return true
}

// autoscalingMax is the largest autoscaling maximum of the table's targets
// of a dimension ("ReadCapacityUnits").
func (p *pricer) autoscalingMax(dimension string) float64 {
	best := 0.0
	for _, l := range p.m.Layers {
		for _, r := range l.Resources {
			if r.Type == awstype.ScalingTarget && strings.HasSuffix(fmt.Sprint(r.Config["scalableDimension"]), dimension) {
				best = math.Max(best, num(r.Config["maxCapacity"]))
			}
		}
	}
	return best
}

// lifecycleDays is how long the bucket keeps objects (its expiration).
func (p *pricer) lifecycleDays(bucket string) float64 {
	for _, l := range p.m.Layers {
		for _, r := range l.Resources {
			if r.Type == awstype.BucketLifecycle && r.Config["bucket"] == bucket {
				for _, rule := range asList(r.Config["rules"]) {
					if d := num(proppath.Get(rule, "expiration.days")); d > 0 {
						return d
					}
				}
			}
		}
	}
	return 30
}

func asList(v any) []any { l, _ := v.([]any); return l }

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}
