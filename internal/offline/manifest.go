package offline

import (
	"context"
	"fmt"

	"github.com/pulumi/pulumi/pkg/v3/resource/stack"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/acmepay/platform/internal/deploy"
	"github.com/acmepay/platform/internal/manifest"
)

// Manifest builds the planned manifest of the environment from the layers'
// snapshots, through the same code path as a deployed environment's.
func (e *Env) Manifest(ctx context.Context) (manifest.Manifest, error) {
	in := manifest.Input{
		Profile: e.Profile,
		Status:  manifest.Planned,
		Mask:    manifest.MaskTokens(e.Cloud.GeneratedIDs()),
	}
	for _, l := range deploy.Graph() {
		if e.Snapshot(l.Name) == nil {
			return manifest.Manifest{}, fmt.Errorf("offline: layer %s of %s has not been deployed", l.Name, e.Env)
		}
		resources, err := e.state(ctx, l.Name)
		if err != nil {
			return manifest.Manifest{}, err
		}
		in.Layers = append(in.Layers, manifest.LayerState{Name: l.Name, Resources: resources})
	}
	return manifest.Build(in), nil
}

// state is a layer's snapshot in the form `pulumi stack export` gives it.
func (e *Env) state(ctx context.Context, layer string) ([]apitype.ResourceV3, error) {
	snap := e.Snapshot(layer)
	if snap == nil {
		return nil, nil
	}
	dep, err := stack.SerializeDeployment(ctx, snap, false)
	if err != nil {
		return nil, fmt.Errorf("offline: serializing %s: %w", layer, err)
	}
	return dep.Resources, nil
}
