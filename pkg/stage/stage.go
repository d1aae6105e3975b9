package stage

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// Op is an operation on a stack.
type Op string

// The operations.
const (
	Preview Op = "preview"
	Up      Op = "up"
	Destroy Op = "destroy"
)

// Changes counts the resource operations of a run, by kind ("create",
// "update", "delete", "replace", "same").
type Changes map[string]int

// String renders the counts as "create=3 update=1", or "-" for none.
func (c Changes) String() string {
	if len(c) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, c[k])
	}
	return strings.Join(parts, " ")
}

// Runner performs one operation on one layer's stack of an environment,
// streaming progress lines to out, and reports the resource operations.
type Runner interface {
	Run(ctx context.Context, op Op, layer Layer, env string, out io.Writer) (Outcome, error)
}

// Planner is a Runner that saves an update's plan and applies exactly it.
type Planner interface {
	// PlanLayer previews an update of the layer (refreshing first) and
	// saves its plan at path.
	PlanLayer(ctx context.Context, layer Layer, env string, path string, out io.Writer) (Outcome, error)
	// ApplyPlan updates the layer (refreshing first), held to the plan
	// saved at path: a resource change the plan did not show fails it.
	ApplyPlan(ctx context.Context, layer Layer, env string, path string, out io.Writer) (Outcome, error)
}

// Inspector reads deployed stacks without changing them.
type Inspector interface {
	// RefreshEvents runs a preview-only refresh (state is never written) and
	// returns its engine events.
	RefreshEvents(ctx context.Context, layer Layer, env string, out io.Writer) ([]apitype.EngineEvent, error)
	// State returns the resources recorded in the layer's state.
	State(ctx context.Context, layer Layer, env string) ([]apitype.ResourceV3, error)
	// LastUpdate returns the layer's last update from the backend's history,
	// or nil if it was never updated.
	LastUpdate(ctx context.Context, layer Layer, env string) (*Update, error)
}

// Update is one update in a stack's history.
type Update struct {
	// Version is the update's number in the stack's history (`pulumi stack
	// history`).
	Version int
	// Commit is the git commit the update ran from; Dirty says the working
	// tree had uncommitted changes.
	Commit string
	Dirty  bool
	// Result is the update's outcome (succeeded, failed).
	Result string
}

// HistoryEntry is one entry of a stack's history: an update, a refresh, a
// destroy, with the git metadata the CLI records.
type HistoryEntry struct {
	Kind        string
	Version     int
	Result      string
	Environment map[string]string
}

// LastUpdate picks, from a history listed newest first, the update with
// the highest version (the newest of equal versions: the DIY backend
// numbers none), and reads the git metadata the CLI records with it; nil
// when the history holds no update.
func LastUpdate(history []HistoryEntry) *Update {
	var last *HistoryEntry
	for i, u := range history {
		if u.Kind == "update" && (last == nil || u.Version > last.Version) {
			last = &history[i]
		}
	}
	if last == nil {
		return nil
	}
	return &Update{Version: last.Version, Commit: last.Environment["git.head"], Dirty: last.Environment["git.dirty"] == "true", Result: last.Result}
}
