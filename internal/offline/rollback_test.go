package offline

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/deploy"
	"github.com/acmepay/platform/internal/gittest"
	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/internal/rollback"
	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stage"
)

// An environment deployed from commit B goes back to commit A's manifest
// through a rollback commit and the deployment code: rollback:env commits
// A's infrastructure on a branch of today's main, and the deployment of
// that commit (as the pipeline runs it after the merge) leaves dev with
// exactly the resources and settings of A's planned manifest.
func TestARollbackTakesAnEnvironmentBackToTheEarlierCommitsManifest(t *testing.T) {
	ctx := context.Background()
	dir := gittest.Clone(t, "../..")
	a := gittest.Git(t, dir, "rev-parse", "HEAD")
	path := filepath.Join(dir, "compute", "Pulumi.dev.yaml")
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(string(raw), "  payments:environmentSuffix: "+fixture.DevSuffix+"\n",
		"  payments:environmentSuffix: "+fixture.DevSuffix+"\n  payments:lambdaMemoryMb: 1024\n", 1)), 0o644))
	gittest.Commit(t, dir, "B: dev's function gets 1024 MB")

	e, err := New(t, dir, profile.Dev)
	require.NoError(t, err)
	out := &bytes.Buffer{}
	r := Runner{Env: e, Commit: commit}
	d := &deploy.Deployer{Root: dir, Graph: contract.Graph(), Runner: r, Identity: account(e.Profile.AccountID), CLI: cli{}, Out: out, Now: time.Now}
	_, err = d.Run(ctx, stage.Up, "dev")
	require.NoError(t, err, out.String())
	require.Equal(t, 1024.0, liveMemory(t, e), "B is deployed")

	_, err = rollback.Prepare(ctx, rollback.Options{Root: dir, Env: "dev", Commit: a, Out: out})
	require.NoError(t, err)
	report, err := d.Run(ctx, stage.Up, "dev")
	require.NoError(t, err, out.String())
	assert.Equal(t, 512.0, liveMemory(t, e), "A's memory is back")
	changed := 0
	for _, l := range report.Layers {
		changed += l.Changes["update"] + l.Changes["create"] + l.Changes["delete"] + l.Changes["replace"]
	}
	assert.Equal(t, 1, changed, "the rollback's deployment changes the one thing B changed: %+v", report.Layers)

	deployed, err := d.Manifest(ctx, "dev", r, manifest.Provenance{SourceCommit: commit})
	require.NoError(t, err)
	var was manifest.Manifest
	require.NoError(t, json.Unmarshal([]byte(gittest.Git(t, dir, "show", a+":manifests/planned/dev.json")), &was))
	assert.Equal(t, was.Settings, deployed.Settings)
	assert.Zero(t, deployed.Policy.Summary.Failed)
	wantByURN := map[string]manifest.Resource{}
	for _, l := range was.Layers {
		for _, res := range l.Resources {
			wantByURN[res.URN] = res
		}
	}
	got := 0
	for _, l := range deployed.Layers {
		for _, res := range l.Resources {
			want, ok := wantByURN[res.URN]
			if !assert.True(t, ok, "deployed %s, which A's manifest does not plan", res.URN) {
				continue
			}
			got++
			assert.Equal(t, want.Tags, res.Tags, res.URN)
			assert.True(t, sameConfig(want.Config, res.Config), "%s: A planned %v, deployed %v", res.URN, want.Config, res.Config)
		}
	}
	assert.Equal(t, len(wantByURN), got, "every resource A's manifest plans is deployed")
	assert.Greater(t, got, 40, "dev has more than 40 resources")
}

// sameConfig compares a planned config with a deployed one: a planned value
// known only after deployment matches any deployed value.
func sameConfig(planned, deployed any) bool {
	switch p := planned.(type) {
	case string:
		if strings.Contains(p, manifest.Placeholder) {
			return true
		}
	case map[string]any:
		d, ok := deployed.(map[string]any)
		if !ok || len(d) != len(p) {
			return false
		}
		for k, v := range p {
			if !sameConfig(v, d[k]) {
				return false
			}
		}
		return true
	case []any:
		d, ok := deployed.([]any)
		if !ok || len(d) != len(p) {
			return false
		}
		for i := range p {
			if !sameConfig(p[i], d[i]) {
				return false
			}
		}
		return true
	}
	pj, _ := json.Marshal(planned)
	dj, _ := json.Marshal(deployed)
	return string(pj) == string(dj)
}
