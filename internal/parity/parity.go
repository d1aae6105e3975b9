// Package parity checks that the three environments build the same resource
// graph except for the sanctioned differences of docs/environments.md. Each
// environment's manifest is normalised (environment name, suffix, account and
// network prefix replaced by placeholders), every resource is compared by
// normalised URN and every setting by property path, and each difference is
// either matched to a sanctioned difference (with the reason) or reported.
package parity

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/pkg/profile"
)

// Difference is one way the environments differ.
type Difference struct {
	// Resource is the normalised URN.
	Resource string `json:"resource"`
	// Path is the setting that differs; empty when the resource itself
	// exists only in some environments.
	Path string `json:"path,omitempty"`
	// Values by environment ("(absent)" where it does not exist).
	Values map[string]string `json:"values"`
	// Sanction is the reason the difference is allowed, if it is.
	Sanction string `json:"sanction,omitempty"`
}

// Report is the outcome of a comparison.
type Report struct {
	Environments []string     `json:"environments"`
	Unsanctioned []Difference `json:"unsanctioned"`
	Sanctioned   []Difference `json:"sanctioned"`
	// settings are the compared environments' settings, in their order:
	// what a sanction's reason reads.
	settings []profile.Profile
}

// Err returns an error listing the unsanctioned differences, or nil.
func (r Report) Err() error {
	if len(r.Unsanctioned) == 0 {
		return nil
	}
	var lines []string
	for _, d := range r.Unsanctioned {
		lines = append(lines, "  "+d.String())
	}
	return fmt.Errorf("%d unsanctioned difference(s) between %s:\n%s", len(r.Unsanctioned), strings.Join(r.Environments, ", "), strings.Join(lines, "\n"))
}

func (d Difference) String() string {
	var envs []string
	for env := range d.Values {
		envs = append(envs, env)
	}
	sort.Strings(envs)
	var vals []string
	for _, env := range envs {
		vals = append(vals, env+"="+d.Values[env])
	}
	what := d.Resource
	if d.Path != "" {
		what += " " + d.Path
	}
	return what + ": " + strings.Join(vals, " ")
}

// WriteText prints the report.
func (r Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "parity of %s: %d sanctioned difference(s), %d unsanctioned\n", strings.Join(r.Environments, ", "), len(r.Sanctioned), len(r.Unsanctioned))
	counts := map[string]int{}
	var reasons []string
	for _, d := range r.Sanctioned {
		if counts[d.Sanction] == 0 {
			reasons = append(reasons, d.Sanction)
		}
		counts[d.Sanction]++
	}
	sort.Strings(reasons)
	for _, why := range reasons {
		fmt.Fprintf(w, "  sanctioned  %3d  %s\n", counts[why], why)
	}
	for _, d := range r.Unsanctioned {
		fmt.Fprintf(w, "  UNSANCTIONED %s\n", d.String())
	}
}

const absent = "(absent)"

// Compare compares the manifests of the environments.
func Compare(ms []manifest.Manifest) Report {
	report := Report{}
	graphs := map[string]map[string]map[string]string{} // env -> resource -> path -> value
	keys := map[string]bool{}
	for _, m := range ms {
		report.Environments = append(report.Environments, m.Environment)
		settings := m.Settings
		settings.Environment = profile.Environment(m.Environment)
		report.settings = append(report.settings, settings)
		g := normalise(m)
		graphs[m.Environment] = g
		for k := range g {
			keys[k] = true
		}
	}
	var sortedKeys []string
	for k := range keys {
		sortedKeys = append(sortedKeys, k)
	}
	sort.Strings(sortedKeys)
	for _, key := range sortedKeys {
		present := map[string]bool{}
		paths := map[string]bool{}
		for env, g := range graphs {
			if props, ok := g[key]; ok {
				present[env] = true
				for p := range props {
					paths[p] = true
				}
			}
		}
		if len(present) != len(graphs) {
			d := Difference{Resource: key, Values: map[string]string{}}
			for env := range graphs {
				d.Values[env] = absent
				if present[env] {
					d.Values[env] = "exists"
				}
			}
			report.add(d)
			continue
		}
		var sortedPaths []string
		for p := range paths {
			sortedPaths = append(sortedPaths, p)
		}
		sort.Strings(sortedPaths)
		for _, p := range sortedPaths {
			d := Difference{Resource: key, Path: p, Values: map[string]string{}}
			distinct := map[string]bool{}
			for env, g := range graphs {
				v, ok := g[key][p]
				if !ok {
					v = absent
				}
				d.Values[env] = v
				distinct[v] = true
			}
			if len(distinct) > 1 {
				report.add(d)
			}
		}
	}
	return report
}

func (r *Report) add(d Difference) {
	if why := sanctionFor(d, r.settings); why != "" {
		d.Sanction = why
		r.Sanctioned = append(r.Sanctioned, d)
		return
	}
	r.Unsanctioned = append(r.Unsanctioned, d)
}

// normalise flattens a manifest into resource -> path -> value, with the
// environment-specific tokens replaced.
func normalise(m manifest.Manifest) map[string]map[string]string {
	replace := replacer(m)
	out := map[string]map[string]string{}
	for _, l := range m.Layers {
		for _, r := range l.Resources {
			props := map[string]string{}
			flatten("", r.Config, props, replace)
			for k, v := range r.Tags {
				props["tags."+k] = replace(v)
			}
			props["physicalName"] = replace(r.PhysicalName)
			props["protect"] = fmt.Sprint(r.Protect)
			props["retainOnDelete"] = fmt.Sprint(r.RetainOnDelete)
			out[replace(r.URN)] = props
		}
	}
	return out
}

func flatten(prefix string, v any, out map[string]string, replace func(string) string) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatten(p, x, out, replace)
		}
	case []any:
		for i, x := range t {
			flatten(fmt.Sprintf("%s[%d]", prefix, i), x, out, replace)
		}
	case string:
		// Policy and dashboard documents are JSON inside a string: compare
		// them as structures so one differing value is one difference.
		var doc any
		if (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && json.Unmarshal([]byte(t), &doc) == nil {
			flatten(prefix, doc, out, replace)
			return
		}
		out[prefix] = replace(t)
	default:
		b, _ := json.Marshal(t)
		out[prefix] = string(b)
	}
}

// envWord matches the name of an environment of environments.yaml as a
// word, the longest name first ("prod-dr" before "prod").
func envWord() *regexp.Regexp {
	var names []string
	for _, e := range profile.Environments() {
		names = append(names, regexp.QuoteMeta(string(e)))
	}
	re := regexp.MustCompile(`\b(` + strings.Join(names, "|") + `)\b`)
	re.Longest()
	return re
}

// replacer returns the normalisation of one environment's strings.
func replacer(m manifest.Manifest) func(string) string {
	env, suffix, account := m.Environment, m.Settings.Suffix, m.Account
	netPrefix := networkPrefix(m.Settings.Network.VpcCIDR)
	words := envWord()
	return func(s string) string {
		s = strings.ReplaceAll(s, account, "<account>")
		if netPrefix != "" {
			s = strings.ReplaceAll(s, netPrefix, "<net>.")
		}
		s = strings.ReplaceAll(s, "-"+env+"-"+suffix, "-<env>-<suffix>")
		return words.ReplaceAllStringFunc(s, func(w string) string {
			if w == env {
				return "<env>"
			}
			return "<other-env>"
		})
	}
}

// networkPrefix is the fixed part of the VPC network ("10.30." for a /16).
func networkPrefix(cidr string) string {
	addr, bits, ok := strings.Cut(cidr, "/")
	if !ok {
		return ""
	}
	octets := strings.Split(addr, ".")
	n, err := strconv.Atoi(bits)
	if err != nil {
		return ""
	}
	full := n / 8
	if full < 1 || full > 3 || len(octets) != 4 {
		return ""
	}
	return strings.Join(octets[:full], ".") + "."
}
