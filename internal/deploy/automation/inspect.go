package automation

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/opthistory"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/acmepay/platform/internal/drift"
	"github.com/acmepay/platform/pkg/stage"
)

// stack selects (creating it if need be) a layer's stack, inline when
// the layer's program is compiled in.
func (a *Automation) stack(ctx context.Context, layer stage.Layer, env string) (auto.Stack, error) {
	dir := filepath.Join(a.Root, layer.Name)
	opts := []auto.LocalWorkspaceOption{
		auto.SecretsProvider("passphrase"),
		auto.EnvVars(map[string]string{"PULUMI_BACKEND_URL": a.Backend}),
	}
	var stack auto.Stack
	var err error
	// A deployment plans its layers while the drift check refreshes them:
	// two operations on a stack that does not exist yet would both create
	// it, and the second fails. One stack is selected (or created) at a
	// time.
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.Command != nil {
		var cmd auto.PulumiCommand = a.Command
		if a.Exists != nil {
			if known, err := a.Exists(ctx, layer.Name, env); err == nil && known {
				cmd = knownStack{Command: a.Command, stack: env}
			}
		}
		opts = append(opts, auto.Pulumi(cmd))
	}
	if program, ok := a.Programs[layer.Name]; ok {
		program = drift.LeaveExcepted(program, env, a.exceptions)
		// The layer's program runs in this process: the same project,
		// stack files and backend as `pulumi up` in the layer directory,
		// without the language host compiling the layer on every run.
		stack, err = auto.UpsertStackInlineSource(ctx, env, layer.Name, program, append(opts, auto.WorkDir(dir))...)
	} else {
		for _, x := range a.exceptions {
			if x.Environment == env {
				return auto.Stack{}, fmt.Errorf("%s has drift exceptions to leave as they are, which only a layer program run in process can do (layer %s is not)", env, layer.Name)
			}
		}
		stack, err = auto.UpsertStackLocalSource(ctx, env, dir, opts...)
	}
	if err != nil {
		return auto.Stack{}, fmt.Errorf("selecting stack %s of %s: %w", env, layer.Name, err)
	}
	return stack, nil
}

// RefreshEvents implements Inspector with `pulumi refresh --preview-only`.
func (a *Automation) RefreshEvents(ctx context.Context, layer stage.Layer, env string, out io.Writer) ([]apitype.EngineEvent, error) {
	stack, err := a.stack(ctx, layer, env)
	if err != nil {
		return nil, err
	}
	ch := make(chan events.EngineEvent)
	collected := make(chan []apitype.EngineEvent)
	go func() {
		var evs []apitype.EngineEvent
		for e := range ch {
			evs = append(evs, e.EngineEvent)
		}
		collected <- evs
	}()
	if _, err := stack.PreviewRefresh(ctx, optrefresh.EventStreams(ch), optrefresh.ProgressStreams(out)); err != nil {
		// Not waiting for the events: a refresh that fails before it starts
		// never closes the channel.
		return nil, err
	}
	return <-collected, nil
}

// State implements Inspector with `pulumi stack export`.
func (a *Automation) State(ctx context.Context, layer stage.Layer, env string) ([]apitype.ResourceV3, error) {
	stack, err := a.stack(ctx, layer, env)
	if err != nil {
		return nil, err
	}
	exported, err := stack.Export(ctx)
	if err != nil {
		return nil, err
	}
	var dep apitype.DeploymentV3
	if err := json.Unmarshal(exported.Deployment, &dep); err != nil {
		return nil, fmt.Errorf("decoding the state of %s: %w", layer.Name, err)
	}
	return dep.Resources, nil
}

// HistoryDepth is how many entries of a stack's history LastUpdate reads
// looking for the last update (refreshes are recorded too).
const HistoryDepth = 50

// LastUpdate implements Inspector with `pulumi stack history`.
func (a *Automation) LastUpdate(ctx context.Context, layer stage.Layer, env string) (*stage.Update, error) {
	stack, err := a.stack(ctx, layer, env)
	if err != nil {
		return nil, err
	}
	history, err := stack.History(ctx, HistoryDepth, 1, opthistory.ShowSecrets(false))
	if err != nil {
		return nil, err
	}
	return lastUpdate(history), nil
}

// lastUpdate is stage.LastUpdate of the CLI's history (newest first).
func lastUpdate(history []auto.UpdateSummary) *stage.Update {
	entries := make([]stage.HistoryEntry, len(history))
	for i, u := range history {
		entries[i] = stage.HistoryEntry{Kind: u.Kind, Version: u.Version, Result: u.Result, Environment: u.Environment}
	}
	return stage.LastUpdate(entries)
}

// IgnoreDrift implements deploy.DriftIgnorer: later runs of a layer leave
// the properties the environment's exceptions name as they are.
func (a *Automation) IgnoreDrift(exceptions []drift.Exception) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.exceptions = exceptions
}

// RemoveStack removes a layer's stack from the backend with its history
// (`pulumi stack rm`); the CLI refuses a stack that still holds resources.
func (a *Automation) RemoveStack(ctx context.Context, layer stage.Layer, env string) error {
	s, err := a.stack(ctx, layer, env)
	if err != nil {
		return err
	}
	if err := s.Workspace().RemoveStack(ctx, env); err != nil {
		return fmt.Errorf("removing stack %s of %s: %w", env, layer.Name, err)
	}
	return nil
}
