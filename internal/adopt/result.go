package adopt

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/acmepay/platform/internal/drift"
	"github.com/acmepay/platform/pkg/profile"
)

// WriteText prints the summary: each setting old -> new and why, what was
// refused, then the revert-only list.
func (r Result) WriteText(w io.Writer) {
	if len(r.Changes) == 0 {
		fmt.Fprintf(w, "nothing to adopt from the drift of %s\n", strings.Join(r.Night.Environments, ", "))
	}
	for _, c := range r.Changes {
		fmt.Fprintf(w, "%-8s %-40s %s -> %s  (%s)\n         %s\n", c.Environment, c.Setting, c.Old, c.New, c.File, c.Why)
	}
	for _, x := range r.Refused {
		fmt.Fprintf(w, "not adopted: %s: %s\n", x.Setting, x.Reason)
	}
	if len(r.RevertOnly) > 0 {
		fmt.Fprintln(w, "\nrevert-only (the next deployment of the environment, or drift:revert <env>, puts them back):")
		for _, f := range r.RevertOnly {
			fmt.Fprintf(w, "  %s %s %s %s: %s\n", f.Environment, f.Type, f.Name, f.Path, f.Reason)
		}
	}
	for _, m := range r.Manifests {
		fmt.Fprintf(w, "regenerated %s\n", m)
	}
}

// Markdown is the adoption pull request's body: the night's merged report,
// the settings adopted and refused, and the cost diff.
func (r Result) Markdown(w io.Writer) {
	r.Night.Markdown(w)
	fmt.Fprintln(w, "\n## Adopted")
	if len(r.Changes) == 0 {
		fmt.Fprintln(w, "\nNothing.")
	} else {
		fmt.Fprintln(w, "\n| environment | setting | from | to | file | why |\n|---|---|---|---|---|---|")
		for _, c := range r.Changes {
			fmt.Fprintf(w, "| %s | `%s` | %s | %s | `%s` | %s |\n", c.Environment, c.Setting, c.Old, c.New, c.File, cell(c.Why))
		}
	}
	if len(r.Refused) > 0 {
		fmt.Fprintln(w, "\n## Not adopted\n\n| setting | why |\n|---|---|")
		for _, x := range r.Refused {
			fmt.Fprintf(w, "| `%s` | %s |\n", x.Setting, cell(x.Reason))
		}
	}
	if len(r.RevertOnly) > 0 {
		fmt.Fprintln(w, "\nThe revert-only rows are put back by the next deployment of their environment (or `go run mage.go drift:revert <env>`); "+
			"this pull request does not change them.")
	}
	if r.CostDiff != "" {
		fmt.Fprintf(w, "\n## Monthly cost\n\n%s", r.CostDiff)
	}
}

// Write writes the result as dir/adopt.json and dir/adopt.md (the pull
// request's body).
func (r Result) Write(dir string) error {
	return writeBoth(dir, AdoptFile, r, r.Markdown)
}

// LoadReports reads the reports the environments name from dir, each
// dir/<env>.json; "all" is every report in dir. An environment without a
// report gets a fresh drift check (check).
func LoadReports(dir, envs string, check func(env string) (drift.Report, error)) ([]drift.Report, error) {
	if envs == "all" {
		return ReadReports(dir)
	}
	var out []drift.Report
	for _, env := range strings.Split(envs, ",") {
		env = strings.TrimSpace(env)
		if _, err := profile.ParseEnvironment(env); err != nil {
			return nil, refuse("%v (or \"all\": every report in %s)", err, dir)
		}
		path := filepath.Join(dir, env+".json")
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			r, err := check(env)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
			continue
		}
		r, err := drift.ReadJSON(path)
		if err != nil {
			return nil, refuse("%v", err)
		}
		out = append(out, r)
	}
	return out, nil
}

// GitDirty lists which of the paths (relative to root) have uncommitted
// changes in root's git working tree.
func GitDirty(root string) func(paths []string) ([]string, error) {
	return func(paths []string) ([]string, error) {
		args := append([]string{"status", "--porcelain", "--"}, paths...)
		cmd := exec.Command("git", args...)
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("git status: %w", err)
		}
		var dirty []string
		for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
			if len(line) > 3 {
				dirty = append(dirty, strings.TrimSpace(line[3:]))
			}
		}
		return dirty, nil
	}
}
