package statebackend

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gocloud.dev/blob"
)

// The CLI's file backend rewrites a state file's attributes
// (`dev.json.attrs`) in place, truncated and then written, while a reader
// beside a running deploy may open it. A read that meets the sidecar empty
// reads again and gets the state once the sidecar is whole; a sidecar that
// stays torn is an error, not an absent stack.
func TestAReadBesideTheCLIsWriteOfTheSidecar(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	// Written as the CLI writes it: through fileblob, sidecar included.
	b, err := blob.OpenBucket(ctx, "file://"+dir+"?no_tmp_dir=true")
	require.NoError(t, err)
	checkpoint := `{"version":3,"checkpoint":{"stack":"dev","latest":{"manifest":{"time":"2026-12-07T00:00:00Z","magic":"","version":""},"resources":[{"urn":"urn:pulumi:dev::network::pulumi:pulumi:Stack::network-dev","custom":false,"type":"pulumi:pulumi:Stack"}]}}}`
	require.NoError(t, b.WriteAll(ctx, ".pulumi/stacks/network/dev.json", []byte(checkpoint), &blob.WriterOptions{ContentType: "application/json"}))
	require.NoError(t, b.Close())
	sidecar := filepath.Join(dir, ".pulumi/stacks/network/dev.json.attrs")
	whole, err := os.ReadFile(sidecar)
	require.NoError(t, err, "fileblob writes the sidecar this test tears")

	store, err := Open(ctx, "file://"+dir)
	require.NoError(t, err)
	defer func() { _ = store.Close() }()

	require.NoError(t, os.WriteFile(sidecar, nil, 0o644)) // truncated, not yet written
	done := make(chan struct{})
	go func() {
		defer close(done)
		time.Sleep(30 * time.Millisecond)
		_ = os.WriteFile(sidecar, whole, 0o644)
	}()
	dep, ok, err := store.Checkpoint(ctx, "network", "dev")
	<-done
	require.NoError(t, err, "the read beside the sidecar's write")
	require.True(t, ok)
	assert.Len(t, dep.Resources, 1)

	require.NoError(t, os.WriteFile(sidecar, whole[:len(whole)/2], 0o644)) // torn for good
	_, ok, err = store.Checkpoint(ctx, "network", "dev")
	require.Error(t, err)
	assert.False(t, ok)
	assert.Contains(t, err.Error(), "reading the state of network/dev")
	exists, err := store.Exists(ctx, "network", "dev")
	require.Error(t, err, "a torn sidecar is not an absent stack")
	assert.False(t, exists)
}
