package manifest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/sig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/profile"
)

func prodProfile(t *testing.T) profile.Profile {
	p, err := profile.Default(profile.Prod)
	require.NoError(t, err)
	p.Suffix = fixture.ProdSuffix
	return p
}

func state() []LayerState {
	return []LayerState{{Name: "data", Resources: []apitype.ResourceV3{
		{URN: "urn:pulumi:prod::data::pulumi:pulumi:Stack::data-prod", Type: "pulumi:pulumi:Stack",
			Outputs: map[string]any{"tableName": "transactions-prod-" + fixture.ProdSuffix, "apiKey": map[string]any{
				sig.Key: sig.Secret, "ciphertext": "abc"}}},
		{URN: "urn:pulumi:prod::data::aws:s3/bucketV2:BucketV2::audit-logs", Type: "aws:s3/bucketV2:BucketV2", Custom: true, ID: resource.ID("audit-logs-prod-" + fixture.ProdSuffix),
			Inputs: map[string]any{"bucket": "audit-logs-prod-" + fixture.ProdSuffix, "forceDestroy": true, "tags": map[string]any{"Environment": "prod"}}},
		{URN: "urn:pulumi:prod::data::aws:dynamodb/table:Table::transactions", Type: "aws:dynamodb/table:Table", Custom: true, ID: resource.ID("transactions-prod-" + fixture.ProdSuffix),
			Inputs: map[string]any{"name": "transactions-prod-" + fixture.ProdSuffix, "streamArn": "arn:aws:dynamodb:us-east-1:1:table/x/stream/gen-42"}},
		{URN: "urn:pulumi:prod::compute::aws:lambda/function:Function::fn", Type: "aws:lambda/function:Function", Custom: true, ID: "fn",
			Inputs: map[string]any{"code": map[string]any{sig.Key: sig.ArchiveSig, "hash": "abc123", "path": "/home/someone/dist/payment.zip"}}},
	}}}
}

func TestBuildDeployed(t *testing.T) {
	m := Build(Input{Profile: prodProfile(t), Status: Deployed, Layers: state(), Provenance: &Provenance{SourceCommit: "0123abc"}})
	assert.Equal(t, "prod", m.Environment)
	assert.Equal(t, fixture.ProdAccount, m.Account)
	require.Len(t, m.Layers, 1)
	l := m.Layers[0]
	assert.Equal(t, "transactions-prod-"+fixture.ProdSuffix, l.Outputs["tableName"])
	assert.Equal(t, "[secret]", l.Outputs["apiKey"], "secret outputs are redacted")
	require.Len(t, l.Resources, 3, "the stack resource is not listed as a resource")
	assert.Equal(t, "urn:pulumi:prod::compute::aws:lambda/function:Function::fn", l.Resources[0].URN, "resources are sorted by URN")
	bucket := l.Resources[2]
	assert.Equal(t, "audit-logs-prod-"+fixture.ProdSuffix, bucket.PhysicalName)
	assert.Equal(t, "audit-logs-prod-"+fixture.ProdSuffix, bucket.ID, "a deployed manifest carries ids")
	assert.Equal(t, map[string]string{"Environment": "prod"}, bucket.Tags)
	assert.NotContains(t, bucket.Config, "tags")
	assert.Equal(t, map[string]any{"contentSha256": "abc123"}, l.Resources[0].Config["code"], "archives are identified by content, not by path")
	assert.Equal(t, "0123abc", m.Provenance.SourceCommit)
}

func TestBuildPlannedHidesMadeUpValues(t *testing.T) {
	m := Build(Input{Profile: prodProfile(t), Status: Planned, Layers: state(), Mask: MaskTokens([]string{"gen-4", "gen-42"})})
	table := m.Layers[0].Resources[1]
	assert.Empty(t, table.ID, "a planned manifest has no ids")
	assert.Equal(t, "arn:aws:dynamodb:us-east-1:1:table/x/stream/(known after deploy)", table.Config["streamArn"],
		"the made-up part is masked, the longest token first; the rest stays readable")
	assert.Nil(t, m.Provenance)
}

// The same state, handed over in another order (resources reversed, as a
// backend may list them), gives the same bytes.
func TestJSONIsDeterministic(t *testing.T) {
	a, err := Build(Input{Profile: prodProfile(t), Status: Planned, Layers: state()}).JSON()
	require.NoError(t, err)
	shuffled := state()
	res := shuffled[0].Resources
	for i, j := 0, len(res)-1; i < j; i, j = i+1, j-1 {
		res[i], res[j] = res[j], res[i]
	}
	require.NotEqual(t, state()[0].Resources[0].URN, shuffled[0].Resources[0].URN, "the second input really is in another order")
	b, err := Build(Input{Profile: prodProfile(t), Status: Planned, Layers: shuffled}).JSON()
	require.NoError(t, err)
	require.Equal(t, string(a), string(b))
	var back map[string]any
	require.NoError(t, json.Unmarshal(a, &back))
	assert.Equal(t, float64(1), back["schemaVersion"])
	assert.Contains(t, back["redundancy"], "three availability zones")
}

func TestWriteDeployedAndProvenance(t *testing.T) {
	root := t.TempDir()
	path, err := Manifest{Environment: "staging", Status: Deployed}.WriteDeployed(root)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(root, "manifests", "staging.json"), path)
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"environment": "staging"`)

	_, err = ProvenanceOf(root, "file:///state")
	require.Error(t, err, "not a git checkout")
	assert.Contains(t, err.Error(), "git rev-parse HEAD")
	prov, err := ProvenanceOf("../..", "s3://bucket/dev")
	require.NoError(t, err)
	assert.Regexp(t, `^[0-9a-f]{40}$`, prov.SourceCommit)
	assert.Equal(t, "s3://bucket/dev", prov.Backend)
}

// A planned manifest is read from manifests/planned/<env>.json under the
// root; one that is not JSON is an error naming the file.
func TestReadPlanned(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "manifests", "planned"), 0o755))
	good := Manifest{SchemaVersion: SchemaVersion, Environment: "dev", Status: Planned}
	raw, err := json.Marshal(good)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(root, "manifests", "planned", "dev.json"), raw, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "manifests", "planned", "staging.json"), []byte("{"), 0o644))

	got, err := ReadPlanned(root, "dev")
	require.NoError(t, err)
	assert.Equal(t, "dev", got.Environment)
	assert.Equal(t, Planned, got.Status)
	_, err = ReadPlanned(root, "staging")
	require.ErrorContains(t, err, filepath.Join(root, "manifests", "planned", "staging.json"))
	_, err = ReadPlanned(root, "prod")
	require.ErrorIs(t, err, os.ErrNotExist)
}
