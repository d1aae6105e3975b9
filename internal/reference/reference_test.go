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
	assert.Equal(t, []string{"data", "compute", "observability"}, readBy["network vpcId"])
	assert.Empty(t, readBy["network s3EndpointId"], "exported for the manifest, read by no layer")
	assert.Equal(t, []string{"compute", "observability"}, readBy["data tableName"])
	assert.Equal(t, []string{"observability"}, readBy["compute functions"])
	assert.Len(t, outputs, 13+6+1+3, "13 network, 6 data, 1 compute and 3 observability outputs")
}

// contract.Read, which decides whether a change of a layer's outputs means
// its readers must be planned again, names exactly the outputs the
// readers decode.
func TestContractReadListsWhatTheReadersDecode(t *testing.T) {
	outputs, err := Outputs(filepath.Join("..", ".."))
	require.NoError(t, err)
	decoded := map[string][]string{}
	for _, o := range outputs {
		if len(o.ReadBy) > 0 {
			decoded[o.Layer] = append(decoded[o.Layer], o.Key)
		}
	}
	for _, layer := range contract.Layers() {
		assert.ElementsMatch(t, decoded[layer], contract.Read(layer), layer)
	}
}
