package cost

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Dir is where the committed reports live, relative to the root.
const Dir = "costs"

// JSON renders the report deterministically.
func (r Report) JSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	err := enc.Encode(r)
	return buf.Bytes(), err
}

// Write writes costs/<env>.json under root.
func (r Report) Write(root string) (string, error) {
	b, err := r.JSON()
	if err != nil {
		return "", err
	}
	path := filepath.Join(root, Dir, r.Environment+".json")
	return path, os.WriteFile(path, b, 0o644)
}

// Read reads a report written by Write.
func Read(raw []byte) (Report, error) {
	var r Report
	return r, json.Unmarshal(raw, &r)
}

func money(v float64) string { return fmt.Sprintf("$%.2f", v) }

// WriteText prints the report by layer and resource.
func (r Report) WriteText(w io.Writer) {
	from := r.AssumptionsFrom
	if from == "" {
		from = UsageFile
	}
	fmt.Fprintf(w, "monthly cost of %s (%s list prices, no free tier; usage from %s)\n\n", r.Environment, r.Region, from)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LAYER\tRESOURCE\tDIMENSION\tQUANTITY\tUNIT\tFIXED\tUSAGE")
	for _, l := range r.Lines {
		fixed, usage := "", money(l.Monthly)
		if l.Fixed {
			fixed, usage = money(l.Monthly), ""
			if l.MaxMonthly > 0 {
				fixed += " to " + money(l.MaxMonthly)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l.Layer, l.Name, l.Dimension, strconv.FormatFloat(l.Quantity, 'f', -1, 64), l.Unit, fixed, usage)
	}
	tw.Flush()
	fixed := money(r.Fixed)
	if r.FixedMax > r.Fixed {
		fixed += " (up to " + money(r.FixedMax) + " at the autoscaling maximum)"
	}
	fmt.Fprintf(w, "\nfixed (idle): %s\nusage-based:  %s\ntotal:        %s a month\n", fixed, money(r.Usage), money(r.Total))
	fmt.Fprintf(w, "payment function on arm64: %s a month; on x86_64 it would be %s (arm64 saves %s)\n",
		money(r.Lambda.Arm64USD), money(r.Lambda.X86USD), money(r.Lambda.SavingUSD))
	if len(r.NotPriced) > 0 {
		fmt.Fprintln(w, "\nnot priced:")
		for _, i := range r.NotPriced {
			fmt.Fprintf(w, "  %s %s: %s\n", i.Type, i.Name, i.Reason)
		}
	}
}

// TopFixed lists the n resources contributing most to the fixed cost.
func (r Report) TopFixed(n int) []string {
	by := map[string]float64{}
	for _, l := range r.Lines {
		if l.Fixed {
			by[l.Type+" "+l.Name] += l.Monthly
		}
	}
	keys := make([]string, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if by[keys[i]] != by[keys[j]] {
			return by[keys[i]] > by[keys[j]]
		}
		return keys[i] < keys[j]
	})
	var out []string
	for _, k := range keys[:min(n, len(keys))] {
		out = append(out, fmt.Sprintf("%s %s", k, money(by[k])))
	}
	return out
}

// CheckBudget fails when the fixed baseline exceeds the environment's
// monthly budget, naming the resources that contribute most.
func (r Report) CheckBudget(budget int) error {
	if r.Fixed <= float64(budget) {
		return nil
	}
	return fmt.Errorf("%s's fixed monthly cost %s exceeds its budget of $%d (payments:monthlyBudgetUsd); the largest contributors: %s",
		r.Environment, money(r.Fixed), budget, strings.Join(r.TopFixed(3), ", "))
}

// Diff is the markdown table of what a change does to each environment's
// cost: before, after, delta, and the lines that changed.
func Diff(before, after []Report) string {
	var b strings.Builder
	b.WriteString("| environment | before | after | delta |\n|---|---:|---:|---:|\n")
	old := map[string]Report{}
	for _, r := range before {
		old[r.Environment] = r
	}
	var changed []string
	for _, r := range after {
		o := old[r.Environment]
		fmt.Fprintf(&b, "| %s | %s | %s | %+.2f |\n", r.Environment, money(o.Total), money(r.Total), r.Total-o.Total)
		lines := map[string]Line{}
		for _, l := range o.Lines {
			lines[l.Type+l.Name+l.Dimension] = l
		}
		seen := map[string]bool{}
		for _, l := range r.Lines {
			k := l.Type + l.Name + l.Dimension
			seen[k] = true
			if p, ok := lines[k]; !ok || p.Monthly != l.Monthly || p.MaxMonthly != l.MaxMonthly {
				changed = append(changed, fmt.Sprintf("| %s | %s | %s | %s | %s |%s", r.Environment, l.Name, l.Dimension, money(p.Monthly), money(l.Monthly), callout(l)))
			}
		}
		for k, l := range lines {
			if !seen[k] {
				changed = append(changed, fmt.Sprintf("| %s | %s | %s | %s | removed |%s", r.Environment, l.Name, l.Dimension, money(l.Monthly), callout(l)))
			}
		}
	}
	if len(changed) > 0 {
		sort.Strings(changed)
		b.WriteString("\n| environment | resource | dimension | before | after | |\n|---|---|---|---:|---:|---|\n")
		b.WriteString(strings.Join(changed, "\n") + "\n")
	}
	return b.String()
}

// callout flags the lines a reviewer of a payments platform watches.
func callout(l Line) string {
	switch {
	case strings.HasPrefix(l.PriceID, "nat-"), l.PriceID == "public-ipv4-hour":
		return " **NAT** |"
	case l.PriceID == "dynamodb-pitr-gb-month":
		return " **PITR** |"
	case strings.HasPrefix(l.PriceID, "dynamodb-rcu"), strings.HasPrefix(l.PriceID, "dynamodb-wcu"):
		return " **capacity** |"
	}
	return " |"
}
