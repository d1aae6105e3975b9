package offline

import (
	"context"
	"fmt"
	"io"

	pkgresource "github.com/pulumi/pulumi/pkg/v3/resource"
	pdeploy "github.com/pulumi/pulumi/pkg/v3/resource/deploy"
	"github.com/pulumi/pulumi/pkg/v3/resource/stack"
	"github.com/pulumi/pulumi/pkg/v3/secrets/b64"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/acmepay/platform/internal/recovery"
	"github.com/acmepay/platform/pkg/profile"
)

var (
	_ recovery.States = (*Env)(nil)
	_ recovery.Editor = (*Env)(nil)
)

// Pending implements recovery.States from the layer's snapshot.
func (e *Env) Pending(ctx context.Context, layer string, env profile.Environment) ([]recovery.Pending, error) {
	snap := e.Snapshot(layer)
	if env != e.Env || snap == nil {
		return nil, nil
	}
	dep, err := stack.SerializeDeployment(ctx, snap, false)
	if err != nil {
		return nil, err
	}
	return recovery.PendingOf(layer, *dep), nil
}

// Resolve implements recovery.Editor on the layer's snapshot, through the
// same serialized form `pulumi stack export` and `import` use.
func (e *Env) Resolve(ctx context.Context, layer string, env profile.Environment, decisions []recovery.Resolution) error {
	snap := e.Snapshot(layer)
	if env != e.Env || snap == nil {
		return fmt.Errorf("offline: %s has no state for %s", layer, env)
	}
	dep, err := stack.SerializeDeployment(ctx, snap, false)
	if err != nil {
		return err
	}
	if err := recovery.ResolveDeployment(dep, decisions); err != nil {
		return err
	}
	resolved, err := stack.DeserializeDeploymentV3(ctx, *dep, b64.Base64SecretsProvider)
	if err != nil {
		return err
	}
	if err := resolved.VerifyIntegrity(); err != nil {
		return fmt.Errorf("the resolved state of %s is not valid: %w", layer, err)
	}
	e.mu.Lock()
	e.snaps[layer] = resolved
	e.mu.Unlock()
	return nil
}

// Refresh implements recovery.Editor: a refresh that writes the snapshot.
func (e *Env) Refresh(ctx context.Context, layer string, env profile.Environment, _ io.Writer) error {
	if env != e.Env {
		return fmt.Errorf("offline: environment %s asked about %s", e.Env, env)
	}
	_, err := e.Run(ctx, OpRefresh, layer)
	return err
}

// Created says whether the cloud carried out a create a killed run never
// recorded.
type Created int

// The outcomes.
const (
	// NotCreated: the kill came before the cloud acted.
	NotCreated Created = iota
	// CreatedInTheCloud: the cloud made it; the state does not know.
	CreatedInTheCloud
)

// Interrupt leaves a layer's state as a run killed while it created one
// resource leaves it: that resource (type and logical name) is a pending
// create, and what depends on it was never created, in the state or in the
// cloud. cloud says whether the cloud carried out the create the run never
// recorded.
func (e *Env) Interrupt(layer, typ, name string, cloud Created) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	snap := e.snaps[layer]
	if snap == nil {
		return fmt.Errorf("offline: %s was never deployed", layer)
	}
	var target *pkgresource.State
	for _, r := range snap.Resources {
		if string(r.Type) == typ && r.URN.Name() == name {
			target = r
		}
	}
	if target == nil {
		return fmt.Errorf("offline: no %s %s in %s", typ, name, layer)
	}
	gone := map[resource.URN]bool{target.URN: true}
	var kept []*pkgresource.State
	for _, r := range snap.Resources {
		if r != target && !dependsOnAny(r, gone) {
			kept = append(kept, r)
			continue
		}
		gone[r.URN] = true
		if r != target || cloud != CreatedInTheCloud {
			_ = e.Cloud.Remove(string(r.Type), r.URN.Name())
		}
	}
	pending := target.Copy()
	pending.ID, pending.Outputs = "", resource.PropertyMap{}
	e.snaps[layer] = &pdeploy.Snapshot{
		Manifest: snap.Manifest, SecretsManager: snap.SecretsManager, Resources: kept,
		PendingOperations: append(append([]pkgresource.Operation(nil), snap.PendingOperations...),
			pkgresource.NewOperation(pending, pkgresource.OperationTypeCreating)),
	}
	return nil
}

func dependsOnAny(r *pkgresource.State, urns map[resource.URN]bool) bool {
	if urns[r.Parent] {
		return true
	}
	for _, d := range r.Dependencies {
		if urns[d] {
			return true
		}
	}
	for _, deps := range r.PropertyDependencies {
		for _, d := range deps {
			if urns[d] {
				return true
			}
		}
	}
	return false
}
