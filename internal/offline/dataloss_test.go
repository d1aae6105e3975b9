package offline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stage"
)

// withSuffix copies every stack file of the repository into a new root, with
// env's environmentSuffix changed: a change that renames every resource.
func withSuffix(t *testing.T, env profile.Environment, suffix string) string {
	t.Helper()
	return copyStackFiles(t, func(e profile.Environment, text string) string {
		if e == env {
			text = strings.Replace(text, "payments:environmentSuffix: "+fixture.Suffix(env), "payments:environmentSuffix: "+suffix, 1)
			require.Contains(t, text, suffix)
		}
		return text
	})
}

// copyStackFiles copies every environment's stack file of every layer into
// a new root, each through edit.
func copyStackFiles(t *testing.T, edit func(env profile.Environment, text string) string) string {
	t.Helper()
	root := t.TempDir()
	for _, layer := range contract.Layers() {
		require.NoError(t, os.MkdirAll(filepath.Join(root, layer), 0o755))
		for _, e := range profile.Environments() {
			raw, err := os.ReadFile(profile.StackFile(filepath.Join("../..", layer), string(e)))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(profile.StackFile(filepath.Join(root, layer), string(e)), []byte(edit(e, string(raw))), 0o644))
		}
	}
	return root
}

func liveNames(e *Env) []string {
	var names []string
	for _, r := range e.Cloud.Resources() {
		if n := awstype.Physical(r.Type, r.Inputs.Mappable()); n != "" {
			names = append(names, n)
		}
	}
	return names
}

// The deployment code, driven through the real engine: a change that would
// replace the transactions table, the audit bucket and the log groups (here a
// new suffix, which renames them) is refused before any layer is updated, and
// goes through, replacing them, only when data loss is allowed.
func TestDeploymentRefusesToDestroyDataUnlessAllowed(t *testing.T) {
	ctx := context.Background()
	e, d, _, out := deployed(t, profile.Prod)
	before := liveNames(e)
	require.Contains(t, before, "transactions-prod-"+fixture.ProdSuffix)

	root := withSuffix(t, profile.Prod, "pay02")
	e.Root, d.Root = root, root
	out.Reset()
	report, err := d.Run(ctx, stage.Up, "prod")
	require.ErrorIs(t, err, stage.ErrDataLoss)
	t.Log(out.String())
	network := report.Layer("network").Err
	require.Error(t, network, "the first layer refuses: its flow-log group would be replaced")
	assert.Contains(t, network.Error(), "replace aws:cloudwatch/logGroup:LogGroup /aws/vpc/flow-logs/vpc-prod-"+fixture.ProdSuffix+": the logs in it would be lost")
	assert.NoError(t, report.Layer("data").Err, "data depends on network, so it never ran")
	assert.ElementsMatch(t, before, liveNames(e), "nothing in the account changed")

	// The data layer's own guard, once network's replacement is allowed:
	// refused for the table and the bucket.
	d.AllowDataLoss, d.Graph = true, contract.Graph()[:1]
	_, err = d.Run(ctx, stage.Up, "prod")
	require.NoError(t, err, out.String())
	d.AllowDataLoss, d.Graph = false, contract.Graph()
	out.Reset()
	report, err = d.Run(ctx, stage.Up, "prod")
	require.ErrorIs(t, err, stage.ErrDataLoss)
	data := report.Layer("data").Err
	require.Error(t, data)
	assert.Contains(t, data.Error(), "replace aws:dynamodb/table:Table transactions-prod-"+fixture.ProdSuffix+": the transactions in it would be lost")
	assert.Contains(t, data.Error(), "replace aws:s3/bucketV2:BucketV2 audit-logs-prod-"+fixture.ProdSuffix+": the audit records in it would be lost")

	d.AllowDataLoss = true
	out.Reset()
	_, err = d.Run(ctx, stage.Up, "prod")
	require.NoError(t, err, out.String())
	assert.Contains(t, out.String(), "[data] data loss allowed:")
	after := liveNames(e)
	assert.Contains(t, after, "transactions-prod-pay02")
	assert.Contains(t, after, "audit-logs-prod-pay02")
	for _, n := range after {
		assert.NotContains(t, n, fixture.DevSuffix, "the replaced resources are gone")
	}

	d.AllowDataLoss = false
	again, err := d.Run(ctx, stage.Up, "prod")
	require.NoError(t, err, "with nothing left to replace, the guard has nothing to refuse")
	for _, l := range again.Layers {
		assert.Empty(t, l.Changes, "%s: a second deployment changes nothing", l.Layer)
	}
}
