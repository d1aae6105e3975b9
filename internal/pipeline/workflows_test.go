package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
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
	Env         map[string]string
	Timeout     int `yaml:"timeout-minutes"`
	Strategy    struct {
		Matrix map[string]any
	}
	Steps []step
}

type step struct {
	ID    string `yaml:"id"`
	Name  string
	If    string
	Shell string
	Uses  string
	Run   string
	With  map[string]any
	Env   map[string]string
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

// What the reviewers approve is what is applied: the plan job (read-only
// role, no approval) saves the plan and shows it in the summary; the
// deploy job, in the environment whose reviewers approve it, applies that
// file and nothing else.
func TestTheApprovedPlanIsWhatIsDeployed(t *testing.T) {
	w := load(t, "deploy-environment.yml")
	plan, deploy := w.Jobs["plan"], w.Jobs["deploy"]
	assert.Equal(t, "${{ inputs.environment }}-readonly", plan.Environment, "the plan runs with the read-only role")
	assert.Equal(t, "${{ inputs.environment }}", deploy.Environment, "the deploy waits for the environment's reviewers")
	assert.Equal(t, []string{"plan"}, needs(deploy))
	assert.Equal(t, "payments-${{ inputs.environment }}", plan.Concurrency["group"])
	var planRuns string
	var uploaded string
	for _, s := range plan.Steps {
		planRuns += s.Run + "\n"
		if strings.HasPrefix(s.Uses, "actions/upload-artifact") {
			uploaded = fmt.Sprint(s.With["name"])
			assert.Equal(t, "plans/${{ inputs.environment }}.json", s.With["path"])
		}
		if strings.Contains(s.Run, "plan:live") {
			assert.Equal(t, "bash", s.Shell, "a failed plan fails the step, through the pipe")
		}
	}
	assert.Contains(t, planRuns, `./.mage-deploy plan:live "$ENV_NAME"`)
	assert.Contains(t, planRuns, `>> "$GITHUB_STEP_SUMMARY"`, "the reviewers see the plan's table")
	require.NotEmpty(t, uploaded)
	var downloaded string
	for _, s := range deploy.Steps {
		if strings.HasPrefix(s.Uses, "actions/download-artifact") {
			downloaded = fmt.Sprint(s.With["name"])
			assert.Equal(t, "plans", s.With["path"])
		}
		if strings.Contains(s.Run, " deploy:env ") {
			assert.Equal(t, "plans/${{ inputs.environment }}.json", s.Env["PLAN_FILE"], "the deploy applies the approved plan")
		}
	}
	assert.Equal(t, uploaded, downloaded, "the plan the deploy applies is the one the plan job saved in this run")
	assert.Contains(t, uploaded, "${{ github.sha }}")
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
	var upload bool
	for _, s := range j.Steps {
		if strings.HasPrefix(s.Uses, "actions/upload-artifact") {
			upload = true
			assert.Equal(t, "drift-${{ matrix.env }}", s.With["name"], "the report job downloads drift-*")
			assert.Equal(t, "always()", s.If, "a drifted (failed) check still uploads its report")
		}
	}
	assert.True(t, upload, "each environment's report is an artifact")
}

// Nightly drift becomes one report and one pull request: no job's own
// token writes, the adopt job has no AWS access and deploys nothing.
func TestDriftOpensOnePullRequestWithoutDeploying(t *testing.T) {
	w := load(t, "drift.yml")
	assert.Equal(t, map[string]string{"contents": "read"}, w.Permissions, "read-only by default")
	for name, j := range w.Jobs {
		assert.NotEqual(t, "write", j.Permissions["contents"], "%s: the workflow's own token writes no contents (the App's token does)", name)
		assert.NotEqual(t, "write", j.Permissions["pull-requests"], "%s: the workflow's own token opens no pull request", name)
	}

	report := w.Jobs["report"]
	assert.Equal(t, []string{"drift"}, needs(report))
	assert.Equal(t, "always()", report.If, "the report is written whatever each environment's check found")
	var runs string
	for _, s := range report.Steps {
		runs += s.Run + "\n"
		if strings.HasPrefix(s.Uses, "actions/download-artifact") {
			assert.Equal(t, "drift-*", s.With["pattern"], "every environment's report")
			assert.Equal(t, true, s.With["merge-multiple"])
		}
	}
	assert.Contains(t, runs, "go run mage.go drift:report")
	assert.Contains(t, runs, `cat drift/report.md >> "$GITHUB_STEP_SUMMARY"`)

	adopt := w.Jobs["adopt"]
	assert.Nil(t, adopt.Strategy.Matrix, "one adoption for every environment, not one per environment")
	assert.ElementsMatch(t, []string{"drift", "report"}, needs(adopt))
	assert.NotContains(t, adopt.Permissions, "id-token", "adoption needs no AWS access")
	runs = ""
	for _, s := range adopt.Steps {
		runs += s.Run + "\n"
		assert.NotContains(t, s.Uses, "configure-aws-credentials")
	}
	assert.Contains(t, runs, "go run mage.go drift:adopt all")
	assert.Contains(t, runs, `git switch -C "$branch"`)
	assert.Contains(t, runs, `branch="drift/adopt"`, "one branch, rewritten each night")
	assert.Contains(t, runs, "--body-file drift/adopt.md")
	assert.NotRegexp(t, `(?m)^\s*go run mage.go (deploy:env|drift:revert|destroy:env)`, runs, "it runs no deployment")
}

// tokenProblems lists the steps of a workflow that push a branch or open or
// edit a pull request with a token whose events start no workflow: the
// workflow's own token (github.token, secrets.GITHUB_TOKEN), directly or as
// the credentials a checkout stored. They must use a GitHub App's
// installation token, minted in the same job by a create-github-app-token
// step pinned by commit.
func tokenProblems(w workflow) []string {
	var problems []string
	ownToken := regexp.MustCompile(`github\.token|secrets\.GITHUB_TOKEN`)
	pinnedApp := regexp.MustCompile(`^actions/create-github-app-token@[0-9a-f]{40}$`)
	for _, name := range sortedKeys(w.Jobs) {
		j := w.Jobs[name]
		apps := map[string]bool{} // ids of the job's App-token steps
		for _, s := range j.Steps {
			if strings.HasPrefix(s.Uses, "actions/create-github-app-token") {
				if !pinnedApp.MatchString(s.Uses) {
					problems = append(problems, fmt.Sprintf("%s: %s is not pinned by commit", name, s.Uses))
				}
				apps[s.ID] = true
			}
		}
		appToken := func(v any) bool {
			m := regexp.MustCompile(`^\$\{\{\s*steps\.([\w-]+)\.outputs\.token\s*\}\}$`).FindStringSubmatch(fmt.Sprint(v))
			return m != nil && apps[m[1]]
		}
		var checkout *step
		for i, s := range j.Steps {
			if strings.HasPrefix(s.Uses, "actions/checkout") {
				checkout = &j.Steps[i]
			}
			pushes := regexp.MustCompile(`(?m)\bgit push\b`).MatchString(s.Run)
			opens := regexp.MustCompile(`(?m)\bgh pr (create|edit|merge|comment)\b`).MatchString(s.Run)
			if !pushes && !opens {
				continue
			}
			for k, v := range s.Env {
				if ownToken.MatchString(v) {
					problems = append(problems, fmt.Sprintf("%s/%s: %s is the workflow's own token", name, s.Name, k))
				}
			}
			if opens && !appToken(s.Env["GH_TOKEN"]) {
				problems = append(problems, fmt.Sprintf("%s/%s: gh runs with GH_TOKEN %q, not a GitHub App's token", name, s.Name, s.Env["GH_TOKEN"]))
			}
			if pushes {
				switch {
				case checkout == nil:
					problems = append(problems, fmt.Sprintf("%s/%s: pushes without a checkout before it", name, s.Name))
				case !appToken(checkout.With["token"]):
					problems = append(problems, fmt.Sprintf("%s/%s: pushes with the credentials its checkout stored (token %v), not a GitHub App's token",
						name, s.Name, orDefault(checkout.With["token"], "github.token by default")))
				}
			}
		}
	}
	return problems
}

func orDefault(v any, d string) any {
	if v == nil {
		return d
	}
	return v
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// The adoption pull request gets its checks: no workflow pushes or opens a
// pull request with a token whose events start none.
func TestPullRequestsAreOpenedWithATokenThatStartsTheirChecks(t *testing.T) {
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.Empty(t, tokenProblems(load(t, e.Name())), e.Name())
	}
	adopt := load(t, "drift.yml").Jobs["adopt"]
	var pushes, apps int
	for _, s := range adopt.Steps {
		if strings.Contains(s.Run, "git push") {
			pushes++
		}
		if strings.HasPrefix(s.Uses, "actions/create-github-app-token") {
			apps++
			assert.Equal(t, "${{ vars.DRIFT_APP_CLIENT_ID }}", s.With["client-id"])
			assert.Equal(t, "${{ secrets.DRIFT_APP_PRIVATE_KEY }}", s.With["private-key"])
			assert.Equal(t, "write", s.With["permission-contents"])
			assert.Equal(t, "write", s.With["permission-pull-requests"])
			assert.NotContains(t, s.With, "owner", "the token is for this repository only")
			assert.NotContains(t, s.With, "repositories", "the token is for this repository only")
		}
	}
	assert.Equal(t, 1, pushes, "the adopt job pushes its branch")
	assert.Equal(t, 1, apps, "with an App token minted in the job")

	// The check fails on the ways a workflow gets this wrong.
	bad := map[string]func(j *job){
		"the workflow's token for gh": func(j *job) { j.Steps[len(j.Steps)-1].Env["GH_TOKEN"] = "${{ github.token }}" },
		"a checkout storing the workflow's token": func(j *job) {
			for i := range j.Steps {
				if strings.HasPrefix(j.Steps[i].Uses, "actions/checkout") {
					j.Steps[i].With = nil
				}
			}
		},
		"secrets.GITHUB_TOKEN":        func(j *job) { j.Steps[len(j.Steps)-1].Env["GH_TOKEN"] = "${{ secrets.GITHUB_TOKEN }}" },
		"an App action pinned by tag": func(j *job) { j.Steps[0].Uses = "actions/create-github-app-token@v3" },
		"a token from a step that is not the App's": func(j *job) {
			j.Steps[len(j.Steps)-1].Env["GH_TOKEN"] = "${{ steps.other.outputs.token }}"
		},
	}
	for name, mutate := range bad {
		w := load(t, "drift.yml")
		j := w.Jobs["adopt"]
		j.Steps = append([]step(nil), j.Steps...)
		for i := range j.Steps {
			env := map[string]string{}
			for k, v := range j.Steps[i].Env {
				env[k] = v
			}
			j.Steps[i].Env = env
		}
		mutate(&j)
		w.Jobs["adopt"] = j
		assert.NotEmpty(t, tokenProblems(w), "%s is caught", name)
	}
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

// A pull request from a branch of this repository gets its review
// environment on every push, as the review role, with its plan, cost and
// outputs in the summary; it is destroyed when the pull request closes;
// the sweep runs nightly; a fork's pull request gets a summary saying why
// it has none, and never reaches the review role.
func TestPullRequestsGetAReviewEnvironmentThatGoesByItself(t *testing.T) {
	w := load(t, "pull-request.yml")
	pr, ok := w.On["pull_request"].(map[string]any)
	require.True(t, ok)
	assert.Equal(t, []any{"opened", "synchronize", "reopened", "closed"}, pr["types"])
	require.Contains(t, w.On, "schedule", "the nightly sweep")
	steps := func(j job) string {
		var runs string
		for _, s := range j.Steps {
			runs += s.Run + "\n"
		}
		return runs
	}
	fromBranch := "github.event.pull_request.head.repo.full_name == github.repository"
	for name, want := range map[string]string{"review-up": "go run mage.go review:up \"$REVIEW\"", "review-down": "go run mage.go review:down \"pr-${{ github.event.pull_request.number }}\"", "review-sweep": "go run mage.go review:sweep"} {
		j, ok := w.Jobs[name]
		require.True(t, ok, name)
		assert.Equal(t, "review", j.Environment, "%s runs as the review role, never dev's deployer", name)
		assert.Contains(t, steps(j), want, name)
		assert.Equal(t, "write", j.Permissions["id-token"], name)
		if name != "review-sweep" {
			assert.Contains(t, j.If, fromBranch, "%s: never for a fork's pull request", name)
			assert.Equal(t, false, j.Concurrency["cancel-in-progress"], "%s is never cancelled half-way", name)
		}
	}
	assert.Contains(t, w.Jobs["review-up"].If, "github.event.action != 'closed'")
	assert.Equal(t, "pr-${{ github.event.pull_request.number }}", w.Jobs["review-up"].Env["REVIEW"])
	for _, want := range []string{"GITHUB_STEP_SUMMARY", "go run mage.go cost:env \"$REVIEW\"", "manifests/$REVIEW.json"} {
		assert.Contains(t, steps(w.Jobs["review-up"]), want)
	}
	assert.Contains(t, w.Jobs["review-down"].If, "github.event.action == 'closed'")
	assert.Contains(t, w.Jobs["review-sweep"].If, "github.event_name == 'schedule'")
	fork := w.Jobs["review-from-a-fork"]
	assert.Contains(t, fork.If, "github.event.pull_request.head.repo.full_name != github.repository")
	assert.Nil(t, fork.Environment)
	assert.Contains(t, steps(fork), "gets no review environment")
	for _, name := range []string{"checks", "live-preview"} {
		assert.Contains(t, w.Jobs[name].If, "github.event.action != 'closed'", "%s does not run when the pull request closes", name)
	}
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
