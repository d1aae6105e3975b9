package adopt

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/acmepay/platform/internal/drift"
	"github.com/acmepay/platform/pkg/profile"
)

// Classes of a drifted property in the merged report.
const (
	ClassAdoptable  = "adoptable"
	ClassRevertOnly = "revert-only"
	ClassExcepted   = "excepted"
)

// Row is one drifted property of one environment in the merged report.
type Row struct {
	Environment string `json:"environment"`
	Layer       string `json:"layer"`
	Resource    string `json:"resource"`
	Type        string `json:"type"`
	Property    string `json:"property,omitempty"`
	// Live is the value in the account now; Code the value the last
	// deployment of the code recorded.
	Live  any    `json:"live"`
	Code  any    `json:"code"`
	Class string `json:"class"`
	// Setting produces an adoptable property; Reason says why a property
	// is revert-only or excepted; Until is when an exception expires.
	Setting string `json:"setting,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Until   string `json:"until,omitempty"`
}

// Night is the merged drift of several environments' reports, taken from
// one commit.
type Night struct {
	Commit string `json:"commit"`
	// Environments are those with a report, in promotion order; Missing
	// those without one (their check failed before it wrote a report).
	Environments []string `json:"environments"`
	Missing      []string `json:"missing,omitempty"`
	// Failed holds, for each environment whose drift check failed before
	// writing a report, the failure's first line (ReadFailures); any other
	// missing environment was not checked.
	Failed map[string]string `json:"failed,omitempty"`
	Rows   []Row             `json:"rows"`
}

// ReportFile and AdoptFile are what drift:report and drift:adopt write
// beside the environments' reports, as <name>.json and <name>.md.
const (
	ReportFile = "report"
	AdoptFile  = "adopt"
)

// CheckReports refuses a set of reports that cannot be read as one night:
// an unknown environment, two reports of one environment, or reports from
// different commits. It returns them in promotion order.
func CheckReports(reports []drift.Report) ([]drift.Report, error) {
	if len(reports) == 0 {
		return nil, refuse("no drift report: run drift:env <env> first (it writes drift/<env>.json)")
	}
	byEnv := map[profile.Environment]drift.Report{}
	for _, r := range reports {
		env, err := profile.ParseEnvironment(r.Environment)
		if err != nil {
			return nil, refuse("drift report: %v", err)
		}
		if _, dup := byEnv[env]; dup {
			return nil, refuse("two drift reports for %s: give one report per environment", env)
		}
		byEnv[env] = r
	}
	var out []drift.Report
	for _, env := range profile.Environments() {
		if r, ok := byEnv[env]; ok {
			out = append(out, r)
		}
	}
	for _, r := range out[1:] {
		if r.Commit != out[0].Commit {
			return nil, refuse("the drift reports come from different commits: %s's from %s, %s's from %s; run every environment's drift check from one commit",
				out[0].Environment, commitName(out[0].Commit), r.Environment, commitName(r.Commit))
		}
	}
	return out, nil
}

func commitName(c string) string {
	if c == "" {
		return "no recorded commit"
	}
	return c
}

// Merge checks a night's reports (CheckReports) and classifies every
// drifted property of every environment.
func Merge(reports []drift.Report) (Night, error) {
	reports, err := CheckReports(reports)
	if err != nil {
		return Night{}, err
	}
	n := Night{Commit: reports[0].Commit, Rows: []Row{}}
	have := map[string]bool{}
	for _, r := range reports {
		have[r.Environment] = true
		n.Environments = append(n.Environments, r.Environment)
		adoptable, revertOnly := Classify(r)
		for _, f := range append(adoptable, revertOnly...) {
			class := ClassAdoptable
			if f.Setting == "" {
				class = ClassRevertOnly
			}
			n.Rows = append(n.Rows, Row{Environment: r.Environment, Layer: f.Layer, Resource: f.Name, Type: f.Type, Property: f.Path,
				Live: f.Live, Code: f.Recorded, Class: class, Setting: f.Setting, Reason: f.Reason})
		}
		for _, d := range r.Excepted {
			for _, p := range d.Properties {
				row := Row{Environment: r.Environment, Layer: d.Layer, Resource: d.Name, Type: d.Type, Property: p.Path,
					Live: p.Live, Code: p.Recorded, Class: ClassExcepted}
				if p.Exception != nil {
					row.Reason = fmt.Sprintf("%s (approved by %s)", p.Exception.Reason, p.Exception.Approver)
					row.Until = p.Exception.Expires
				}
				n.Rows = append(n.Rows, row)
			}
		}
	}
	for _, env := range profile.Environments() {
		if !have[string(env)] {
			n.Missing = append(n.Missing, string(env))
		}
	}
	return n, nil
}

// Drifted counts the rows of an environment that are not excepted.
func (n Night) Drifted(env string) int {
	c := 0
	for _, r := range n.Rows {
		if r.Environment == env && r.Class != ClassExcepted {
			c++
		}
	}
	return c
}

// Markdown is the one-screen view of the night: a line per environment,
// then a table of every drifted property.
func (n Night) Markdown(w io.Writer) {
	fmt.Fprintf(w, "## Drift: %s\n\n", n.headline())
	fmt.Fprintf(w, "Checked from commit `%s`.\n\n", commitName(n.Commit))
	for _, env := range n.Environments {
		switch c := n.Drifted(env); c {
		case 0:
			fmt.Fprintf(w, "- **%s**: no drift\n", env)
		default:
			fmt.Fprintf(w, "- **%s**: %d drifted propert%s\n", env, c, plural(c, "y", "ies"))
		}
	}
	for _, env := range n.Missing {
		if why, failed := n.Failed[env]; failed {
			fmt.Fprintf(w, "- **%s**: no report: its drift check failed (%s); see its job's log\n", env, why)
			continue
		}
		fmt.Fprintf(w, "- **%s**: no report yet: no drift check of %s was run (`go run mage.go drift:env %s` writes one)\n", env, env, env)
	}
	if len(n.Rows) == 0 {
		return
	}
	fmt.Fprintln(w, "\n| environment | layer | resource | property | live | code | classification |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, r := range n.Rows {
		fmt.Fprintf(w, "| %s | %s | %s `%s` | %s | %s | %s | %s |\n", r.Environment, r.Layer, r.Resource, r.Type, code(r.Property),
			value(r.Live), value(r.Code), r.classification())
	}
}

func (n Night) headline() string {
	var drifted []string
	for _, env := range n.Environments {
		if n.Drifted(env) > 0 {
			drifted = append(drifted, env)
		}
	}
	switch {
	case len(drifted) > 0:
		return "hand changes in " + strings.Join(drifted, ", ")
	case len(n.Missing) > 0:
		return "no hand changes in the environments checked"
	}
	return "no hand changes"
}

func (r Row) classification() string {
	switch r.Class {
	case ClassAdoptable:
		return "adoptable: `" + r.Setting + "`"
	case ClassExcepted:
		return "excepted until " + r.Until + ": " + cell(r.Reason)
	}
	return "revert-only: " + cell(r.Reason)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + s + "`"
}

// value shows a property value in a table cell.
func value(v any) string {
	if v == nil {
		return "(absent)"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return cell(fmt.Sprint(v))
	}
	s := string(b)
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return "`" + strings.ReplaceAll(s, "|", `\|`) + "`"
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// Write writes the night as dir/report.json and dir/report.md.
func (n Night) Write(dir string) error {
	return writeBoth(dir, ReportFile, n, n.Markdown)
}

func writeBoth(dir, name string, v any, md func(io.Writer)) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, name+".json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	var s strings.Builder
	md(&s)
	return os.WriteFile(filepath.Join(dir, name+".md"), []byte(s.String()), 0o644)
}

// ReadReports reads every environment's report in dir: each <env>.json
// that drift:env wrote, leaving out what drift:report and drift:adopt write
// there. A file whose name is not its report's environment is refused.
func ReadReports(dir string) ([]drift.Report, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var out []drift.Report
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".json")
		if name == ReportFile || name == AdoptFile || strings.HasSuffix(name, "."+AdoptFile) {
			continue
		}
		r, err := drift.ReadJSON(p)
		if err != nil {
			return nil, refuse("%v", err)
		}
		if r.Environment != name {
			return nil, refuse("%s holds the drift report of %q: a report is named after its environment", p, r.Environment)
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, refuse("no drift report in %s: run drift:env <env> first (it writes %s)", dir, filepath.Join(dir, "<env>.json"))
	}
	return out, nil
}

// failureSuffix names the file a failed drift check leaves instead of its
// report: <env>.failed.
const failureSuffix = ".failed"

// WriteFailure records that env's drift check failed, with why, in dir.
func WriteFailure(dir, env string, why error) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, env+failureSuffix), []byte(why.Error()+"\n"), 0o644)
}

// ReadFailures reads the failures drift:env left in dir, by environment,
// each its first line. A failure older than the environment's report (a
// later check succeeded) does not count.
func ReadFailures(dir string) (map[string]string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*"+failureSuffix))
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, p := range paths {
		env := strings.TrimSuffix(filepath.Base(p), failureSuffix)
		failed, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if report, err := os.Stat(filepath.Join(dir, env+".json")); err == nil && report.ModTime().After(failed.ModTime()) {
			continue
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		first, _, _ := strings.Cut(strings.TrimSpace(string(raw)), "\n")
		out[env] = first
	}
	return out, nil
}
