package profile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSetStackValueChangesOneKeyAndKeepsTheRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "Pulumi.prod.yaml")
	original := "config:\n  aws:region: us-east-1\n  aws:allowedAccountIds:\n    - \"345678901234\"\n  # the suffix ends every bucket name\n  payments:environmentSuffix: pay01\n"
	require.NoError(t, os.WriteFile(path, []byte(original), 0o644))

	require.NoError(t, SetStackValue(path, "payments:lambdaMemoryMb", "1536"))
	require.NoError(t, SetStackValue(path, "payments:environmentSuffix", "pay02"))
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "config:\n  aws:region: us-east-1\n  aws:allowedAccountIds:\n    - \"345678901234\"\n  # the suffix ends every bucket name\n"+
		"  payments:environmentSuffix: \"pay02\"\n  payments:lambdaMemoryMb: \"1536\"\n", string(raw))
	cfg, err := ReadStackFile(path)
	require.NoError(t, err)
	assert.Equal(t, "1536", cfg["payments:lambdaMemoryMb"])
	assert.Equal(t, `["345678901234"]`, cfg["aws:allowedAccountIds"])
}
