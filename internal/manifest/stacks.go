package manifest

import (
	"context"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/acmepay/platform/pkg/stage"
)

// StackReader reads a layer's stack: what its state records and its last
// update (stage.Inspector, or the offline plan's engine).
type StackReader interface {
	State(ctx context.Context, layer stage.Layer, env string) ([]apitype.ResourceV3, error)
	LastUpdate(ctx context.Context, layer stage.Layer, env string) (*stage.Update, error)
}

// FromStacks is the manifest stage every operation shares: it reads each
// layer's stack in dependency order and builds the environment's manifest
// from in, whose Layers it fills. The offline plan reads the engine's
// snapshots, a deployment the backend's state.
func FromStacks(ctx context.Context, graph []stage.Layer, r StackReader, in Input) (Manifest, error) {
	env := string(in.Profile.Environment)
	in.Layers = nil
	for _, l := range graph {
		res, err := r.State(ctx, l, env)
		if err != nil {
			return Manifest{}, fmt.Errorf("manifest %s: reading state of %s: %w", env, l.Name, err)
		}
		last, err := r.LastUpdate(ctx, l, env)
		if err != nil {
			return Manifest{}, fmt.Errorf("manifest %s: reading the update history of %s: %w", env, l.Name, err)
		}
		state := LayerState{Name: l.Name, Resources: res}
		if last != nil {
			state.Deployment = &Deployment{Version: last.Version, Commit: last.Commit, Dirty: last.Dirty, Result: last.Result}
		}
		in.Layers = append(in.Layers, state)
	}
	return Build(in), nil
}
