package profile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUnknownEnvironment(t *testing.T) {
	_, err := FromStackFiles("../..", "nosuchenv")
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
		body := "config:\n  aws:region: us-east-1\n  aws:allowedAccountIds: [\"" + account + "\"]\n  payments:environmentSuffix: " + fixture.DevSuffix + "\n" + extra[layer]
		require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi."+env+".yaml"), []byte(body), 0o644))
	}
	return root
}

func TestAnOverrideIsWrittenOnceInItsOwningLayer(t *testing.T) {
	root := stacks(t, "dev", fixture.DevAccount, map[string]string{
		"compute": "  payments:lambdaMemoryMb: \"1024\"\n",
		"data":    "  payments:auditLogExpirationDays: \"45\"\n",
	})
	p, err := FromStackFiles(root, "dev")
	require.NoError(t, err)
	assert.Equal(t, 1024, p.Function.MemoryMB)
	assert.Equal(t, 45, p.Audit.ExpirationDays)
}

func TestASettingInAnotherLayersFileIsRefused(t *testing.T) {
	root := stacks(t, "dev", fixture.DevAccount, map[string]string{"data": "  payments:lambdaMemoryMb: \"1024\"\n"})
	_, err := FromStackFiles(root, "dev")
	require.Error(t, err)
	assert.Equal(t, `data/Pulumi.dev.yaml: config payments:lambdaMemoryMb = "1024" belongs to the compute layer, not data: set it in compute/Pulumi.dev.yaml`, err.Error())
}

func TestSharedSettingsMustAgree(t *testing.T) {
	root := stacks(t, "dev", fixture.DevAccount, map[string]string{"data": "  payments:costCenter: payments-shared\n"})
	_, err := FromStackFiles(root, "dev")
	require.Error(t, err)
	assert.Equal(t, `config payments:costCenter must be the same in every layer's stack file: `+
		`network/Pulumi.dev.yaml has "(not set)", data/Pulumi.dev.yaml has "payments-shared", compute/Pulumi.dev.yaml has "(not set)", `+
		`observability/Pulumi.dev.yaml has "(not set)"; fix data/Pulumi.dev.yaml`, err.Error())
}

func TestTheMissionsInvariantsAreRules(t *testing.T) {
	for _, tc := range []struct{ env, account, data, want string }{
		{"dev", fixture.DevAccount, "  payments:pointInTimeRecovery: \"true\"\n", `breaks the rule "point-in-time recovery on in production and off elsewhere" (dev, tier development)`},
		{"prod", fixture.ProdAccount, "  payments:pointInTimeRecovery: \"false\"\n", `breaks the rule "point-in-time recovery on in production and off elsewhere" (prod, tier production)`},
		{"prod", fixture.ProdAccount, "  payments:tableCapacityMode: PAY_PER_REQUEST\n", `breaks the rule "on-demand capacity in development, provisioned in pre-production and production" (prod, tier production, must be PROVISIONED)`},
		{"dev", fixture.DevAccount, "  payments:tableCapacityMode: PROVISIONED\n  payments:tableReadCapacity: \"5\"\n  payments:tableWriteCapacity: \"5\"\n" +
			"  payments:tableMaxReadCapacity: \"50\"\n  payments:tableMaxWriteCapacity: \"50\"\n  payments:tableTargetUtilization: \"70\"\n",
			`breaks the rule "on-demand capacity in development, provisioned in pre-production and production" (dev, tier development, must be PAY_PER_REQUEST)`},
	} {
		_, err := FromStackFiles(stacks(t, tc.env, tc.account, map[string]string{"data": tc.data}), tc.env)
		require.Error(t, err, tc.data)
		assert.Contains(t, err.Error(), tc.want)
	}
}

func TestEveryLayerNeedsItsStackFile(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "network"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "network", "Pulumi.dev.yaml"),
		[]byte("config:\n  aws:region: us-east-1\n  aws:allowedAccountIds: [\""+fixture.DevAccount+"\"]\n  payments:environmentSuffix: "+fixture.DevSuffix+"\n"), 0o644))
	_, err := FromStackFiles(root, "dev")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "layer data has no usable stack dev")
}
