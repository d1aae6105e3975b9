package proppath

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGet(t *testing.T) {
	config := map[string]any{
		"tags":        map[string]any{"Environment": "dev", "Cost Center": "payments"},
		"rules":       []any{map[string]any{"expiration": map[string]any{"days": 30.0}}, map[string]any{"expiration": map[string]any{"days": 90.0}}},
		"vpcConfig":   []any{map[string]any{"subnetIds": []any{"a", "b"}}},
		"memorySize":  512.0,
		"emptyBlocks": []any{},
	}
	cases := map[string]any{
		"tags.Environment":          "dev",
		`tags["Cost Center"]`:       "payments",
		"rules[0].expiration.days":  30.0,
		"rules[1].expiration.days":  90.0,
		"rules.expiration.days":     30.0, // a name at a list reads its first element
		"vpcConfig.subnetIds[1]":    "b",
		"memorySize":                512.0,
		"memorySize.nothing":        nil,
		"rules[2].expiration":       nil,
		"rules[-1]":                 nil,
		"emptyBlocks.anything":      nil,
		"vpcConfig.subnetIds.other": nil, // a name at a list of scalars
		"absent.path":               nil,
	}
	for path, want := range cases {
		assert.Equal(t, want, Get(config, path), path)
	}
}

func TestSplit(t *testing.T) {
	assert.Equal(t, []string{"a", "b", "0", "c d"}, Split(`a.b[0]["c d"]`))
	assert.Equal(t, []string{"tags", "Name"}, Split("tags.Name"))
	assert.Equal(t, []string{"broken", "[open"}, Split("broken[open"))
}
