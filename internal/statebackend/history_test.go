package statebackend

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/stage"
)

// The history is read newest first from the files the DIY backend writes
// (plain or gzipped, beside the checkpoint copies), at most depth entries;
// the last update is the newest update, whatever refreshes came after it.
// The live tier checks the reader against `pulumi stack history` itself.
func TestTheHistoryIsReadNewestFirstFromTheBackendsFiles(t *testing.T) {
	dir := t.TempDir()
	hist := filepath.Join(dir, ".pulumi", "history", "network", "dev")
	require.NoError(t, os.MkdirAll(hist, 0o755))
	write := func(name, body string, zipped bool) {
		raw := []byte(body)
		if zipped {
			var b bytes.Buffer
			z := gzip.NewWriter(&b)
			_, _ = z.Write(raw)
			require.NoError(t, z.Close())
			raw = b.Bytes()
		}
		require.NoError(t, os.WriteFile(filepath.Join(hist, name), raw, 0o644))
	}
	write("dev-1000.history.json", `{"kind":"update","version":0,"result":"succeeded","environment":{"git.head":"aaaa","git.dirty":"false"}}`, false)
	write("dev-1000.checkpoint.json", `{"not":"history"}`, false)
	write("dev-2000.history.json.gz", `{"kind":"update","version":0,"result":"failed","environment":{"git.head":"bbbb","git.dirty":"true"}}`, true)
	write("dev-3000.history.json", `{"kind":"refresh","version":0,"result":"succeeded","environment":{"git.head":"cccc"}}`, false)
	store, err := Open(context.Background(), "file://"+dir)
	require.NoError(t, err)
	defer store.Close()

	got, err := store.History(context.Background(), "network", "dev", 50)
	require.NoError(t, err)
	var kinds []string
	for _, e := range got {
		kinds = append(kinds, e.Kind+" "+e.Environment["git.head"])
	}
	assert.Equal(t, []string{"refresh cccc", "update bbbb", "update aaaa"}, kinds)
	assert.Equal(t, &stage.Update{Commit: "bbbb", Dirty: true, Result: "failed"}, stage.LastUpdate(got))

	two, err := store.History(context.Background(), "network", "dev", 1)
	require.NoError(t, err)
	assert.Len(t, two, 1, "at most depth entries")
	none, err := store.History(context.Background(), "data", "dev", 50)
	require.NoError(t, err)
	assert.Empty(t, none, "a stack never updated has no history")
}

// A stack exists when the backend holds its state file, plain or gzipped,
// in the project-scoped layout.
func TestAStackExistsWhenItsStateFileDoes(t *testing.T) {
	dir := t.TempDir()
	stacks := filepath.Join(dir, ".pulumi", "stacks")
	require.NoError(t, os.MkdirAll(filepath.Join(stacks, "network"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(stacks, "data"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(stacks, "network", "dev.json"), []byte("{}"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(stacks, "data", "dev.json.gz"), []byte("x"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(stacks, "prod.json"), []byte("{}"), 0o644))
	store, err := Open(context.Background(), "file://"+dir)
	require.NoError(t, err)
	defer store.Close()
	for _, c := range []struct {
		project, stack string
		want           bool
	}{{"network", "dev", true}, {"data", "dev", true}, {"network", "staging", false}, {"compute", "dev", false}, {"network", "prod", false}} {
		got, err := store.Exists(context.Background(), c.project, c.stack)
		require.NoError(t, err)
		assert.Equal(t, c.want, got, "%s/%s", c.project, c.stack)
	}
}
