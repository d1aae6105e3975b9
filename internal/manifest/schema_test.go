package manifest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func schema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat = true
	s, err := c.Compile(filepath.Join("../..", "docs", "manifest.schema.json"))
	require.NoError(t, err)
	return s
}

func decode(t *testing.T, raw []byte) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(raw, &v))
	return v
}

// The committed planned manifests (which the plan tests keep current) are
// valid against the published schema.
func TestPlannedManifestsMatchTheSchema(t *testing.T) {
	s := schema(t)
	for _, env := range []string{"dev", "staging", "prod"} {
		raw, err := os.ReadFile(filepath.Join("../..", "manifests", "planned", env+".json"))
		require.NoError(t, err)
		assert.NoError(t, s.Validate(decode(t, raw)), env)
	}
}

func TestSchemaRejectsWhatItShould(t *testing.T) {
	s := schema(t)
	raw, err := os.ReadFile(filepath.Join("../..", "manifests", "planned", "prod.json"))
	require.NoError(t, err)
	for name, breakIt := range map[string]func(m map[string]any){
		"planned with provenance": func(m map[string]any) {
			m["provenance"] = map[string]any{"sourceCommit": "abc1234"}
		},
		"deployed without provenance": func(m map[string]any) { m["status"] = "deployed" },
		"planned with a deployment": func(m map[string]any) {
			m["layers"].([]any)[0].(map[string]any)["deployment"] = map[string]any{"version": 1, "dirty": false, "result": "succeeded"}
		},
		"deployment with an unknown result": func(m map[string]any) {
			m["status"] = "deployed"
			m["provenance"] = map[string]any{"sourceCommit": "abc1234"}
			m["layers"].([]any)[0].(map[string]any)["deployment"] = map[string]any{"version": 1, "dirty": false, "result": "ok"}
		},
		"environment not a name": func(m map[string]any) { m["environment"] = "Prod_1" },
		"account not 12 digits":  func(m map[string]any) { m["account"] = "3456" },
		"unknown top-level key":  func(m map[string]any) { m["generatedAt"] = "now" },
		"waived without reason": func(m map[string]any) {
			results := m["policy"].(map[string]any)["results"].([]any)
			results[0] = map[string]any{"rule": "X", "resource": "urn:pulumi:a", "outcome": "waived"}
		},
	} {
		t.Run(name, func(t *testing.T) {
			m := decode(t, raw).(map[string]any)
			breakIt(m)
			err := s.Validate(m)
			require.Error(t, err)
			assert.True(t, strings.Contains(err.Error(), "jsonschema"), err.Error())
		})
	}
}
