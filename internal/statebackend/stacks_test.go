package statebackend

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The DIY backend's files of a project, as the CLI leaves them after
// `pulumi stack rm pr-7` (a .bak beside the removed stack, its backups),
// beside a live stack.
func TestStacksAndWhatARemovedStackLeaves(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{
		".pulumi/stacks/data/dev.json", ".pulumi/stacks/data/dev.json.bak",
		".pulumi/stacks/data/pr-7.json.bak", ".pulumi/backups/data/pr-7/pr-7.1733600000.json",
		".pulumi/history/data/pr-7/pr-7-1733600000.history.json",
		".pulumi/stacks/data/pr-12.json.gz", ".pulumi/backups/data/dev/dev.1733600000.json",
	} {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), []byte("{}"), 0o644))
	}
	ctx := context.Background()
	store, err := Open(ctx, "file://"+dir)
	require.NoError(t, err)
	defer func() { _ = store.Close() }()

	stacks, err := store.Stacks(ctx, "data")
	require.NoError(t, err)
	assert.Equal(t, []string{"dev", "pr-12"}, stacks, "a .bak is not a stack")

	require.NoError(t, store.RemoveLeftovers(ctx, "data", "pr-7"))
	for _, gone := range []string{".pulumi/stacks/data/pr-7.json.bak", ".pulumi/backups/data/pr-7/pr-7.1733600000.json", ".pulumi/history/data/pr-7/pr-7-1733600000.history.json"} {
		assert.NoFileExists(t, filepath.Join(dir, gone))
	}
	for _, kept := range []string{".pulumi/stacks/data/dev.json.bak", ".pulumi/backups/data/dev/dev.1733600000.json", ".pulumi/stacks/data/pr-12.json.gz"} {
		assert.FileExists(t, filepath.Join(dir, kept))
	}
	err = store.RemoveLeftovers(ctx, "data", "pr-12")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "removing what is left of data/pr-12: stack pr-12 of data still exists")
}
