package envreport

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestShowsTheRepositoryStacks(t *testing.T) {
	p, err := Load("../..", "prod")
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, Write(&out, p))
	assert.Contains(t, out.String(), "345678901234")
	assert.Contains(t, out.String(), "arm64, 2048 MB")
	assert.Contains(t, out.String(), "provisioned 25/25, autoscaling max 500/500 at 70%")
}

func TestUnknownEnvironment(t *testing.T) {
	_, err := Load("../..", "nosuchenv")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown environment "nosuchenv": allowed dev, staging, prod`)
}

func TestLayersMustAgree(t *testing.T) {
	root := t.TempDir()
	write := func(layer, extra string) {
		dir := filepath.Join(root, layer)
		require.NoError(t, os.MkdirAll(dir, 0o755))
		body := "config:\n  aws:region: us-east-1\n  aws:allowedAccountIds: [\"123456789012\"]\n  payments:environmentSuffix: pay01\n" + extra
		require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.dev.yaml"), []byte(body), 0o644))
	}
	write("network", "")
	write("data", "  payments:lambdaMemoryMb: 1024\n")
	write("compute", "")
	write("observability", "")
	_, err := Load(root, "dev")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "network and data stacks of dev disagree")
}

func TestEveryLayerNeedsItsStackFile(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "network"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "network", "Pulumi.dev.yaml"),
		[]byte("config:\n  aws:region: us-east-1\n  aws:allowedAccountIds: [\"123456789012\"]\n  payments:environmentSuffix: pay01\n"), 0o644))
	_, err := Load(root, "dev")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "layer data has no usable stack dev")
}
