package live

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/bootstrap"
	"github.com/acmepay/platform/internal/deploy/automation"
	"github.com/acmepay/platform/internal/doccheck"
	"github.com/acmepay/platform/internal/gittest"
	"github.com/acmepay/platform/internal/magetargets"
	"github.com/acmepay/platform/internal/standin"
	"github.com/acmepay/platform/internal/workbench"
	"github.com/acmepay/platform/pkg/contract"
)

// guide follows a page's shell blocks against the stand-in organisation:
// each command the page does not mark as not run is run as written, through
// the function its mage target calls (guideTargets) or,
// for any other command, bash in the repository at root; then the block's
// output is compared with what the page says to expect.
type guide struct {
	o    *org
	root string
	page string
	// values are what the page's placeholders stand for here.
	values map[string]string
	blocks []doccheck.Block
	ran    map[string]bool
	// elsewhere are commands whose block's output another test compares,
	// with the state it shows (an interrupted run, for recover:env).
	elsewhere map[string]bool
}

func (o *org) guide(t *testing.T, root, page string, values map[string]string) *guide {
	t.Helper()
	return newGuide(t, o, root, page, values)
}

// newGuide follows a page against the organisation o or, with o nil,
// against what the page's own commands set up (the stand-in of
// `standin:start`, whose settings the page sources).
func newGuide(t *testing.T, o *org, root, page string, values map[string]string) *guide {
	t.Helper()
	blocks, err := doccheck.Read(filepath.Join("..", ".."), page)
	require.NoError(t, err)
	return &guide{o: o, root: root, page: page, values: values, blocks: blocks, ran: map[string]bool{}, elsewhere: map[string]bool{}}
}

// follow runs, in the page's order, the commands not run yet for which
// only says yes (a page may be followed in parts),
// and compares each block's expected output with what its commands printed.
// A command that fails fails the test, naming it.
func (g *guide) follow(t *testing.T, ctx context.Context, only func(c doccheck.Command) bool) []string {
	t.Helper()
	var ran []string
	for _, b := range g.blocks {
		out := &bytes.Buffer{}
		runs, compare := false, true
		for _, c := range b.Commands {
			if c.NotRun != "" || g.ran[c.Text] || !only(c) {
				continue
			}
			runs = true
			compare = compare && !g.elsewhere[c.Text]
			t.Logf("%s: %s", g.page, c.Text)
			require.NoError(t, g.run(t, ctx, c.Text, out), "%s: %s\n%s", g.page, c.Text, out)
			g.ran[c.Text] = true
			ran = append(ran, c.Text)
		}
		if runs && compare {
			if missing := doccheck.Missing(g.expand(b.Expected), out.String()); missing != "" {
				t.Errorf("%s says to expect %q, which the output does not hold (in that order):\n%s", g.page, missing, out)
			}
		}
	}
	return ran
}

// allRan checks that every command of the page not marked as not run was
// run by now: a new command on the page fails the test until it is run or
// marked.
func (g *guide) allRan(t *testing.T) {
	t.Helper()
	for _, b := range g.blocks {
		for _, c := range b.Commands {
			if c.NotRun == "" && !g.ran[c.Text] {
				t.Errorf("%s: %q is neither run by this test nor marked %q", g.page, c.Text, doccheck.NotRunMarker+" <why>")
			}
		}
	}
}

func (g *guide) expand(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		for k, v := range g.values {
			l = strings.ReplaceAll(l, k, v)
		}
		out[i] = l
	}
	return out
}

// run runs one command. Variables set before a mage command hold for that
// command only, as in a shell; an export holds for the rest of the test.
func (g *guide) run(t *testing.T, ctx context.Context, text string, out io.Writer) error {
	t.Helper()
	if rest, ok := strings.CutPrefix(strings.TrimSpace(text), "export "); ok {
		name, _, _ := strings.Cut(rest, "=")
		if name == "PULUMI_CONFIG_PASSPHRASE" {
			t.Setenv(name, "live-tier")
			return nil
		}
		got, err := g.bash(fmt.Sprintf("%s\nprintf %%s \"$%s\"", strings.TrimSpace(text), name), nil)
		if err != nil {
			return err
		}
		t.Setenv(name, got)
		return nil
	}
	if file, ok := strings.CutPrefix(strings.TrimSpace(text), ". "); ok {
		return g.source(t, strings.Fields(file)[0])
	}
	m, ok := doccheck.ParseMage(text)
	if !ok {
		if _, err := exec.LookPath(strings.Fields(text)[0]); err != nil && !strings.HasPrefix(text, "for ") {
			t.Logf("%s: %s: %s is not installed here; not run", g.page, text, strings.Fields(text)[0])
			return nil
		}
		got, err := g.bash(text, out)
		fmt.Fprint(out, got)
		return err
	}
	for _, kv := range m.Vars {
		k, v := kv[0], kv[1]
		switch {
		case k == "AWS_PROFILE" && v == "<dev-admin>" && g.o == nil:
			continue // on the stand-in the page says to leave it out: its sourced settings hold
		case g.o == nil && (strings.Contains(v, "<tooling-admin>") || strings.HasPrefix(v, "s3://<bucket>/")):
			return fmt.Errorf("%s: the stand-in plays dev's account alone", text)
		case k == "AWS_PROFILE" && v == "<dev-admin>":
			g.o.as(t, g.o.dev, adminKey)
			continue
		case k == "AWS_PROFILE" && v == "<tooling-admin>":
			g.o.as(t, g.o.tooling, adminKey)
			continue
		case strings.HasPrefix(v, "s3://<bucket>/"):
			v = g.o.backend(strings.TrimPrefix(v, "s3://<bucket>/"))
		default:
			if v = g.placeholder(v); strings.Contains(v, "<") {
				return fmt.Errorf("no stand-in for %s=%s", k, v)
			}
		}
		prev, had := os.LookupEnv(k)
		require.NoError(t, os.Setenv(k, v))
		defer func() {
			if had {
				_ = os.Setenv(k, prev)
			} else {
				_ = os.Unsetenv(k)
			}
		}()
	}
	args := make([]string, len(m.Args))
	for i, a := range m.Args {
		args[i] = g.placeholder(a)
	}
	return g.target(ctx, m.Target, args, out)
}

// guideTarget is a mage target as the guides' runner calls it: the
// function magefile.go's method calls, with the target's arguments.
type guideTarget func(ctx context.Context, args []string, wo workbench.Options, bo bootstrap.Options) error

func onEnv(f func(context.Context, string, workbench.Options) error) guideTarget {
	return func(ctx context.Context, args []string, wo workbench.Options, _ bootstrap.Options) error {
		return f(ctx, args[0], wo)
	}
}

func onAccount(f func(context.Context, string, bootstrap.Options) error) guideTarget {
	return func(ctx context.Context, args []string, _ workbench.Options, bo bootstrap.Options) error {
		return f(ctx, args[0], bo)
	}
}

func onTooling(f func(context.Context, bootstrap.Options) error) guideTarget {
	return func(ctx context.Context, _ []string, _ workbench.Options, bo bootstrap.Options) error {
		return f(ctx, bo)
	}
}

// guideTargets are the targets the guides run, with their number of
// arguments: the one place outside mage that maps a name to a target
// (TestTheGuidesRunnerKnowsOnlyTheMagefilesTargets holds it to magefile.go).
var guideTargets = map[string]struct {
	args int
	run  guideTarget
}{
	"plan:env": {1, onEnv(workbench.Plan)}, "plan:live": {1, onEnv(workbench.PlanLive)}, "preview:env": {1, onEnv(workbench.Preview)},
	"deploy:env": {1, onEnv(workbench.Deploy)}, "destroy:env": {1, onEnv(workbench.Destroy)}, "recover:env": {1, onEnv(workbench.Recover)},
	"drift:env": {1, onEnv(workbench.DriftCheck)}, "drift:revert": {1, onEnv(workbench.DriftRevert)}, "manifest:env": {1, onEnv(workbench.Manifest)},
	"standin:start": {1, onEnv(workbench.StandinStart)}, "standin:stop": {1, onEnv(workbench.StandinStop)}, "standin:show": {1, onEnv(workbench.StandinShow)},
	"env:apply": {0, func(ctx context.Context, _ []string, wo workbench.Options, _ bootstrap.Options) error {
		return workbench.EnvApply(ctx, wo)
	}},
	"rollback:env": {2, func(ctx context.Context, args []string, wo workbench.Options, _ bootstrap.Options) error {
		return workbench.Rollback(ctx, args[0], args[1], wo)
	}},
	"bootstrap:env": {1, onAccount(bootstrap.Env)}, "bootstrap:destroy": {1, onAccount(bootstrap.Destroy)},
	"bootstrap:policies": {1, onAccount(func(_ context.Context, env string, o bootstrap.Options) error { return bootstrap.Policies(env, o) })},
	"bootstrap:state":    {0, onTooling(bootstrap.State)}, "bootstrap:destroyState": {0, onTooling(bootstrap.DestroyState)},
	"bootstrap:moveState":     {0, onTooling(bootstrap.MoveState)},
	"bootstrap:statePolicies": {0, onTooling(func(_ context.Context, o bootstrap.Options) error { return bootstrap.StatePolicies(o) })},
}

// target runs a mage target as magefile.go does.
func (g *guide) target(ctx context.Context, name string, args []string, out io.Writer) error {
	tg, ok := guideTargets[name]
	if !ok {
		return fmt.Errorf("%s: the guides' runner has no such target", name)
	}
	if len(args) != tg.args {
		return fmt.Errorf("%s takes %d argument(s), got %d: %q", name, tg.args, len(args), args)
	}
	return tg.run(ctx, args, workbench.Options{Root: g.root, Lookup: os.LookupEnv, Out: out},
		bootstrap.Options{Root: g.root, Command: &automation.Command{}, Lookup: os.LookupEnv, Out: out})
}

// Every name the guides' runner maps is a target of magefile.go, so a guide
// cannot pass here with a command mage would refuse.
func TestTheGuidesRunnerKnowsOnlyTheMagefilesTargets(t *testing.T) {
	targets, err := magetargets.Read(filepath.Join("..", "..", "magefile.go"))
	require.NoError(t, err)
	for name := range guideTargets {
		assert.Contains(t, targets, name)
	}
}

// source applies what sourcing a settings file in bash changes: the
// variables it sets, and those it unsets, for the rest of the test.
func (g *guide) source(t *testing.T, file string) error {
	t.Helper()
	cmd := exec.Command("bash", "-c", `. "$1" >/dev/null && env -0`, "bash", file)
	cmd.Dir = g.root
	raw, err := cmd.Output()
	if err != nil {
		return fmt.Errorf(". %s: %w", file, err)
	}
	after := map[string]string{}
	for _, kv := range strings.Split(string(raw), "\x00") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			after[k] = v
		}
	}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, kept := after[k]; !kept && k != "_" && k != "SHLVL" && k != "PWD" && k != "OLDPWD" {
			t.Setenv(k, "") // restored when the test ends
			require.NoError(t, os.Unsetenv(k))
		}
	}
	for k, v := range after {
		if k != "_" && k != "SHLVL" && k != "PWD" && k != "OLDPWD" && os.Getenv(k) != v {
			t.Setenv(k, v)
		}
	}
	return nil
}

func (g *guide) placeholder(s string) string {
	for k, v := range g.values {
		s = strings.ReplaceAll(s, k, v)
	}
	return s
}

// bash runs a command in the repository with the test's environment.
func (g *guide) bash(text string, out io.Writer) (string, error) {
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", text)
	cmd.Dir = g.root
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	if err != nil && out != nil {
		fmt.Fprint(out, buf.String())
		return "", fmt.Errorf("%s: %w", text, err)
	}
	return buf.String(), err
}

// TestTheGuidesAsWritten follows docs/first-deploy.md from step 2 to its
// end on its "no AWS account yet" path, as a newcomer would: the stand-in
// its own command starts (a process of its own, playing dev's account),
// its settings sourced, then env:apply, the offline plan, the bootstrap, a
// preview, a deploy, the drift check, the destroy, the removal of the
// stacks (which keeps the committed stack files) and the stand-in's stop,
// through the real CLI. Then, in the same clone, it follows
// docs/operations.md against the stand-in organisation: a preview and a
// deploy of dev, a rollback commit, recover:env and destroy:env. Each
// block's output is compared with what the page prints, and every command
// the pages do not mark as not run is run.
func TestTheGuidesAsWritten(t *testing.T) {
	root := gittest.Clone(t, filepath.Join("..", ".."))
	o := newOrg(t, root)
	ctx := context.Background()
	all := func(doccheck.Command) bool { return true }
	t.Cleanup(func() { _ = standin.Stop(root, "dev", io.Discard) }) // should the test stop half-way

	first := newGuide(t, nil, root, "docs/first-deploy.md", map[string]string{})
	start := time.Now()
	first.follow(t, ctx, func(c doccheck.Command) bool {
		m, ok := doccheck.ParseMage(c.Text)
		return !ok || m.Target != "standin:stop"
	})
	held, err := standin.Holdings(ctx, root, "dev")
	require.NoError(t, err)
	layers := planned(t, "dev")
	var kept []string
	for _, r := range held {
		assert.NotContains(t, layers, r.Type+" "+r.Name, "only the bootstrap outlives the destroy")
		kept = append(kept, r.Type+" "+r.Name)
	}
	assert.Contains(t, kept, "aws:ssm/parameter:Parameter version", "the bootstrap outlives the destroy")
	first.follow(t, ctx, all)
	first.allRan(t)
	t.Logf("docs/first-deploy.md on the stand-in: %s", time.Since(start).Round(100*time.Millisecond))
	for _, layer := range contract.Layers() {
		assert.FileExists(t, filepath.Join(root, layer, "Pulumi.dev.yaml"), "the stacks' removal keeps the committed stack file")
		_, err := os.Stat(filepath.Join(root, standin.Dir, "dev", "state", ".pulumi", "stacks", layer, "dev.json"))
		assert.True(t, os.IsNotExist(err), "%s's dev stack is removed from the backend", layer)
	}
	_, err = standin.Holdings(ctx, root, "dev")
	require.ErrorContains(t, err, "not running", "the guide's last command stops the stand-in")
	// operations.md runs against the organisation, in the clone's file
	// backend, its dev account bootstrapped as first-deploy.md bootstraps
	// one.
	require.NoError(t, os.Unsetenv("PULUMI_BACKEND_URL"))
	o.as(t, o.dev, adminKey)
	bootstrapAccount(t, ctx, root, io.Discard)

	// The stack files gained their encryption salts: commit them, as the
	// guide says. That commit is the last good one; a later one changes
	// prod, and operations.md rolls prod back to it.
	good := gittest.Commit(t, root, "dev's stacks")
	path := filepath.Join(root, "compute", "Pulumi.prod.yaml")
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, append(raw, []byte("  payments:lambdaMemoryMb: 3008\n")...), 0o644))
	gittest.Commit(t, root, "prod's function gets 3008 MB")

	ops := o.guide(t, root, "docs/operations.md", map[string]string{"<last-good-commit>": good[:12]})
	// Run here on a clean environment; its output, what it settles after a
	// kill, is compared by TestDeployKilledWhileTheNATGatewayIsCreated.
	ops.elsewhere["go run mage.go recover:env dev"] = true
	o.as(t, o.dev, adminKey)
	start = time.Now()
	ops.follow(t, ctx, all)
	ops.allRan(t)
	t.Logf("docs/operations.md: %s", time.Since(start).Round(100*time.Millisecond))
	assert.Equal(t, "rollback/prod-"+good[:12], gittest.Git(t, root, "branch", "--show-current"))
	assert.NotContains(t, gittest.Git(t, root, "show", "HEAD:compute/Pulumi.prod.yaml"), "3008", "the rollback commit takes prod's change back")
}
