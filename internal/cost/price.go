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
)

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

func (p *pricer) add(layer string, res manifest.Resource, c awstype.Charge) {
	price, err := p.prices.Get(c.PriceID)
	if err != nil {
		if p.err == nil {
			p.err = err
		}
		return
	}
	l := Line{Layer: layer, Type: res.Type, Name: res.LogicalName, Dimension: c.Dimension, PriceID: c.PriceID,
		Quantity: round(c.Quantity, 6), Unit: price.Unit, UnitUSD: price.USD, Monthly: round(c.Quantity*price.USD, 2), Fixed: c.Idle}
	if c.Ceiling > c.Quantity {
		l.MaxMonthly = round(c.Ceiling*price.USD, 2)
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
			if !p.priceResource(l.Name, res) {
				r.NotPriced = append(r.NotPriced, Item{Type: res.Type, Name: res.LogicalName,
					Reason: "no pricing for " + res.Type + ": give its entry in pkg/awstype a Price, or the reason it has no charge"})
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

// priceResource adds a resource's lines, by its type's pricing, and
// reports whether the type has one.
func (p *pricer) priceResource(layer string, res manifest.Resource) bool {
	t, _ := awstype.Of(res.Type)
	if t.Price == nil {
		return false
	}
	charges := t.Price(priced{res: res, p: p})
	for _, c := range charges {
		p.add(layer, res, c)
	}
	p.compareArchitectures(charges)
	return true
}

// compareArchitectures prices a function's GB-seconds on both
// architectures, for the report's comparison.
func (p *pricer) compareArchitectures(charges []awstype.Charge) {
	for _, c := range charges {
		if c.PriceID != awstype.LambdaArm64GBSecond && c.PriceID != awstype.LambdaX86GBSecond {
			continue
		}
		arm, _ := p.prices.Get(awstype.LambdaArm64GBSecond)
		x86, _ := p.prices.Get(awstype.LambdaX86GBSecond)
		p.r.Lambda.Arm64USD += round(c.Quantity*arm.USD, 2)
		p.r.Lambda.X86USD += round(c.Quantity*x86.USD, 2)
		p.r.Lambda.SavingUSD = round(p.r.Lambda.X86USD-p.r.Lambda.Arm64USD, 2)
	}
}

// priced is a planned resource as its type's pricing reads it.
type priced struct {
	res manifest.Resource
	p   *pricer
}

func (r priced) Get(path string) any  { return proppath.Get(r.res.Config, path) }
func (r priced) PhysicalName() string { return r.res.PhysicalName }
func (r priced) Usage() awstype.Usage { return r.p.usage }
func (r priced) Each(token string) []awstype.Priced {
	var out []awstype.Priced
	for _, l := range r.p.m.Layers {
		for _, res := range l.Resources {
			if res.Type == token {
				out = append(out, priced{res: res, p: r.p})
			}
		}
	}
	return out
}

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}
