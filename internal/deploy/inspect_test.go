package deploy

import (
	"context"
	"io"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/pkg/profile"
)

type fakeInspector struct {
	events  map[string][]apitype.EngineEvent
	state   map[string][]apitype.ResourceV3
	updates map[string]*manifest.Deployment
	visited []string
}

func (f *fakeInspector) LastUpdate(_ context.Context, l Layer, _ profile.Environment) (*manifest.Deployment, error) {
	return f.updates[l.Name], nil
}

func (f *fakeInspector) RefreshEvents(_ context.Context, l Layer, _ profile.Environment, out io.Writer) ([]apitype.EngineEvent, error) {
	f.visited = append(f.visited, l.Name)
	io.WriteString(out, "Refreshing\n")
	return f.events[l.Name], nil
}

func (f *fakeInspector) State(_ context.Context, l Layer, _ profile.Environment) ([]apitype.ResourceV3, error) {
	return f.state[l.Name], nil
}

func TestDriftReadsEveryLayer(t *testing.T) {
	fnURN := "urn:pulumi:prod::compute::payments:compute:PaymentFunction$aws:lambda/function:Function::payment-processor"
	in := &fakeInspector{events: map[string][]apitype.EngineEvent{
		"compute": {{ResOutputsEvent: &apitype.ResOutputsEvent{Metadata: apitype.StepEventMetadata{
			Op: apitype.OpUpdate, URN: fnURN, Type: "aws:lambda/function:Function",
			Old:          &apitype.StepEventStateMetadata{Inputs: map[string]any{"memorySize": 2048.0}},
			New:          &apitype.StepEventStateMetadata{Inputs: map[string]any{"memorySize": 128.0}},
			DetailedDiff: map[string]apitype.PropertyDiff{"memorySize": {Kind: apitype.DiffUpdate, InputDiff: true}},
		}}}},
	}}
	d, out := newDeployer(newFakeRunner(), "345678901234")
	report, err := d.Drift(context.Background(), "prod", in)
	require.NoError(t, err)
	assert.Equal(t, []string{"network", "data", "compute", "observability"}, in.visited)
	require.Len(t, report.Drifted, 1)
	assert.Equal(t, "payment-processor", report.Drifted[0].Name)
	assert.Equal(t, "memorySize", report.Drifted[0].Properties[0].Path)
	assert.Contains(t, out.String(), "[compute] Refreshing")
}

func TestDriftRefusesTheWrongAccount(t *testing.T) {
	in := &fakeInspector{}
	d, _ := newDeployer(newFakeRunner(), "123456789012")
	_, err := d.Drift(context.Background(), "prod", in)
	require.ErrorIs(t, err, ErrWrongAccount)
	assert.Empty(t, in.visited)
}

func TestDeployedManifestCarriesIDsAndProvenance(t *testing.T) {
	in := &fakeInspector{state: map[string][]apitype.ResourceV3{
		"network": {{URN: "urn:pulumi:dev::network::aws:ec2/vpc:Vpc::vpc", Type: "aws:ec2/vpc:Vpc", Custom: true, ID: "vpc-0a1b2c",
			Inputs: map[string]any{"cidrBlock": "10.10.0.0/16", "tags": map[string]any{"Name": "vpc-dev-pay01"}}}},
	}, updates: map[string]*manifest.Deployment{
		"network": {Version: 7, Commit: "0a1b2c3d4e5f", Result: "succeeded"},
	}}
	d, _ := newDeployer(newFakeRunner(), "123456789012")
	m, err := d.Manifest(context.Background(), "dev", in, manifest.Provenance{SourceCommit: "abc123"})
	require.NoError(t, err)
	assert.Equal(t, manifest.Deployed, m.Status)
	require.Len(t, m.Layers, 4)
	require.Len(t, m.Layers[0].Resources, 1)
	assert.Equal(t, "vpc-0a1b2c", m.Layers[0].Resources[0].ID)
	assert.Equal(t, "vpc-dev-pay01", m.Layers[0].Resources[0].PhysicalName)
	assert.Equal(t, "abc123", m.Provenance.SourceCommit)
	assert.Equal(t, &manifest.Deployment{Version: 7, Commit: "0a1b2c3d4e5f", Result: "succeeded"}, m.Layers[0].Deployment,
		"each layer says which commit it was deployed from")
	assert.Nil(t, m.Layers[1].Deployment, "a layer never updated has no deployment")
}
