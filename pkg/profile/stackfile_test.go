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
		"  payments:environmentSuffix: pay02\n  payments:lambdaMemoryMb: \"1536\"\n", string(raw), "quoted only where YAML would read a number")
	cfg, err := ReadStackFile(path)
	require.NoError(t, err)
	assert.Equal(t, "1536", cfg["payments:lambdaMemoryMb"])
	assert.Equal(t, `["345678901234"]`, cfg["aws:allowedAccountIds"])
}

func TestSetStackListAndUnchangedValues(t *testing.T) {
	path := filepath.Join(t.TempDir(), "Pulumi.dev.yaml")
	original := "config:\n  aws:region: us-east-1\n  aws:allowedAccountIds:\n    - \"123456789012\"\n  payments:environmentSuffix: pay01\n"
	require.NoError(t, os.WriteFile(path, []byte(original), 0o644))
	require.NoError(t, SetStackList(path, "aws:allowedAccountIds", []string{"123456789012"}))
	require.NoError(t, SetStackValue(path, "aws:region", "us-east-1"))
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, original, string(raw), "values already set are left as they are written")

	require.NoError(t, SetStackList(path, "aws:allowedAccountIds", []string{"999988887777"}))
	cfg, err := ReadStackFile(path)
	require.NoError(t, err)
	assert.Equal(t, `["999988887777"]`, cfg["aws:allowedAccountIds"])
}

// A new environment's stack file is created empty, then filled as any other.
func TestANewEnvironmentsStackFileIsCreated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "Pulumi.qa.yaml")
	require.NoError(t, EnsureStackFile(path))
	require.NoError(t, SetStackValue(path, "aws:region", "us-west-2"))
	require.NoError(t, SetStackList(path, "aws:allowedAccountIds", []string{"567890123456"}))
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "config:\n  aws:region: us-west-2\n  aws:allowedAccountIds:\n    - \"567890123456\"\n", string(raw))
	require.NoError(t, EnsureStackFile(path))
	again, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, raw, again, "an existing stack file is left as it is")
}

func TestTheEnvironmentsFileIsChecked(t *testing.T) {
	for body, want := range map[string]string{
		"dev: {}\nstaging: {}\nProd_1: {}\n":                   `environment name "Prod_1": allowed 2-12 lowercase letters, digits and hyphens`,
		"dev: {accountNumber: \"1\"}\nstaging: {}\nprod: {}\n": `unknown field "accountNumber"`,
		"pipeline: {}\n": "no environment",
		"qa: {accountId: \"111111111111\", environmentSuffix: a1b}\nperf: {accountId: \"111111111111\", environmentSuffix: a1b}\n": `qa and perf share account 111111111111 and suffix "a1b"`,
	} {
		_, err := ParseEnvironments([]byte(body))
		require.Error(t, err, body)
		assert.Contains(t, err.Error(), want)
	}
	for _, env := range Environments() {
		p, err := Planned(env)
		require.NoError(t, err)
		assert.NoError(t, Validate(p), "the committed environments file describes a valid %s", env)
	}
	// The set and its promotion order are the file's.
	envs, err := ParseEnvironments([]byte("qa: {tier: development}\nprod-dr: {tier: production}\n"))
	require.NoError(t, err)
	assert.Equal(t, Production, envs["prod-dr"].Tier)
	assert.Len(t, envs, 2)
	assert.Equal(t, []Environment{"dev", "staging", "prod"}, Environments(), "the committed file's order")
}
