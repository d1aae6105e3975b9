// Package cost prices an environment's offline plan: each resource of the
// planned manifest, by rules per resource type, from a price table (list
// prices with their source and date) and a usage file (what each environment
// is assumed to do in a month). It splits what the environment costs idle
// (fixed) from what its usage adds, prices every resource type of the plan
// or says why it has no charge or is not priced, and compares two reports.
package cost

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/profile"
)

// Files under the repository root.
const (
	PricesFile = "costs/prices.yaml"
	UsageFile  = "costs/usage.yaml"
)

// Price is one priced dimension.
type Price struct {
	ID          string  `yaml:"id" json:"id"`
	Unit        string  `yaml:"unit" json:"unit"`
	USD         float64 `yaml:"usd" json:"usd"`
	Description string  `yaml:"description" json:"description"`
	Source      string  `yaml:"source" json:"source"`
	Taken       string  `yaml:"taken" json:"taken"`
}

// Prices is the price table.
type Prices struct {
	Region string  `yaml:"region"`
	Prices []Price `yaml:"prices"`
	byID   map[string]Price
}

// ParsePrices reads a price table and refuses an entry without a source, a
// date, a unit, or with a negative price.
func ParsePrices(raw []byte) (*Prices, error) {
	var p Prices
	if err := yaml.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", PricesFile, err)
	}
	if strings.TrimSpace(p.Region) == "" {
		return nil, fmt.Errorf("%s: region is empty: want the AWS region the prices are for, such as us-east-1", PricesFile)
	}
	p.byID = map[string]Price{}
	for i, e := range p.Prices {
		where := fmt.Sprintf("%s: price %d (%s)", PricesFile, i+1, e.ID)
		switch {
		case e.ID == "" || e.Unit == "":
			return nil, fmt.Errorf("%s: an id and a unit are required", where)
		case e.USD < 0 || math.IsNaN(e.USD):
			return nil, fmt.Errorf("%s: usd = %v: allowed zero or more", where, e.USD)
		case strings.TrimSpace(e.Source) == "":
			return nil, fmt.Errorf("%s: no source: say where the price comes from", where)
		}
		if _, err := time.Parse(time.DateOnly, e.Taken); err != nil {
			return nil, fmt.Errorf("%s: taken %q: allowed the date the price was taken, such as 2026-11-27", where, e.Taken)
		}
		if _, dup := p.byID[e.ID]; dup {
			return nil, fmt.Errorf("%s: listed twice", where)
		}
		p.byID[e.ID] = e
	}
	return &p, nil
}

// YAML writes the table in the committed file's layout, one entry a line,
// under header (the file's leading comment lines).
func (p *Prices) YAML(header string) []byte {
	var b strings.Builder
	b.WriteString(header)
	fmt.Fprintf(&b, "region: %s\nprices:\n", p.Region)
	for _, e := range p.Prices {
		fmt.Fprintf(&b, "  - {id: %s, unit: %s, usd: %s, description: %s, source: %s, taken: %q}\n",
			e.ID, e.Unit, strconv.FormatFloat(e.USD, 'f', -1, 64), strconv.Quote(e.Description), strconv.Quote(e.Source), e.Taken)
	}
	return []byte(b.String())
}

// Header is the leading comment block of a YAML file.
func Header(raw []byte) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(string(raw), "\n") {
		if !strings.HasPrefix(line, "#") {
			break
		}
		b.WriteString(line)
	}
	return b.String()
}

// CheckRegion refuses an environment in a region the table has no prices
// for, naming the region and what to add: pricing it with another region's
// list prices would be a wrong figure that looks right.
func (p *Prices) CheckRegion(region string) error {
	if region == p.Region {
		return nil
	}
	return fmt.Errorf("%s: region %q has no prices: the table holds %s's list prices only; "+
		"add a table for %s (every id of this one, each with its source and the date it was taken) "+
		"or deploy the environment in %s", PricesFile, region, p.Region, region, p.Region)
}

// Get returns a price by id.
func (p *Prices) Get(id string) (Price, error) {
	e, ok := p.byID[id]
	if !ok {
		return Price{}, fmt.Errorf("%s has no price %q", PricesFile, id)
	}
	return e, nil
}

// Usage is what one environment is assumed to do in a month.
type Usage = awstype.Usage

// usageKeys are Usage's keys, in order, from its yaml tags.
func usageKeys() []string {
	t := reflect.TypeFor[Usage]()
	keys := make([]string, t.NumField())
	for i := range keys {
		keys[i] = t.Field(i).Tag.Get("yaml")
	}
	return keys
}

// Usages are the usage file: each environment's assumptions, and, for a
// tier, the environment whose assumptions an environment of that tier takes
// when it has none of its own.
type Usages struct {
	Environments map[profile.Environment]Usage
	Tiers        map[profile.Tier]profile.Environment
}

// For is what an environment is assumed to do, and where that is written:
// its own entry (review environments share "review"), or its tier's
// environment's.
func (u Usages) For(p profile.Profile) (Usage, string, error) {
	entry := profile.EntryOf(p.Environment)
	if own, ok := u.Environments[entry]; ok {
		return own, fmt.Sprintf("%s environments.%s", UsageFile, entry), nil
	}
	if env, ok := u.Tiers[p.Tier]; ok {
		return u.Environments[env], fmt.Sprintf("%s environments.%s, which tiers.%s gives every %s environment without its own", UsageFile, env, p.Tier, p.Tier), nil
	}
	return Usage{}, "", fmt.Errorf("%s: no usage assumptions for %s: add environments.%s, or tiers.%s naming the environment whose assumptions a %s environment takes",
		UsageFile, entry, entry, p.Tier, p.Tier)
}

// ParseUsage reads the usage file. Every environment of the environments
// file (and its review block, as review) needs every assumption, each a
// number of zero or more, or a tier naming the environment whose
// assumptions it takes; an unknown environment, tier or key is refused.
func ParseUsage(raw []byte) (Usages, error) {
	var doc struct {
		Environments map[string]map[string]any `yaml:"environments"`
		Tiers        map[string]string         `yaml:"tiers"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return Usages{}, fmt.Errorf("%s: %w", UsageFile, err)
	}
	keys := usageKeys()
	allowed := strings.Join(keys, ", ")
	out := Usages{Environments: map[profile.Environment]Usage{}, Tiers: map[profile.Tier]profile.Environment{}}
	for name, values := range doc.Environments {
		env, err := profile.ParseEntry(name)
		if err != nil {
			return Usages{}, fmt.Errorf("%s: environments.%s: %w", UsageFile, name, err)
		}
		var u Usage
		v := reflect.ValueOf(&u).Elem()
		for i, key := range keys {
			raw, ok := values[key]
			if !ok {
				return Usages{}, fmt.Errorf("%s: environments.%s.%s is missing: every environment needs %s", UsageFile, name, key, allowed)
			}
			n, err := number(raw)
			if err != nil || n < 0 {
				return Usages{}, fmt.Errorf("%s: environments.%s.%s = %v: allowed a number of zero or more", UsageFile, name, key, raw)
			}
			v.Field(i).SetFloat(n)
		}
		for key := range values {
			if !strings.Contains(","+strings.ReplaceAll(allowed, " ", "")+",", ","+key+",") {
				return Usages{}, fmt.Errorf("%s: environments.%s.%s is not an assumption: allowed %s", UsageFile, name, key, allowed)
			}
		}
		out.Environments[env] = u
	}
	for tier, env := range doc.Tiers {
		if !slices.Contains(profile.Tiers(), profile.Tier(tier)) {
			return Usages{}, fmt.Errorf("%s: tiers.%s: unknown tier: allowed %s, %s or %s", UsageFile, tier, profile.Development, profile.PreProduction, profile.Production)
		}
		if _, ok := out.Environments[profile.Environment(env)]; !ok {
			return Usages{}, fmt.Errorf("%s: tiers.%s = %q: allowed an environment this file gives assumptions", UsageFile, tier, env)
		}
		out.Tiers[profile.Tier(tier)] = profile.Environment(env)
	}
	var need []profile.Profile
	for _, env := range profile.Environments() {
		p, err := profile.Planned(env)
		if err != nil {
			return Usages{}, err
		}
		need = append(need, p)
	}
	if _, ok := profile.Reviews(); ok {
		p, err := profile.Planned(profile.LongestReview)
		if err != nil {
			return Usages{}, err
		}
		need = append(need, p)
	}
	for _, p := range need {
		if _, _, err := out.For(p); err != nil {
			return Usages{}, fmt.Errorf("%w (every environment of pkg/profile/environments.yaml, and its review block as review, needs assumptions: copy another environment's and adjust them)", err)
		}
	}
	return out, nil
}

func number(v any) (float64, error) {
	switch n := v.(type) {
	case int:
		return float64(n), nil
	case float64:
		return n, nil
	case string:
		return strconv.ParseFloat(n, 64)
	}
	return 0, fmt.Errorf("not a number")
}

// Load reads the price table and the usage file under root.
func Load(root string) (*Prices, Usages, error) {
	raw, err := os.ReadFile(filepath.Join(root, PricesFile))
	if err != nil {
		return nil, Usages{}, err
	}
	prices, err := ParsePrices(raw)
	if err != nil {
		return nil, Usages{}, err
	}
	raw, err = os.ReadFile(filepath.Join(root, UsageFile))
	if err != nil {
		return nil, Usages{}, err
	}
	usage, err := ParseUsage(raw)
	return prices, usage, err
}
