package statebackend

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/acmepay/platform/pkg/stage"
)

// historyDir is where the DIY backend keeps each stack's update history.
const historyDir = ".pulumi/history"

// History is a stack's history, newest first, at most depth entries, read
// as the DIY backend writes it (one <stack>-<time>.history.json, or .gz,
// per operation): what `pulumi stack history` lists, without a CLI run.
func (s *Store) History(ctx context.Context, project, stack string, depth int) ([]stage.HistoryEntry, error) {
	keys, err := s.keys(ctx, path.Join(historyDir, project, stack))
	if err != nil {
		return nil, fmt.Errorf("listing the history of %s/%s: %w", project, stack, err)
	}
	var out []stage.HistoryEntry
	// The file names carry the time: sorted, the newest is last.
	for i := len(keys) - 1; i >= 0 && len(out) < depth; i-- {
		key := keys[i]
		if !strings.HasSuffix(key, ".history.json") && !strings.HasSuffix(key, ".history.json.gz") {
			if strings.Contains(key, ".history.") {
				return nil, fmt.Errorf("reading the history of %s/%s: %s is in an encoding this reader does not know", project, stack, key)
			}
			continue
		}
		raw, err := s.readAll(ctx, key)
		if err == nil && strings.HasSuffix(key, ".gz") {
			raw, err = gunzip(raw)
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", key, err)
		}
		var e struct {
			Kind        string            `json:"kind"`
			Version     int               `json:"version"`
			Result      string            `json:"result"`
			Environment map[string]string `json:"environment"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, fmt.Errorf("reading %s: %w", key, err)
		}
		out = append(out, stage.HistoryEntry{Kind: e.Kind, Version: e.Version, Result: e.Result, Environment: e.Environment})
	}
	return out, nil
}

// Reader reads what a manifest needs, each layer's resources and last
// update, straight from the backend (its checkpoint and history files),
// where the Inspector it wraps would run the CLI twice a layer; a stack
// with no checkpoint is asked of the Inspector. Every other read goes to
// the Inspector.
type Reader struct {
	stage.Inspector
	Store *Store
	// Depth is how many history entries a last update is looked for in
	// (the CLI's page).
	Depth int
}

// State implements stage.Inspector from the checkpoint.
func (r Reader) State(ctx context.Context, layer stage.Layer, env string) ([]apitype.ResourceV3, error) {
	dep, ok, err := r.Store.Checkpoint(ctx, layer.Name, env)
	if err != nil {
		return nil, err
	}
	if !ok {
		return r.Inspector.State(ctx, layer, env)
	}
	return dep.Resources, nil
}

// LastUpdate implements stage.Inspector from the history files.
func (r Reader) LastUpdate(ctx context.Context, layer stage.Layer, env string) (*stage.Update, error) {
	history, err := r.Store.History(ctx, layer.Name, env, r.Depth)
	if err != nil {
		return nil, err
	}
	return stage.LastUpdate(history), nil
}
