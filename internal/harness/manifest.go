package harness

import (
	"context"
	"fmt"

	"github.com/pulumi/pulumi/pkg/v3/resource/stack"

	"github.com/acmepay/platform/internal/deploy"
	"github.com/acmepay/platform/internal/manifest"
)

// Manifest builds the planned manifest of the environment from the layers'
// snapshots, through the same code path as a deployed environment's.
func (e *Env) Manifest(ctx context.Context) (manifest.Manifest, error) {
	in := manifest.Input{
		Profile: e.Profile,
		Status:  manifest.Planned,
		Unknown: manifest.ContainsAny(e.Cloud.GeneratedIDs()),
	}
	for _, l := range deploy.Graph() {
		snap := e.Snapshot(l.Name)
		if snap == nil {
			return manifest.Manifest{}, fmt.Errorf("harness: layer %s of %s has not been deployed", l.Name, e.Env)
		}
		dep, err := stack.SerializeDeployment(ctx, snap, false)
		if err != nil {
			return manifest.Manifest{}, fmt.Errorf("harness: serializing %s: %w", l.Name, err)
		}
		in.Layers = append(in.Layers, manifest.LayerState{Name: l.Name, Resources: dep.Resources})
	}
	return manifest.Build(in), nil
}
