package recovery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/acmepay/platform/internal/statebackend"
	"github.com/acmepay/platform/pkg/profile"
)

// BackendStates reads pending operations from the checkpoints in the state
// backend, without the CLI.
type BackendStates struct{ Store *statebackend.Store }

// Pending implements States.
func (b BackendStates) Pending(ctx context.Context, layer string, env profile.Environment) ([]Pending, error) {
	dep, ok, err := b.Store.Checkpoint(ctx, layer, string(env))
	if err != nil || !ok {
		return nil, err
	}
	return PendingOf(layer, dep), nil
}

// Action is what recovery does with one pending create.
type Action string

// The actions.
const (
	// Adopt records a resource the cloud created into the state, under
	// the ID found by its name; the refresh that follows reads it.
	Adopt Action = "adopt"
	// Clear drops a pending create the cloud never finished.
	Clear Action = "clear"
)

// Resolution is the decision on one pending create.
type Resolution struct {
	URN    string
	Action Action
	ID     string
}

// Editor edits and refreshes a layer's state: the Automation API in a
// deployment, the in-process engine in tests.
type Editor interface {
	// Resolve records the decisions on pending creates in the state.
	Resolve(ctx context.Context, layer string, env profile.Environment, decisions []Resolution) error
	// Refresh reads every resource of the state from the cloud, writing
	// the state; it settles pending updates, deletes and reads.
	Refresh(ctx context.Context, layer string, env profile.Environment, out io.Writer) error
}

// Finder finds a resource in the cloud by its physical name or Name tag.
type Finder interface {
	// Find returns the ID of the one live resource of typ called name, or
	// "" when it searched and proved there is none. It returns
	// ErrCannotFind for a type it cannot look up by name, and
	// ErrNotProvenAbsent when its search found nothing but cannot prove
	// the resource absent. A failed search is an error of its own: never
	// "not found".
	Find(ctx context.Context, typ, name string) (string, error)
}

// ErrCannotFind is returned for a resource type that cannot be looked up by
// name.
var ErrCannotFind = errors.New("cannot be looked up by name")

// ErrNotProvenAbsent is returned when a search found nothing that proves
// the resource does not exist: one that was created but not yet listed, or
// never tagged, looks the same.
var ErrNotProvenAbsent = errors.New("not found, but not proven absent")

// Recoverer puts right what interrupted runs left in an environment.
type Recoverer struct {
	Checker
	Editor Editor
	Finder Finder
	Out    io.Writer
}

// ErrNothingToRecover is returned by Run when the environment is clean.
var ErrNothingToRecover = errors.New("nothing to recover")

// Run recovers an environment. It refuses, touching nothing, when any lock's
// owner may still be running. It returns ErrNothingToRecover when there is
// nothing to do.
func (r Recoverer) Run(ctx context.Context, env profile.Environment) error {
	start := time.Now()
	report, err := r.Check(ctx, env)
	if err != nil {
		return err
	}
	if report.Clean() {
		fmt.Fprintf(r.Out, "%s: no locks and no pending operations in %d layers\n", env, len(r.Layers))
		return ErrNothingToRecover
	}
	if live := report.Live(); len(live) > 0 {
		return fmt.Errorf("refusing to recover %s: a lock's owner may still be running, and recover:env never removes a live lock:\n%s", env, describe(live))
	}
	fmt.Fprintf(r.Out, "found in %s:\n%s", env, report)
	for _, l := range report.locks() {
		if err := r.Locks.Remove(ctx, l.Lock); err != nil {
			return err
		}
		where := l.Layer
		if where == "" {
			where = string(env)
		}
		fmt.Fprintf(r.Out, "[%s] removed the lock of %s: %s\n", where, l.Owner(), l.Why)
	}
	release, err := r.Locks.AcquireEnv(ctx, string(env), "recover")
	if err != nil {
		return err
	}
	defer func() { _ = release(context.Background()) }()

	for _, l := range report.Layers {
		if len(l.Pending) == 0 {
			continue
		}
		if err := r.layer(ctx, env, l); err != nil {
			return fmt.Errorf("[%s] %w", l.Name, err)
		}
	}
	after, err := r.Check(ctx, env)
	if err != nil {
		return err
	}
	// Our own environment lock is the only thing left.
	after.EnvLocks = nil
	if !after.Clean() {
		return fmt.Errorf("%s still holds, after recovery:\n%s", env, after)
	}
	fmt.Fprintf(r.Out, "%s recovered in %s: run the deployment again\n", env, time.Since(start).Round(100*time.Millisecond))
	return nil
}

// layer resolves one layer's pending operations: each pending create is
// adopted or cleared, then a refresh settles the rest and reads the adopted
// resources.
func (r Recoverer) layer(ctx context.Context, env profile.Environment, l Layer) error {
	var decisions []Resolution
	for _, p := range l.Pending {
		if p.Op != string(apitype.OperationTypeCreating) {
			fmt.Fprintf(r.Out, "[%s] interrupted while %s %s %q: settled by the refresh\n", l.Name, p.Op, p.Type, p.Name)
			continue
		}
		d, err := r.decide(ctx, p)
		if err != nil {
			return err
		}
		decisions = append(decisions, d)
		if d.Action == Adopt {
			fmt.Fprintf(r.Out, "[%s] %s %q exists in the cloud as %s: adopted into the state\n", l.Name, p.Type, p.Name, d.ID)
		} else {
			fmt.Fprintf(r.Out, "[%s] %s %q does not exist in the cloud: pending create cleared\n", l.Name, p.Type, p.Name)
		}
	}
	if len(decisions) > 0 {
		if err := r.Editor.Resolve(ctx, l.Name, env, decisions); err != nil {
			return err
		}
	}
	if err := r.Editor.Refresh(ctx, l.Name, env, io.Discard); err != nil {
		return fmt.Errorf("refresh: %w", err)
	}
	fmt.Fprintf(r.Out, "[%s] refreshed\n", l.Name)
	return nil
}

func (r Recoverer) decide(ctx context.Context, p Pending) (Resolution, error) {
	manual := fmt.Errorf("a pending create of %s %q (%s) cannot be settled here: look for it in the console; if it exists, delete it by hand; "+
		"then run `pulumi refresh --clear-pending-creates --yes` in the layer's directory on this stack, and deploy again", p.Type, p.Name, p.URN)
	if p.Name == "" {
		return Resolution{}, manual
	}
	id, err := r.Finder.Find(ctx, p.Type, p.Name)
	if errors.Is(err, ErrCannotFind) || errors.Is(err, ErrNotProvenAbsent) {
		// Left pending: clearing what may exist would orphan it.
		return Resolution{}, fmt.Errorf("%w (%w)", manual, err)
	}
	if err != nil {
		return Resolution{}, fmt.Errorf("looking for %s %q in the cloud: %w", p.Type, p.Name, err)
	}
	if id == "" {
		return Resolution{URN: p.URN, Action: Clear}, nil
	}
	return Resolution{URN: p.URN, Action: Adopt, ID: id}, nil
}

// ResolveDeployment applies decisions to a deployment: an adopted resource
// moves from the pending operations to the resources, with its ID; a
// cleared one is dropped. Its dependencies, parent and provider are already
// among the resources (the engine creates a resource only after them), and
// nothing depends on it yet, so appending it keeps the state's order valid.
func ResolveDeployment(dep *apitype.DeploymentV3, decisions []Resolution) error {
	byURN := map[string]Resolution{}
	for _, d := range decisions {
		byURN[d.URN] = d
	}
	var kept []apitype.OperationV2
	for _, op := range dep.PendingOperations {
		d, ok := byURN[string(op.Resource.URN)]
		if !ok || op.Type != apitype.OperationTypeCreating {
			kept = append(kept, op)
			continue
		}
		delete(byURN, d.URN)
		if d.Action == Adopt {
			res := op.Resource
			res.ID = resource.ID(d.ID)
			if res.Outputs == nil {
				res.Outputs = map[string]any{}
			}
			dep.Resources = append(dep.Resources, res)
		}
	}
	for urn := range byURN {
		return fmt.Errorf("no pending create of %s in the state", urn)
	}
	dep.PendingOperations = kept
	return nil
}
