package policy

import (
	"bytes"
	_ "embed"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/template"

	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/workload"
)

// DocPath is the generated compliance page.
const DocPath = "docs/compliance.md"

//go:embed compliance.md.tmpl
var complianceTemplate string

var compliancePage = template.Must(template.New("compliance").Parse(complianceTemplate))

type grantRow struct{ Sid, Actions, Scope, Reason string }

type waiverRow struct{ Rule, Environments, Reason, ApprovedBy string }

// Markdown renders docs/compliance.md from the rules, what workload roles
// may do (pkg/workload) and the waivers.
func Markdown(waivers []Waiver) []byte {
	data := struct {
		Rules            []Rule
		Denies, Unscoped []grantRow
		Waivers          []waiverRow
	}{Rules: Rules()}
	for _, d := range workload.DeniedActions(workload.Environment{Scope: iampolicy.Scope{Region: "us-east-1", Account: "<account>"}}) {
		data.Denies = append(data.Denies, grantRow{Sid: d.Sid, Actions: codeList(slices.Sorted(slices.Values(d.Actions))), Scope: scope(d)})
	}
	for _, u := range workload.UnscopedGrants {
		data.Unscoped = append(data.Unscoped, grantRow{Sid: u.Sid, Actions: codeList(u.Actions), Reason: u.Reason})
	}
	for _, w := range waivers {
		data.Waivers = append(data.Waivers, waiverRow{Rule: w.Rule, Environments: strings.Join(w.Environments, ", "), Reason: w.Reason, ApprovedBy: w.ApprovedBy})
	}
	var b bytes.Buffer
	if err := compliancePage.Execute(&b, data); err != nil {
		panic(err) // the template and its data are both fixed here; a test renders it
	}
	return b.Bytes()
}

func codeList(items []string) string { return "`" + strings.Join(items, "`, `") + "`" }

// scope says where a deny applies: its resources and conditions.
func scope(d workload.Denied) string {
	s := strings.Join(d.Resources, ", ")
	for _, op := range slices.Sorted(maps.Keys(d.Condition)) {
		for k, v := range d.Condition[op] {
			if op == "Null" && v.Only() == "false" {
				s += fmt.Sprintf("; when the request names %s", k)
				continue
			}
			s += fmt.Sprintf("; when %s %s %s", k, op, strings.Join(v, " or "))
		}
	}
	return s
}
