package reference

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/contract"
)

func TestReferenceDocIsCurrent(t *testing.T) {
	want, err := Markdown(filepath.Join("..", ".."))
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join("..", "..", DocPath))
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "%s is stale: run `go run mage.go docs:reference` and commit the result", DocPath)
}

// What the layers' readers take from each other, written out.
func TestOutputsNameTheirReaders(t *testing.T) {
	outputs, err := Outputs(filepath.Join("..", ".."))
	require.NoError(t, err)
	readBy := map[string][]string{}
	for _, o := range outputs {
		readBy[o.Layer+" "+o.Key] = o.ReadBy
	}
	assert.Equal(t, []string{"data", "compute", "observability"}, readBy["network environmentKeyArn"])
	assert.Equal(t, []string{"compute"}, readBy["network vpcId"])
	assert.Empty(t, readBy["network vpcCidr"], "exported, read by no layer")
	assert.Empty(t, readBy["network s3EndpointId"], "exported for the manifest, read by no layer")
	assert.Equal(t, []string{"compute", "observability"}, readBy["data tableName"])
	assert.Equal(t, []string{"observability"}, readBy["compute functions"])
	assert.Len(t, outputs, 13+6+1+3, "13 network, 6 data, 1 compute and 3 observability outputs")
}

// contract.Read, which decides whether a change of a layer's outputs means
// a reader must be planned again, names exactly the outputs that reader's
// function decodes, for every pair of layers.
func TestContractReadListsWhatTheReadersDecode(t *testing.T) {
	decoded, err := Decoded(filepath.Join("..", ".."))
	require.NoError(t, err)
	pairs := 0
	for _, reader := range contract.Layers() {
		for _, up := range contract.Layers() {
			r := Reading{Reader: reader, Upstream: up}
			assert.ElementsMatch(t, decoded[r], contract.Read(reader, up), "%s reading %s (%s)", reader, up, r.Function())
			if len(decoded[r]) > 0 {
				pairs++
				assert.Contains(t, contract.DependsOn(reader), up, "%s reads %s, so it depends on it", reader, up)
			}
		}
	}
	assert.Equal(t, 6, pairs, "data, compute and observability each read every layer before them")
}

// Each layer's program reads its upstreams only through its own reader
// functions: a layer calling another's reader would read outputs that
// contract.Read does not list for it, and a change to them would not
// re-plan it.
func TestEachLayerCallsOnlyItsOwnReaders(t *testing.T) {
	root := filepath.Join("..", "..")
	for _, layer := range contract.Layers() {
		calls, err := Calls(root, layer)
		require.NoError(t, err)
		var upstreams []string
		for fn, where := range calls {
			r, ok := ReadingOf(fn)
			if !assert.True(t, ok, "%s calls contract.%s at %v, not a Read<Upstream>For<Reader> function", layer, fn, where) {
				continue
			}
			assert.Equal(t, layer, r.Reader, "%s calls a reader that is not its own: contract.%s at %v", layer, fn, where)
			upstreams = append(upstreams, r.Upstream)
		}
		assert.ElementsMatch(t, contract.DependsOn(layer), upstreams, "%s reads every layer it depends on, once", layer)
	}
	// The check sees a foreign reader.
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "data"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "data", "p.go"), []byte("package p\n\nvar _ = contract.ReadNetworkForCompute\n"), 0o644))
	calls, err := Calls(dir, "data")
	require.NoError(t, err)
	require.Len(t, calls, 1)
	r, ok := ReadingOf(keys(calls)[0])
	require.True(t, ok)
	assert.Equal(t, Reading{Reader: "compute", Upstream: "network"}, r, "data calling compute's reader is seen")
	_, ok = ReadingOf("ReadNetwork")
	assert.False(t, ok, "a reader that does not name its reader is not one of the contract's")
}

func keys(m map[string][]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
