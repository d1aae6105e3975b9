// Package report holds the result of the compliance rules on an
// environment: what the manifest carries and the commands print. It depends
// on nothing, so the manifest can hold a report without knowing the rules.
package report

import (
	"fmt"
	"io"
	"strings"
)

// The outcomes of a rule on a resource.
const (
	Pass   = "pass"
	Fail   = "fail"
	Waived = "waived"
)

// Report is the result of the compliance rules on the environment.
type Report struct {
	Summary Summary  `json:"summary"`
	Results []Result `json:"results"`
}

// Summary counts results by outcome.
type Summary struct {
	Passed int `json:"passed"`
	Waived int `json:"waived"`
	Failed int `json:"failed"`
}

// Result is one rule on one resource.
type Result struct {
	Rule     string `json:"rule"`
	Resource string `json:"resource"`
	Outcome  string `json:"outcome"`
	Message  string `json:"message,omitempty"`
	Waiver   string `json:"waiver,omitempty"`
}

// Add records a result and counts it.
func (r *Report) Add(res Result) {
	r.Results = append(r.Results, res)
	switch res.Outcome {
	case Pass:
		r.Summary.Passed++
	case Waived:
		r.Summary.Waived++
	case Fail:
		r.Summary.Failed++
	}
}

// Violations returns an error listing every unwaived failure (rule, resource
// and fix), or nil.
func (r Report) Violations() error {
	var lines []string
	for _, res := range r.Results {
		if res.Outcome == Fail {
			lines = append(lines, fmt.Sprintf("  %s on %s: %s", res.Rule, res.Resource, res.Message))
		}
	}
	if len(lines) == 0 {
		return nil
	}
	return fmt.Errorf("%d policy violation(s):\n%s", len(lines), strings.Join(lines, "\n"))
}

// WriteText prints the summary and every failed or waived result.
func (r Report) WriteText(w io.Writer, env string) {
	fmt.Fprintf(w, "policy %s: %d passed, %d waived, %d failed\n", env, r.Summary.Passed, r.Summary.Waived, r.Summary.Failed)
	for _, res := range r.Results {
		switch res.Outcome {
		case Waived:
			fmt.Fprintf(w, "  waived  %-28s %s\n          reason: %s\n", res.Rule, res.Resource, res.Waiver)
		case Fail:
			fmt.Fprintf(w, "  FAILED  %-28s %s\n          %s\n", res.Rule, res.Resource, res.Message)
		}
	}
}
