package offline

import (
	"context"
	"fmt"

	"github.com/pulumi/pulumi/pkg/v3/resource/stack"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/stage"
)

// Manifest builds the planned manifest of the environment from the layers'
// snapshots, through the manifest stage a deployed environment's goes
// through (manifest.FromStacks).
func (e *Env) Manifest(ctx context.Context) (manifest.Manifest, error) {
	for _, l := range contract.Layers() {
		if e.Snapshot(l) == nil {
			return manifest.Manifest{}, fmt.Errorf("offline: layer %s of %s has not been deployed", l, e.Env)
		}
	}
	return manifest.FromStacks(ctx, contract.Graph(), planned{e}, manifest.Input{
		Profile: e.Profile,
		Status:  manifest.Planned,
		Mask:    manifest.MaskTokens(e.Cloud.GeneratedIDs()),
	})
}

// planned reads the offline engine's snapshots as planned stacks: what
// each would hold, and no update history (nothing was deployed).
type planned struct{ e *Env }

func (p planned) State(ctx context.Context, l stage.Layer, _ string) ([]apitype.ResourceV3, error) {
	return p.e.state(ctx, l.Name)
}

func (planned) LastUpdate(context.Context, stage.Layer, string) (*stage.Update, error) {
	return nil, nil
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
