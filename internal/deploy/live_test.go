package deploy

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLiveDeployAndDestroy deploys a whole environment to its real AWS
// account, checks a second deploy changes nothing, and destroys it. It runs
// only when asked to, with real credentials and the Pulumi CLI.
func TestLiveDeployAndDestroy(t *testing.T) {
	env := os.Getenv("PAYMENTS_LIVE_ENV")
	if env == "" {
		t.Skip("live test: set PAYMENTS_LIVE_ENV=dev (with AWS credentials for that account and the Pulumi CLI installed) to deploy and destroy a real environment")
	}
	if _, err := exec.LookPath("pulumi"); err != nil {
		t.Skip("live test: the Pulumi CLI is not on PATH")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Minute)
	defer cancel()
	auto, err := NewAutomation("../..", os.Getenv)
	require.NoError(t, err)
	d := &Deployer{Root: "../..", Graph: Graph(), Runner: auto, Identity: STSIdentity{Region: "us-east-1"},
		CLI: PulumiCLI{}, Out: testWriter{t}, Now: time.Now}
	t.Cleanup(func() {
		_, err := d.Run(context.Background(), Destroy, env)
		require.NoError(t, err, "destroy must leave nothing behind")
	})
	_, err = d.Run(ctx, Up, env)
	require.NoError(t, err)
	second, err := d.Run(ctx, Preview, env)
	require.NoError(t, err)
	for _, l := range second.Layers {
		for kind, n := range l.Changes {
			if kind != "same" && n > 0 {
				t.Errorf("layer %s: a preview right after deploy shows %d %s", l.Layer, n, kind)
			}
		}
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
