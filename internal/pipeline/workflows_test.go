package pipeline

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/acmepay/platform/internal/deploy/automation"
)

const dir = "../../.github/workflows"

type workflow struct {
	On          map[string]any `yaml:"on"`
	Permissions map[string]string
	Jobs        map[string]job
}

type job struct {
	Needs       any
	If          string
	Uses        string
	With        map[string]any
	Environment any
	Permissions map[string]string
	Concurrency map[string]any
	Timeout     int `yaml:"timeout-minutes"`
	Strategy    struct {
		Matrix map[string]any
	}
	Steps []struct {
		Name string
		Uses string
		Run  string
		With map[string]any
		Env  map[string]string
	}
}

func load(t *testing.T, name string) workflow {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err)
	var w workflow
	require.NoError(t, yaml.Unmarshal(raw, &w))
	return w
}

func needs(j job) []string {
	switch n := j.Needs.(type) {
	case string:
		return []string{n}
	case []any:
		var out []string
		for _, x := range n {
			out = append(out, x.(string))
		}
		return out
	}
	return nil
}

func TestMergeToMainPromotesDevStagingProd(t *testing.T) {
	w := load(t, "deploy.yml")
	assert.Contains(t, w.On, "push")
	assert.Equal(t, map[string]any{"branches": []any{"main"}}, w.On["push"])
	require.Len(t, w.Jobs, 3)
	assert.Empty(t, needs(w.Jobs["dev"]), "dev deploys first")
	assert.Equal(t, []string{"dev"}, needs(w.Jobs["staging"]), "staging only after dev")
	assert.Equal(t, []string{"staging"}, needs(w.Jobs["prod"]), "prod only after staging")
	for env, j := range w.Jobs {
		assert.Equal(t, "./.github/workflows/deploy-environment.yml", j.Uses)
		assert.Equal(t, env, j.With["environment"], "job %s deploys its own environment", env)
		assert.Equal(t, "${{ inputs.allow-data-loss || 'none' }}", j.With["allow-data-loss"], "data loss only when asked for by hand")
		assert.Equal(t, "${{ inputs.revert-drift || 'none' }}", j.With["revert-drift"], "hand changes put back only when asked for by hand")
	}
}

// Data loss is never allowed on a push; by hand, for one named environment,
// never prod (only its break-glass role may lose prod's data, from a
// workstation).
func TestDataLossIsAllowedOnlyByHandForOneEnvironment(t *testing.T) {
	w := load(t, "deploy.yml")
	dispatch, ok := w.On["workflow_dispatch"].(map[string]any)
	require.True(t, ok, "deploy.yml can be run by hand")
	input := dispatch["inputs"].(map[string]any)["allow-data-loss"].(map[string]any)
	assert.Equal(t, "choice", input["type"])
	assert.Equal(t, "none", input["default"])
	assert.Equal(t, []any{"none", "dev", "staging"}, input["options"])

	j := load(t, "deploy-environment.yml").Jobs["deploy"]
	found := false
	for _, s := range j.Steps {
		if strings.Contains(s.Run, " deploy:env ") {
			found = true
			assert.Equal(t, "${{ inputs.allow-data-loss }}", s.Env["ALLOW_DATA_LOSS"])
			assert.Equal(t, "${{ inputs.revert-drift }}", s.Env["REVERT_DRIFT"])
		}
	}
	assert.True(t, found)
}

func TestEachDeploymentRunsInItsGitHubEnvironment(t *testing.T) {
	w := load(t, "deploy-environment.yml")
	j := w.Jobs["deploy"]
	// prod's required reviewers are configured on the GitHub environment
	// named after it: the job must run in that environment.
	assert.Equal(t, "${{ inputs.environment }}", j.Environment)
	assert.Equal(t, "payments-${{ inputs.environment }}", j.Concurrency["group"], "one concurrency group per environment")
	assert.Equal(t, false, j.Concurrency["cancel-in-progress"], "a deployment is never cancelled half-way")
	var ran []string
	for _, s := range j.Steps {
		ran = append(ran, s.Run)
	}
	joined := strings.Join(ran, "\n")
	assert.Contains(t, joined, "go run mage.go -compile ./.mage-deploy")
	// The deploy is stopped by SIGINT (a safe point: automation.StopGrace),
	// then killed, both before the job's own timeout kills everything.
	m := regexp.MustCompile(`timeout --signal=INT --kill-after=(\d+)m (\d+)m \./\.mage-deploy deploy:env "\$\{\{ inputs\.environment \}\}"`).FindStringSubmatch(joined)
	require.NotNil(t, m, joined)
	stopAt, _ := strconv.Atoi(m[2])
	killAfter, _ := strconv.Atoi(m[1])
	assert.GreaterOrEqual(t, time.Duration(killAfter)*time.Minute, automation.StopGrace, "the stop has its grace before the kill")
	assert.Less(t, stopAt+killAfter, j.Timeout, "killed before the job times out, with time left to report")
	assert.Contains(t, uses(j), "actions/upload-artifact@", "the deployed manifest is uploaded")
	for _, s := range j.Steps {
		if strings.HasPrefix(s.Uses, "actions/upload-artifact") {
			assert.Equal(t, "manifests/${{ inputs.environment }}.json", s.With["path"])
		}
	}
}

func TestDriftRunsNightlyAndOnDemand(t *testing.T) {
	w := load(t, "drift.yml")
	schedule, ok := w.On["schedule"].([]any)
	require.True(t, ok, "drift has a schedule")
	require.Len(t, schedule, 1)
	cron := schedule[0].(map[string]any)["cron"].(string)
	assert.Regexp(t, regexp.MustCompile(`^\d+ \d+ \* \* \*$`), cron, "once a day")
	assert.Contains(t, w.On, "workflow_dispatch")
	j := w.Jobs["drift"]
	assert.ElementsMatch(t, []any{"dev", "staging", "prod"}, j.Strategy.Matrix["env"])
	assert.Equal(t, "payments-${{ matrix.env }}", j.Concurrency["group"], "drift shares the environment's group with deployments")
	var runs string
	for _, s := range j.Steps {
		runs += s.Run + "\n"
	}
	assert.Contains(t, runs, `go run mage.go drift:env "${{ matrix.env }}"`)
	assert.Contains(t, runs, "GITHUB_STEP_SUMMARY")
}

// Nightly drift becomes a pull request: only the adopt job may write, and it
// has no AWS access and deploys nothing.
func TestDriftOpensAPullRequestWithoutDeploying(t *testing.T) {
	w := load(t, "drift.yml")
	assert.Equal(t, map[string]string{"contents": "read"}, w.Permissions, "read-only by default")
	for name, j := range w.Jobs {
		writes := j.Permissions["contents"] == "write" || j.Permissions["pull-requests"] == "write"
		assert.Equal(t, name == "adopt", writes, "%s: only the adopt job writes contents or pull requests", name)
	}
	adopt := w.Jobs["adopt"]
	assert.Equal(t, []string{"drift"}, needs(adopt))
	assert.NotContains(t, adopt.Permissions, "id-token", "adoption needs no AWS access")
	var runs string
	for _, s := range adopt.Steps {
		runs += s.Run + "\n"
		assert.NotContains(t, s.Uses, "configure-aws-credentials")
	}
	assert.Contains(t, runs, `go run mage.go drift:adopt "${ENV_NAME}"`)
	assert.Contains(t, runs, "gh pr create")
	assert.NotRegexp(t, `(?m)^\s*go run mage.go (deploy:env|drift:revert|destroy:env)`, runs, "it runs no deployment")
}

func TestAWSAccessIsOIDCOnly(t *testing.T) {
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	staticKey := regexp.MustCompile(`(?i)aws[-_]?(access[-_]?key|secret[-_]?access)|AKIA[0-9A-Z]{16}`)
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		assert.False(t, staticKey.Match(raw), "%s mentions a static AWS key", e.Name())
		w := load(t, e.Name())
		assert.NotEqual(t, "write-all", w.Permissions["contents"])
		for name, j := range w.Jobs {
			if !strings.Contains(uses(j), "aws-actions/configure-aws-credentials") {
				continue
			}
			assert.Equal(t, "write", j.Permissions["id-token"], "%s/%s assumes a role by OIDC and needs id-token: write", e.Name(), name)
			for _, s := range j.Steps {
				if strings.HasPrefix(s.Uses, "aws-actions/configure-aws-credentials") {
					assert.Equal(t, "${{ vars.AWS_ROLE_ARN }}", s.With["role-to-assume"], "the environment's role, from its GitHub environment")
					assert.NotContains(t, s.With, "aws-access-key-id")
				}
			}
		}
	}
}

func TestPullRequestsRunTheChecks(t *testing.T) {
	w := load(t, "pull-request.yml")
	assert.Contains(t, w.On, "pull_request")
	var runs string
	for _, s := range w.Jobs["checks"].Steps {
		runs += s.Run + "\n"
	}
	for _, want := range []string{"bash .ci/run", "go run mage.go plan:env", "go run mage.go policy:env", "go run mage.go parity", "go run mage.go cost:diff", "GITHUB_STEP_SUMMARY"} {
		assert.Contains(t, runs, want)
	}
	preview := w.Jobs["live-preview"]
	assert.Equal(t, []string{"checks"}, needs(preview))
	assert.Equal(t, "${{ matrix.env }}-readonly", preview.Environment, "previews use the read-only role")
	assert.Contains(t, preview.If, "github.event.pull_request.head.repo.full_name == github.repository", "no live preview from a fork")
	assert.Equal(t, []any{"dev", "staging"}, preview.Strategy.Matrix["env"], "prod is previewed only on main, after approval")
}

// A tag can be moved to other code after review; a commit cannot. Every
// action from outside the repository is pinned to a full commit SHA, with the
// release it is in a comment, which is what Dependabot updates.
func TestActionsArePinnedToCommits(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	usesLine := regexp.MustCompile(`^\s*(?:-\s+)?uses:\s*(.*)$`)
	pinned := regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$`)
	external := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		for i, line := range strings.Split(string(raw), "\n") {
			m := usesLine.FindStringSubmatch(line)
			if m == nil || strings.HasPrefix(m[1], "./") {
				continue
			}
			external++
			assert.Regexp(t, pinned, m[1], "%s:%d", filepath.Base(f), i+1)
		}
	}
	assert.Positive(t, external)

	var dependabot struct {
		Updates []struct {
			Ecosystem string `yaml:"package-ecosystem"`
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, "..", "dependabot.yml"))
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(raw, &dependabot))
	var ecosystems []string
	for _, u := range dependabot.Updates {
		ecosystems = append(ecosystems, u.Ecosystem)
	}
	assert.Contains(t, ecosystems, "github-actions", "pinned SHAs are kept current by pull requests")
}

func uses(j job) string {
	var out []string
	for _, s := range j.Steps {
		out = append(out, s.Uses)
	}
	return strings.Join(out, "\n")
}
