package rollback

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/gittest"
	"github.com/acmepay/platform/pkg/fixture"
)

func write(t *testing.T, dir, path, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, path), []byte(content), 0o644))
}

func edit(t *testing.T, dir, path, old, new string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, path))
	require.NoError(t, err)
	require.Contains(t, string(raw), old, path)
	write(t, dir, path, strings.Replace(string(raw), old, new, 1))
}

// A rollback restores the infrastructure's definition to the earlier
// commit and keeps today's tooling and docs, in one commit on a branch of
// its own, with a message that says what it restores.
func TestARollbackRestoresTheInfrastructureAndKeepsTodaysTooling(t *testing.T) {
	dir := gittest.Clone(t, "../..")
	a := gittest.Git(t, dir, "rev-parse", "HEAD")
	edit(t, dir, "compute/Pulumi.dev.yaml", "  payments:environmentSuffix: "+fixture.DevSuffix+"\n", "  payments:environmentSuffix: "+fixture.DevSuffix+"\n  payments:lambdaMemoryMb: 1024\n")
	write(t, dir, "compute/added-later.txt", "a file B added\n")
	write(t, dir, "docs/added-later.md", "# a page B added\n")
	b := gittest.Commit(t, dir, "B: dev's function gets 1024 MB")

	out := &bytes.Buffer{}
	res, err := Prepare(context.Background(), Options{Root: dir, Env: "dev", Commit: a[:8], Out: out})
	require.NoError(t, err)
	assert.Equal(t, "rollback/dev-"+a[:12], res.Branch)
	assert.Equal(t, a, res.Target)
	assert.Equal(t, "rollback/dev-"+a[:12], gittest.Git(t, dir, "branch", "--show-current"))
	assert.Equal(t, b, gittest.Git(t, dir, "rev-parse", "HEAD^"), "one commit on top of today's")
	assert.Empty(t, gittest.Git(t, dir, "diff", a, "HEAD", "--", "network", "data", "compute", "observability", "pkg", "compliance", "manifests/planned", "costs"),
		"the infrastructure is A's, files B added included")
	assert.Empty(t, gittest.Git(t, dir, "diff", b, "HEAD", "--", "docs", "internal", "magefile.go", ".github"), "today's tooling and docs stay")
	assert.Contains(t, gittest.Git(t, dir, "log", "-1", "--format=%B"), "Roll back dev to "+a[:12])
	assert.Contains(t, out.String(), "git push -u origin rollback/dev-"+a[:12])
	assert.Empty(t, gittest.Git(t, dir, "status", "--porcelain"))
}

// Each refusal comes before anything changes: HEAD, the branch and the
// working tree are as they were.
func TestARollbackIsRefusedBeforeAnythingChanges(t *testing.T) {
	dir := gittest.Clone(t, "../..")
	good := gittest.Git(t, dir, "rev-parse", "HEAD")

	edit(t, dir, "pkg/bootstrapiam/roles.go", "const Version = 2\n", "const Version = 1\n")
	oldBootstrap := gittest.Commit(t, dir, "an older bootstrap")
	edit(t, dir, "pkg/bootstrapiam/roles.go", "const Version = 1\n", "const Version = 2\n")
	gittest.Commit(t, dir, "today's bootstrap")

	edit(t, dir, "manifests/planned/dev.json", `"failed": 0`, `"failed": 1`)
	failing := gittest.Commit(t, dir, "a plan that failed policy")
	edit(t, dir, "manifests/planned/dev.json", `"failed": 1`, `"failed": 0`)
	head := gittest.Commit(t, dir, "fixed")

	gittest.Git(t, dir, "switch", "--quiet", "--create", "elsewhere", good)
	write(t, dir, "compute/elsewhere.txt", "x\n")
	elsewhere := gittest.Commit(t, dir, "not on main")
	gittest.Git(t, dir, "switch", "--quiet", "-")

	for _, c := range []struct{ env, commit, says string }{
		{"dev", "no-such-commit", `"no-such-commit" is not a commit of this repository`},
		{"qa", good, "unknown environment"},
		{"dev", oldBootstrap, "needs bootstrap version 1, today's code 2"},
		{"dev", failing, "manifests/planned/dev.json fails 1 compliance rule(s)"},
		{"dev", elsewhere, "is not in the history of HEAD"},
		{"dev", head, "nothing to roll back"},
	} {
		_, err := Prepare(context.Background(), Options{Root: dir, Env: c.env, Commit: c.commit, Out: &bytes.Buffer{}})
		require.ErrorIs(t, err, ErrRefused, c.commit)
		assert.Contains(t, err.Error(), c.says)
		assert.Equal(t, head, gittest.Git(t, dir, "rev-parse", "HEAD"), "HEAD unchanged after: %s", c.says)
		assert.Equal(t, "main", gittest.Git(t, dir, "branch", "--show-current"))
		assert.Empty(t, gittest.Git(t, dir, "status", "--porcelain"))
	}

	write(t, dir, "compute/uncommitted.txt", "x\n")
	_, err := Prepare(context.Background(), Options{Root: dir, Env: "dev", Commit: good, Out: &bytes.Buffer{}})
	require.ErrorIs(t, err, ErrRefused)
	assert.Contains(t, err.Error(), "the working tree has changes (?? compute/uncommitted.txt)")
}
