package envreport

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/fixture"
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
		"| Lambda memory (MB) | `payments:lambdaMemoryMb` | compute | per environment | 512 | 1024 | 2048 |",
		"| NAT gateways | `payments:natGateways` | network | per environment | 1 | 1 | 2 |",
		"| DynamoDB point-in-time recovery | `payments:pointInTimeRecovery` | data | per environment | off | off | on |",
		"| VPC flow logs | `payments:flowLogs` | network | per environment | off | on | on |",
		"| Lambda log retention (days) | `payments:logRetentionDays` | compute | per environment | 30 | 90 | 365 |",
		"| Lambda reserved concurrency | `payments:lambdaReservedConcurrency` | compute | per environment | 5 | 20 | 200 |",
		"| Lambda timeout (s) | `payments:lambdaTimeoutSeconds` | compute | same everywhere | 10 | 10 | 10 |",
		"| DynamoDB read capacity (floor) | `payments:tableReadCapacity` | data | per environment | n/a | 5 | 25 |",
		"| Lambda Errors alarm (5-minute sum reaches) | `payments:lambdaErrorsThreshold` | observability | per environment | 10 | 5 | 1 |",
		"| name suffix | `payments:environmentSuffix` | every layer | per environment | " + fixture.DevSuffix + " | " + fixture.DevSuffix + " | " + fixture.DevSuffix + " |",
	} {
		assert.Contains(t, string(md), row)
	}
}
