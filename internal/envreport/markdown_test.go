package envreport

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The committed page must be what the profiles generate today.
func TestEnvironmentsDocIsCurrent(t *testing.T) {
	want, err := Markdown("../..")
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join("../..", DocPath))
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "%s is stale: run `go run mage.go docs:environments` and commit the result", DocPath)
}

func TestMarkdownCarriesTheSpecTable(t *testing.T) {
	md, err := Markdown("../..")
	require.NoError(t, err)
	for _, row := range []string{
		"| Lambda memory (MB) | 512 | 1024 | 2048 |",
		"| NAT gateways | 1 | 1 | 2 |",
		"| DynamoDB point-in-time recovery | off | off | on |",
		"| VPC flow logs | off | on | on |",
		"| log retention (days) | 30 | 90 | 365 |",
		"| Lambda reserved concurrency | 5 | 20 | 200 |",
		"| Lambda Errors alarm (5-minute sum reaches) | 10 | 5 | 1 |",
	} {
		assert.Contains(t, string(md), row)
	}
}
