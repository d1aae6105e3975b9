package envreport

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/profile"
)

func TestShowsTheRepositoryStacks(t *testing.T) {
	p, err := Load("../..", "prod")
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, Write(&out, p))
	assert.Contains(t, out.String(), "345678901234")
	assert.Contains(t, out.String(), "arm64, 2048 MB")
	assert.Contains(t, out.String(), "provisioned 25/25, autoscaling max 500/500 at 70%")
}

func TestUnknownEnvironment(t *testing.T) {
	_, err := Load("../..", "nosuchenv")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown environment "nosuchenv": allowed dev, staging, prod`)
}

// stacks writes the four layers' stack files of env under a new root, each
// with the common lines plus its extra lines.
func stacks(t *testing.T, env, account string, extra map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for _, layer := range []string{"network", "data", "compute", "observability"} {
		dir := filepath.Join(root, layer)
		require.NoError(t, os.MkdirAll(dir, 0o755))
		body := "config:\n  aws:region: us-east-1\n  aws:allowedAccountIds: [\"" + account + "\"]\n  payments:environmentSuffix: pay01\n" + extra[layer]
		require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi."+env+".yaml"), []byte(body), 0o644))
	}
	return root
}

func TestAnOverrideIsWrittenOnceInItsOwningLayer(t *testing.T) {
	root := stacks(t, "dev", "123456789012", map[string]string{
		"compute": "  payments:lambdaMemoryMb: \"1024\"\n",
		"data":    "  payments:auditLogExpirationDays: \"45\"\n",
	})
	p, err := Load(root, "dev")
	require.NoError(t, err)
	assert.Equal(t, 1024, p.Function.MemoryMB)
	assert.Equal(t, 45, p.Audit.ExpirationDays)
}

func TestASettingInAnotherLayersFileIsRefused(t *testing.T) {
	root := stacks(t, "dev", "123456789012", map[string]string{"data": "  payments:lambdaMemoryMb: \"1024\"\n"})
	_, err := Load(root, "dev")
	require.Error(t, err)
	assert.Equal(t, `data/Pulumi.dev.yaml: config payments:lambdaMemoryMb = "1024" belongs to the compute layer, not data: set it in compute/Pulumi.dev.yaml`, err.Error())
}

func TestSharedSettingsMustAgree(t *testing.T) {
	root := stacks(t, "dev", "123456789012", map[string]string{"data": "  payments:costCenter: payments-shared\n"})
	_, err := Load(root, "dev")
	require.Error(t, err)
	assert.Equal(t, `config payments:costCenter must be the same in every layer's stack file: `+
		`network/Pulumi.dev.yaml has "(not set)", data/Pulumi.dev.yaml has "payments-shared", compute/Pulumi.dev.yaml has "(not set)", `+
		`observability/Pulumi.dev.yaml has "(not set)"; fix data/Pulumi.dev.yaml`, err.Error())
}

func TestTheMissionsInvariantsAreRules(t *testing.T) {
	for _, tc := range []struct{ env, account, data, want string }{
		{"dev", "123456789012", "  payments:pointInTimeRecovery: \"true\"\n", `breaks the rule "point-in-time recovery on in prod and off elsewhere" (dev)`},
		{"prod", "345678901234", "  payments:pointInTimeRecovery: \"false\"\n", `breaks the rule "point-in-time recovery on in prod and off elsewhere" (prod)`},
		{"prod", "345678901234", "  payments:tableCapacityMode: PAY_PER_REQUEST\n", `breaks the rule "on-demand capacity in dev, provisioned in staging and prod" (prod must be PROVISIONED)`},
		{"dev", "123456789012", "  payments:tableCapacityMode: PROVISIONED\n  payments:tableReadCapacity: \"5\"\n  payments:tableWriteCapacity: \"5\"\n" +
			"  payments:tableMaxReadCapacity: \"50\"\n  payments:tableMaxWriteCapacity: \"50\"\n  payments:tableTargetUtilization: \"70\"\n",
			`breaks the rule "on-demand capacity in dev, provisioned in staging and prod" (dev must be PAY_PER_REQUEST)`},
	} {
		_, err := Load(stacks(t, tc.env, tc.account, map[string]string{"data": tc.data}), tc.env)
		require.Error(t, err, tc.data)
		assert.Contains(t, err.Error(), tc.want)
	}
}

func TestEveryLayerNeedsItsStackFile(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "network"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "network", "Pulumi.dev.yaml"),
		[]byte("config:\n  aws:region: us-east-1\n  aws:allowedAccountIds: [\"123456789012\"]\n  payments:environmentSuffix: pay01\n"), 0o644))
	_, err := Load(root, "dev")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "layer data has no usable stack dev")
}

// A fork changes its accounts and suffix in one file; Apply carries them to
// every layer's stack files, which then load as that fork's environments.
func TestApplyWritesTheForksAccountsAndSuffix(t *testing.T) {
	root := t.TempDir()
	for _, layer := range []string{"network", "data", "compute", "observability"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, layer), 0o755))
		for _, env := range []string{"dev", "staging", "prod"} {
			raw, err := os.ReadFile(filepath.Join("..", "..", layer, "Pulumi."+env+".yaml"))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(root, layer, "Pulumi."+env+".yaml"), raw, 0o644))
		}
	}
	fork := map[profile.Environment]string{profile.Dev: "111111111111", profile.Staging: "222222222222", profile.Prod: "333333333333"}
	require.NoError(t, Apply(root, func(env profile.Environment) (profile.Profile, error) {
		p, err := profile.Planned(env)
		p.AccountID, p.Suffix = fork[env], "acme7"
		return p, err
	}))
	for env, account := range fork {
		cfg, err := profile.ReadStackFile(filepath.Join(root, "compute", "Pulumi."+string(env)+".yaml"))
		require.NoError(t, err)
		assert.Equal(t, `["`+account+`"]`, cfg["aws:allowedAccountIds"])
		assert.Equal(t, "acme7", cfg["payments:environmentSuffix"])
	}

	// Unchanged values leave the repository's files byte for byte.
	before, err := os.ReadFile(filepath.Join("..", "..", "data", "Pulumi.prod.yaml"))
	require.NoError(t, err)
	again := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(again, "data"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(again, "data", "Pulumi.prod.yaml"), before, 0o644))
	p, err := profile.Planned(profile.Prod)
	require.NoError(t, err)
	require.NoError(t, profile.SetStackList(filepath.Join(again, "data", "Pulumi.prod.yaml"), "aws:allowedAccountIds", []string{p.AccountID}))
	require.NoError(t, profile.SetStackValue(filepath.Join(again, "data", "Pulumi.prod.yaml"), "payments:environmentSuffix", p.Suffix))
	after, err := os.ReadFile(filepath.Join(again, "data", "Pulumi.prod.yaml"))
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after))
}
