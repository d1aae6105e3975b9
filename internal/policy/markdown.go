package policy

import (
	"bytes"
	_ "embed"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/template"

	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/iampolicy/validity"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/workload"
)

// DocPath is the generated compliance page.
const DocPath = "docs/compliance.md"

//go:embed compliance.md.tmpl
var complianceTemplate string

var compliancePage = template.Must(template.New("compliance").Parse(complianceTemplate))

type grantRow struct{ Sid, Actions, Scope, Reason string }

type waiverRow struct{ Rule, Environments, Reason, ApprovedBy string }

// perEnvironment are a row's cells, one per environment in promotion
// order; "not asked" where the environment has no such request.
type perEnvironment struct{ Cells []string }

func notAsked() perEnvironment {
	c := perEnvironment{Cells: make([]string, len(profile.Environments()))}
	for i := range c.Cells {
		c.Cells[i] = "not asked"
	}
	return c
}

func (c *perEnvironment) set(env profile.Environment, cell string) {
	if i := slices.Index(profile.Environments(), env); i >= 0 {
		c.Cells[i] = cell
	}
}

type pipelineRow struct {
	Name, Action string
	perEnvironment
}

// pipelineRows are the deployer's verdicts on the dangerous requests, per
// environment, as the environments file describes the accounts.
func pipelineRows() []pipelineRow {
	t, err := bootstrapiam.PlannedTooling()
	if err != nil {
		panic(err) // the environments file is embedded and validated by its tests
	}
	var rows []pipelineRow
	index := map[string]int{}
	for _, a := range t.Accounts {
		verdicts, err := a.Judge(t)
		if err != nil {
			panic(err)
		}
		for _, v := range verdicts {
			i, ok := index[v.Name]
			if !ok {
				i = len(rows)
				index[v.Name] = i
				rows = append(rows, pipelineRow{Name: v.Name, Action: v.Action, perEnvironment: notAsked()})
			}
			cell := bootstrapiam.DocumentOf(v.AccountOnly.By)
			if v.AccountOnly.Decision == iampolicy.Allowed || v.AllowAll.Decision == iampolicy.Allowed || v.Own.Decision == iampolicy.Allowed {
				cell = "**allowed**"
			}
			rows[i].set(a.Profile.Environment, cell)
		}
	}
	return rows
}

type intendedRow struct {
	Group, Name, Action string
	perEnvironment
}

// intendedRows are the paths the product takes, each proven allowed with
// every document that applies attached, and the statement that allows it,
// per environment.
func intendedRows() []intendedRow {
	t, err := bootstrapiam.PlannedTooling()
	if err != nil {
		panic(err)
	}
	var rows []intendedRow
	index := map[string]int{}
	for _, a := range t.Accounts {
		paths, err := t.Intended(a)
		if err != nil {
			panic(err)
		}
		proofs, err := bootstrapiam.Prove(paths)
		if err != nil {
			panic(err)
		}
		for _, p := range proofs {
			key := p.Group + "\x00" + p.Name
			i, ok := index[key]
			if !ok {
				i = len(rows)
				index[key] = i
				rows = append(rows, intendedRow{Group: p.Group, Name: p.Name, Action: p.Request.Action, perEnvironment: notAsked()})
			}
			cell := "**" + string(p.Result.Decision) + "**: " + p.Result.By
			if p.Result.Decision == iampolicy.Allowed {
				var parts []string
				for _, by := range strings.Split(p.Result.By, " and ") {
					parts = append(parts, p.DocumentOf(by))
				}
				cell = strings.Join(parts, " and ")
			}
			rows[i].set(a.Profile.Environment, cell)
		}
	}
	return rows
}

type validityRow struct{ Rule, Source string }

// validityRows are AWS's validity rules every document is checked against.
func validityRows() []validityRow {
	var rows []validityRow
	for _, r := range []validity.Rule{validity.RuleVersion, validity.RuleEffect, validity.RuleSid, validity.RuleAction, validity.RuleResource,
		validity.RulePrincipal, validity.RuleNotPrincipal, validity.RuleTrustActions, validity.RuleSCPElements, validity.RuleRCPDenyOnly,
		validity.RuleRCPElements, validity.RuleOperator, validity.RuleConditionKey, validity.RuleConditionValue} {
		rows = append(rows, validityRow{Rule: r.Name, Source: r.Source})
	}
	for _, k := range slices.Sorted(maps.Keys(validity.Limits)) {
		l := validity.Limits[k]
		counted := "whitespace not counted"
		if l.Whitespace {
			counted = "every character counted"
		}
		rows = append(rows, validityRow{Rule: fmt.Sprintf("a %s is at most %d %s (%s)", k, l.Max, l.Unit, counted), Source: l.Source})
	}
	return rows
}

// Markdown renders docs/compliance.md from the rules, what workload roles
// may do (pkg/workload) and the waivers.
func Markdown(waivers []Waiver) []byte {
	data := struct {
		Rules            []Rule
		Denies, Unscoped []grantRow
		Waivers          []waiverRow
		Pipeline         []pipelineRow
		Intended         []intendedRow
		Validity         []validityRow
		UnconditionedEC2 []bootstrapiam.Unconditioned
		Envs             []profile.Environment
	}{Rules: Rules(), Pipeline: pipelineRows(), Intended: intendedRows(), Validity: validityRows(), UnconditionedEC2: bootstrapiam.UnconditionedEC2,
		Envs: profile.Environments()}
	for _, d := range workload.DeniedActions(workload.Environment{Scope: iampolicy.Scope{Region: "us-east-1", Account: "<account>"}}) {
		data.Denies = append(data.Denies, grantRow{Sid: d.Sid, Actions: codeList(slices.Sorted(slices.Values(d.Actions))), Scope: scope(d)})
	}
	for _, u := range workload.UnscopedGrants {
		data.Unscoped = append(data.Unscoped, grantRow{Sid: u.Sid, Actions: codeList(u.Actions), Reason: u.Reason})
	}
	for _, w := range waivers {
		data.Waivers = append(data.Waivers, waiverRow{Rule: w.Rule, Environments: w.Where(), Reason: w.Reason, ApprovedBy: w.ApprovedBy})
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
