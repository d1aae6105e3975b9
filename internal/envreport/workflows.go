package envreport

import (
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"github.com/acmepay/platform/pkg/profile"
)

// WorkflowDir holds the GitHub workflows, relative to the repository root.
const WorkflowDir = ".github/workflows"

// deployWorkflow is the promotion workflow: one job per environment, in
// the environments file's order, written whole from deploy.yml.tmpl.
const deployWorkflow = "deploy.yml"

//go:embed deploy.yml.tmpl
var deployTemplate string

// The other workflows name environments only on lines that end with a
// marker comment, `# environments.yaml: <items>`, where each item is `all`
// (every environment, in promotion order), `non-production` (every
// environment whose tier is not production) or a word kept as it is
// (`none`). The list on the line is a YAML flow sequence (`[a, b]`) or the
// words of a shell `for` loop (`for env in a b; do`).
var (
	marker     = regexp.MustCompile(`#\s*environments\.yaml:\s*([a-z, -]+?)\s*$`)
	flowList   = regexp.MustCompile(`\[[^\]]*\]`)
	shellWords = regexp.MustCompile(`\bin ([^;]*);`)
)

// Workflows renders every workflow under root as the environments make
// it: deploy.yml from its template, the others' marked lines. The result
// maps each workflow's path, relative to root, to its content.
func Workflows(root string, envs []profile.Profile) (map[string][]byte, error) {
	out := map[string][]byte{}
	deploy, err := renderDeploy(envs)
	if err != nil {
		return nil, err
	}
	out[filepath.Join(WorkflowDir, deployWorkflow)] = deploy
	entries, err := os.ReadDir(filepath.Join(root, WorkflowDir))
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.Name() == deployWorkflow || !strings.HasSuffix(e.Name(), ".yml") {
			continue
		}
		rel := filepath.Join(WorkflowDir, e.Name())
		raw, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			return nil, err
		}
		text, err := renderMarked(string(raw), envs)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", rel, err)
		}
		out[rel] = []byte(text)
	}
	return out, nil
}

// WriteWorkflows writes what Workflows renders.
func WriteWorkflows(root string, envs []profile.Profile) error {
	files, err := Workflows(root, envs)
	if err != nil {
		return err
	}
	for rel, content := range files {
		if err := os.WriteFile(filepath.Join(root, rel), content, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// deployJob is one job of the promotion workflow.
type deployJob struct {
	Name  string
	Needs string
}

func renderDeploy(envs []profile.Profile) ([]byte, error) {
	var jobs []deployJob
	var names []string
	for i, p := range envs {
		job := deployJob{Name: string(p.Environment)}
		if i > 0 {
			job.Needs = string(envs[i-1].Environment)
		}
		jobs = append(jobs, job)
		names = append(names, string(p.Environment))
	}
	data := struct {
		Order       string
		DataLoss    string
		RevertDrift string
		Jobs        []deployJob
	}{
		Order:       strings.Join(names, " -> "),
		DataLoss:    "[" + strings.Join(expand([]string{"none", "non-production"}, envs), ", ") + "]",
		RevertDrift: "[" + strings.Join(expand([]string{"none", "all"}, envs), ", ") + "]",
		Jobs:        jobs,
	}
	tmpl, err := template.New(deployWorkflow).Parse(deployTemplate)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// renderMarked rewrites the list on every marked line of a workflow.
func renderMarked(text string, envs []profile.Profile) (string, error) {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		m := marker.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		var items []string
		for _, item := range strings.Split(m[1], ",") {
			items = append(items, strings.TrimSpace(item))
		}
		names := expand(items, envs)
		body := line[:len(line)-len(m[0])]
		switch {
		case flowList.MatchString(body):
			body = flowList.ReplaceAllLiteralString(body, "["+strings.Join(names, ", ")+"]")
		case shellWords.MatchString(body):
			body = shellWords.ReplaceAllLiteralString(body, "in "+strings.Join(names, " ")+";")
		default:
			return "", fmt.Errorf("line %d: %q is marked %q but holds no [list] and no `for ... in ...;`", i+1, line, m[0])
		}
		lines[i] = body + m[0]
	}
	return strings.Join(lines, "\n"), nil
}

// expand turns marker items into names: `all`, `non-production`, or the
// item itself.
func expand(items []string, envs []profile.Profile) []string {
	var names []string
	for _, item := range items {
		switch item {
		case "all", "non-production":
			for _, p := range envs {
				if item == "all" || !p.Production() {
					names = append(names, string(p.Environment))
				}
			}
		default:
			names = append(names, item)
		}
	}
	return names
}
