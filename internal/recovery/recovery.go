// Package recovery finds what an interrupted run left in an environment's
// stacks, and puts it right. A deployment killed halfway (a cancelled
// pipeline runner, an out-of-memory kill, a laptop closing) leaves its stack
// locks behind, so every later run of that stack fails, and pending
// operations in the state: most often a create the cloud finished but the
// state never recorded, an orphan that costs money and that no drift check
// sees.
//
// Check runs before every deploy, preview, destroy and drift check, and stops
// the run with what it found and the one command that fixes it. Recover is
// that command: it removes a lock only when its owner is provably gone, adopts
// each pending create that exists in the cloud (found by its predictable
// name), clears the ones that do not, refreshes the rest, and never removes
// a live lock.
package recovery

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/acmepay/platform/internal/statebackend"
	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/profile"
)

// Pending is an operation a run began on a resource and never recorded
// finishing.
type Pending struct {
	Layer string
	// Op is what the run was doing: creating, updating, deleting, reading or
	// importing.
	Op   string
	URN  string
	Type string
	// Name is the resource's physical name (or Name tag), by which it can
	// be found in the cloud; empty when it has none.
	Name string
}

// PendingOf lists the pending operations of a layer's deployment.
func PendingOf(layer string, dep apitype.DeploymentV3) []Pending {
	var out []Pending
	for _, op := range dep.PendingOperations {
		out = append(out, Pending{
			Layer: layer, Op: string(op.Type), URN: string(op.Resource.URN), Type: string(op.Resource.Type),
			Name: awstype.Physical(string(op.Resource.Type), op.Resource.Inputs),
		})
	}
	return out
}

// Lock is a lock found, with the verdict on its owner.
type Lock struct {
	statebackend.Lock
	Stale bool
	Why   string
}

func (l Lock) String() string {
	what := "stack lock"
	if l.Layer == "" {
		what = "environment lock (" + l.Operation + ")"
	}
	state := "live"
	if l.Stale {
		state = "stale"
	}
	return fmt.Sprintf("%s %s by %s at %s: %s", state, what, l.Owner(), l.Timestamp.UTC().Format(time.RFC3339), l.Why)
}

// Layer is what one layer's stack holds from interrupted runs.
type Layer struct {
	Name    string
	Locks   []Lock
	Pending []Pending
}

// Report is what an environment's stacks hold from interrupted runs.
type Report struct {
	Env      profile.Environment
	EnvLocks []Lock
	Layers   []Layer
}

// Clean reports that there is nothing to recover.
func (r Report) Clean() bool {
	if len(r.EnvLocks) > 0 {
		return false
	}
	for _, l := range r.Layers {
		if len(l.Locks) > 0 || len(l.Pending) > 0 {
			return false
		}
	}
	return true
}

// Live lists the locks whose owner may still be running.
func (r Report) Live() []Lock {
	var out []Lock
	for _, l := range r.locks() {
		if !l.Stale {
			out = append(out, l)
		}
	}
	return out
}

func (r Report) locks() []Lock {
	out := append([]Lock(nil), r.EnvLocks...)
	for _, l := range r.Layers {
		out = append(out, l.Locks...)
	}
	return out
}

// String describes every finding, one line each, prefixed by its layer.
func (r Report) String() string {
	var b strings.Builder
	for _, l := range r.EnvLocks {
		fmt.Fprintf(&b, "[%s] %s\n", r.Env, l)
	}
	for _, l := range r.Layers {
		for _, lock := range l.Locks {
			fmt.Fprintf(&b, "[%s] %s\n", l.Name, lock)
		}
		for _, p := range l.Pending {
			fmt.Fprintf(&b, "[%s] interrupted while %s %s %q (%s)\n", l.Name, p.Op, p.Type, p.Name, p.URN)
		}
	}
	return b.String()
}

// Locks is the state backend's locks.
type Locks interface {
	StackLocks(ctx context.Context, layer, stack string) ([]statebackend.Lock, error)
	EnvLocks(ctx context.Context, env string) ([]statebackend.Lock, error)
	Remove(ctx context.Context, l statebackend.Lock) error
	AcquireEnv(ctx context.Context, env, op string) (func(context.Context) error, error)
}

// States reads each layer's pending operations.
type States interface {
	Pending(ctx context.Context, layer string, env profile.Environment) ([]Pending, error)
}

// Checker finds what interrupted runs left in an environment.
type Checker struct {
	Locks  Locks
	States States
	Host   statebackend.Host
	// Layers are the environment's layers, in deployment order.
	Layers []string
}

// Check reads every layer's locks and pending operations, and the
// environment's locks. It touches nothing.
func (c Checker) Check(ctx context.Context, env profile.Environment) (Report, error) {
	r := Report{Env: env}
	for _, name := range c.Layers {
		locks, err := c.Locks.StackLocks(ctx, name, string(env))
		if err != nil {
			return r, fmt.Errorf("[%s] %w", name, err)
		}
		pending, err := c.States.Pending(ctx, name, env)
		if err != nil {
			return r, fmt.Errorf("[%s] %w", name, err)
		}
		r.Layers = append(r.Layers, Layer{Name: name, Locks: c.judge(locks), Pending: pending})
	}
	envLocks, err := c.Locks.EnvLocks(ctx, string(env))
	if err != nil {
		return r, fmt.Errorf("[%s] %w", env, err)
	}
	r.EnvLocks = c.judge(envLocks)
	return r, nil
}

func (c Checker) judge(locks []statebackend.Lock) []Lock {
	out := make([]Lock, len(locks))
	for i, l := range locks {
		stale, why := c.Host.Stale(l)
		out[i] = Lock{Lock: l, Stale: stale, Why: why}
	}
	return out
}

// ErrInterrupted is returned when an interrupted run left something behind.
var ErrInterrupted = errors.New("an interrupted run left locks or pending operations")

// Hold is what a run holds of its environment while it runs.
type Hold int

// The holds.
const (
	// Shared: a preview or a drift check reads, and holds nothing another
	// run would wait on.
	Shared Hold = iota
	// Exclusive: an update or a destroy holds the environment's lock until
	// it ends.
	Exclusive
)

// ErrBusy is returned when another run holds the environment or a layer.
var ErrBusy = errors.New("another run is in progress")

// Before is the check every run makes before touching anything: it refuses
// when another run is in progress, naming it, and when an interrupted run
// left something, printing what and the command that fixes it. An update or
// destroy then takes the environment lock; release gives it back.
func (c Checker) Before(ctx context.Context, env profile.Environment, op string, hold Hold) (release func(context.Context) error, err error) {
	r, err := c.Check(ctx, env)
	if err != nil {
		return nil, err
	}
	if live := r.Live(); len(live) > 0 {
		return nil, fmt.Errorf("%w on %s; wait for it to end:\n%s", ErrBusy, env, describe(live))
	}
	if !r.Clean() {
		return nil, fmt.Errorf("%w in %s; nothing was touched:\n%sfix it with: go run mage.go recover:env %s", ErrInterrupted, env, r, env)
	}
	if hold != Exclusive {
		return func(context.Context) error { return nil }, nil
	}
	return c.Locks.AcquireEnv(ctx, string(env), op)
}

func describe(locks []Lock) string {
	var b strings.Builder
	for _, l := range locks {
		where := l.Layer
		if where == "" {
			where = "environment"
		}
		fmt.Fprintf(&b, "[%s] %s\n", where, l)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
