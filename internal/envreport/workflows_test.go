package envreport

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/profile"
)

func committedProfiles(t *testing.T) []profile.Profile {
	t.Helper()
	var envs []profile.Profile
	for _, env := range profile.Environments() {
		p, err := profile.Planned(env)
		require.NoError(t, err)
		envs = append(envs, p)
	}
	return envs
}

// The committed workflows are what env:apply writes from the committed
// environments file: a new entry reaches them through env:apply, and a
// hand edit of a generated list fails here.
func TestCommittedWorkflowsAreCurrent(t *testing.T) {
	root := filepath.Join("..", "..")
	files, err := Workflows(root, committedProfiles(t))
	require.NoError(t, err)
	require.Len(t, files, 4, "deploy.yml and the three workflows with marked lines")
	for rel, want := range files {
		got, err := os.ReadFile(filepath.Join(root, rel))
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), "%s is stale: run go run mage.go env:apply", rel)
	}
}

// No workflow names an environment but on a line env:apply writes.
func TestWorkflowsNameEnvironmentsOnlyWhereGenerated(t *testing.T) {
	root := filepath.Join("..", "..")
	entries, err := os.ReadDir(filepath.Join(root, WorkflowDir))
	require.NoError(t, err)
	for _, e := range entries {
		if e.Name() == deployWorkflow {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(root, WorkflowDir, e.Name()))
		require.NoError(t, err)
		for i, line := range strings.Split(string(raw), "\n") {
			if marker.MatchString(line) {
				continue
			}
			for _, env := range profile.Environments() {
				// A name as a word: not /dev/null, not production.
				word := regexp.MustCompile(`(^|[^\w/.-])` + regexp.QuoteMeta(string(env)) + `($|[^\w/-])`)
				assert.False(t, word.MatchString(line), "%s:%d names %s on a line env:apply does not write: %q", e.Name(), i+1, env, line)
			}
		}
	}
}

// Another set of environments, as a fork's file would give them: the
// promotion jobs follow its order, a production environment is never
// offered for data loss nor previewed from a pull request, and every
// matrix and loop lists the set.
func TestWorkflowsFollowAnotherSetOfEnvironments(t *testing.T) {
	envs := []profile.Profile{
		{Environment: "sandbox", Tier: profile.Development},
		{Environment: "uat", Tier: profile.PreProduction},
		{Environment: "live", Tier: profile.Production},
		{Environment: "live-eu", Tier: profile.Production},
	}
	files, err := Workflows(filepath.Join("..", ".."), envs)
	require.NoError(t, err)

	deploy := string(files[filepath.Join(WorkflowDir, "deploy.yml")])
	assert.Contains(t, deploy, "in this order:\n# sandbox -> uat -> live -> live-eu. Each stage")
	assert.Contains(t, deploy, "        options: [none, sandbox, uat]\n")
	assert.Contains(t, deploy, "        options: [none, sandbox, uat, live, live-eu]\n")
	assert.Contains(t, deploy, "jobs:\n  sandbox:\n    uses: ./.github/workflows/deploy-environment.yml\n    with:\n      environment: sandbox\n")
	assert.Contains(t, deploy, "  uat:\n    needs: sandbox\n")
	assert.Contains(t, deploy, "  live:\n    needs: uat\n")
	assert.Contains(t, deploy, "  live-eu:\n    needs: live\n    uses: ./.github/workflows/deploy-environment.yml\n    with:\n      environment: live-eu\n")
	assert.Equal(t, 4, strings.Count(deploy, "secrets: inherit"))
	assert.Contains(t, deploy, "      allow-data-loss: ${{ inputs.allow-data-loss || 'none' }}\n")

	drift := string(files[filepath.Join(WorkflowDir, "drift.yml")])
	assert.Contains(t, drift, "        env: [sandbox, uat, live, live-eu] # environments.yaml: all\n")
	pr := string(files[filepath.Join(WorkflowDir, "pull-request.yml")])
	assert.Equal(t, 2, strings.Count(pr, "          for env in sandbox uat live live-eu; do # environments.yaml: all\n"))
	assert.Contains(t, pr, "        env: [sandbox, uat] # environments.yaml: non-production\n")
	for _, old := range []string{"[dev", "in dev "} {
		assert.NotContains(t, pr+drift+deploy, old)
	}
}

// A marker on a line with no list to write is refused, naming the line.
func TestAMarkedLineWithoutAListIsRefused(t *testing.T) {
	_, err := renderMarked("a: 1\n  env: dev # environments.yaml: all\n", []profile.Profile{{Environment: "x"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "line 2")
	assert.Contains(t, err.Error(), "env: dev")
}
