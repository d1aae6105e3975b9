package automation

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/deploy"
	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/pkg/profile"
)

// TestLiveDeployAndDestroy deploys a whole environment to its real AWS
// account, checks that a preview right after changes nothing, that the drift
// check finds nothing and that the deployed manifest passes every rule, then
// destroys it and checks that no layer's state holds a resource. It runs
// only when asked to, with real credentials and the Pulumi CLI.
func TestLiveDeployAndDestroy(t *testing.T) {
	env := os.Getenv("PAYMENTS_LIVE_ENV")
	if env == "" {
		t.Skip("live test: set PAYMENTS_LIVE_ENV=dev (with AWS credentials for that account and the Pulumi CLI installed) to deploy, drift-check and destroy a real environment")
	}
	if _, err := exec.LookPath("pulumi"); err != nil {
		t.Skip("live test: the Pulumi CLI is not on PATH")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Minute)
	defer cancel()
	auto, err := New("../../..", os.LookupEnv)
	require.NoError(t, err)
	d := &deploy.Deployer{Root: "../../..", Graph: deploy.Graph(), Runner: auto, Identity: deploy.STSIdentity{Region: "us-east-1"},
		CLI: PulumiCLI{}, Out: testWriter{t}, Now: time.Now}
	t.Cleanup(func() {
		ctx := context.Background()
		_, err := d.Run(ctx, deploy.Destroy, env)
		require.NoError(t, err, "destroy must leave nothing behind")
		for _, l := range deploy.Graph() {
			state, err := auto.State(ctx, l, profile.Environment(env))
			require.NoError(t, err)
			for _, r := range state {
				assert.Equal(t, "pulumi:pulumi:Stack", string(r.Type), "layer %s still holds %s after destroy", l.Name, r.URN)
			}
		}
	})
	_, err = d.Run(ctx, deploy.Up, env)
	require.NoError(t, err)
	second, err := d.Run(ctx, deploy.Preview, env)
	require.NoError(t, err)
	for _, l := range second.Layers {
		for kind, n := range l.Changes {
			if kind != "same" && n > 0 {
				t.Errorf("layer %s: a preview right after deploy shows %d %s", l.Layer, n, kind)
			}
		}
	}
	report, err := d.Drift(ctx, env, auto)
	require.NoError(t, err)
	assert.False(t, report.Any(), "a fresh deployment has drifted: %+v", report.Drifted)
	m, err := d.Manifest(ctx, env, auto, manifest.Provenance{SourceCommit: "0000000"})
	require.NoError(t, err)
	require.NotNil(t, m.Policy)
	assert.Zero(t, m.Policy.Summary.Failed, "the deployed environment breaks a compliance rule")
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
