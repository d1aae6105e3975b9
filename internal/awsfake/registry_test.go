package awsfake

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/awstype"
)

// The call table is the registry's: every type the committed plans create
// has an entry, and its entry the calls of its operations (so the stand-in
// authorizes them); the table has no row for a type the registry does not
// know, besides the data sources the programs invoke.
func TestTheCallTableCoversEveryPlannedType(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "manifests", "planned", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	planned := map[string]bool{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var m struct {
			Layers []struct {
				Resources []struct{ Type string } `json:"resources"`
			} `json:"layers"`
		}
		require.NoError(t, json.Unmarshal(raw, &m), f)
		for _, l := range m.Layers {
			for _, r := range l.Resources {
				if strings.HasPrefix(r.Type, "aws:") {
					planned[r.Type] = true
				}
			}
		}
	}
	require.NotEmpty(t, planned, "the planned manifests name the types the layers create")
	for typ := range planned {
		_, known := awstype.Of(typ)
		assert.True(t, known, "%s: planned, and pkg/awstype has no entry for it", typ)
		row, ok := Calls[typ]
		assert.True(t, ok && len(row.Create) > 0 && len(row.Read) > 0, "%s: planned, and its entry in pkg/awstype has no create or read calls", typ)
	}
	for typ := range Calls {
		_, known := awstype.Of(typ)
		assert.True(t, known || strings.HasPrefix(typ, "aws:index/"), "%s: a row for a type the registry does not know", typ)
	}
}
