package stage

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Step is one resource operation a run performed, or a preview would.
type Step struct {
	// Op is the engine's operation: create, update, replace, delete, same, ...
	Op   string
	Type string
	URN  string
	// Name is the resource's logical name.
	Name string
	// Physical is the resource's name in AWS, where it has one (the old
	// one for a replacement or deletion: what would be lost).
	Physical string
	// Inputs are the resource's new inputs (the old ones for a delete).
	Inputs resource.PropertyMap
	// Old are the inputs before the step (nil for a create).
	Old resource.PropertyMap
}

// NewStep reads a step from the engine's description of it; physical names
// a resource of a type from its inputs (awstype.Physical).
func NewStep(op, typ, urn string, old, new resource.PropertyMap, physical func(typ string, inputs map[string]any) string) Step {
	s := Step{Op: op, Type: typ, URN: urn, Name: resource.URN(urn).Name(), Old: old, Inputs: old}
	if new != nil {
		s.Inputs = new
	}
	for _, in := range []resource.PropertyMap{old, new} {
		if in != nil && s.Physical == "" {
			s.Physical = physical(typ, in.Mappable())
		}
	}
	return s
}

// ChangesOf counts the steps that change something (create, update,
// replace, delete); reads of StackReferences and unchanged resources do not
// count.
func ChangesOf(steps []Step) Changes {
	out := Changes{}
	for _, s := range steps {
		switch s.Op {
		case "create", "update", "replace", "delete", "create-replacement", "delete-replaced":
			out[s.Op]++
		}
	}
	return out
}

// Outcome is what a run on one layer did (or, for a preview, would do).
type Outcome struct {
	Changes Changes
	Steps   []Step
	// OutputsChanged is set when the layer's stack outputs change (or, in
	// a preview, may change): a layer whose only change is an output still
	// needs its update, for the layers that read it.
	OutputsChanged bool
	// ChangedOutputs names the stack outputs that change (or, in a
	// preview, are not known yet).
	ChangedOutputs []string
	// Refreshed are a preview's refresh steps, from which the drift the
	// refresh found is read (drift.Report.AddRefreshed).
	Refreshed []apitype.EngineEvent
}

// Empty reports whether a preview found nothing to do: no resource step
// that changes anything, and the same stack outputs.
func (o Outcome) Empty() bool {
	return len(ChangesOf(o.Steps)) == 0 && !o.OutputsChanged
}

// ChangedOutputs names the keys whose values differ between two sets of
// stack outputs (an unknown value counts as different).
func ChangedOutputs(old, new map[string]any) []string {
	return ChangedKeys(old, new, func(a, b any) bool { return reflect.DeepEqual(a, b) })
}

// ChangedKeys names, sorted, the keys whose values differ between two maps
// by equal; a key in one map only counts.
func ChangedKeys[K ~string, V any](old, new map[K]V, equal func(a, b V) bool) []string {
	var keys []string
	for k, v := range new {
		if o, ok := old[k]; !ok || !equal(o, v) {
			keys = append(keys, string(k))
		}
	}
	for k := range old {
		if _, ok := new[k]; !ok {
			keys = append(keys, string(k))
		}
	}
	sort.Strings(keys)
	return keys
}

// ErrDataLoss is returned when a deployment would replace or delete a
// stateful resource and data loss was not allowed.
var ErrDataLoss = errors.New("refused: the deployment would destroy data")

// DataLoss lists the steps that replace or delete a stateful resource:
// one of a type that holds data (holds names the data, "" for none: the
// registry's awstype.Holds).
func DataLoss(steps []Step, holds func(typ string) string) []Step {
	var out []Step
	for _, s := range steps {
		if holds(s.Type) != "" && (s.Op == "replace" || s.Op == "delete") {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URN < out[j].URN })
	return out
}

// DescribeLoss renders the steps for a message, one per line, with the
// data each would destroy.
func DescribeLoss(steps []Step, holds func(typ string) string) string {
	lines := make([]string, len(steps))
	for i, s := range steps {
		name := s.Physical
		if name == "" {
			name = s.URN
		}
		lines[i] = fmt.Sprintf("  - %s %s %s: %s would be lost", s.Op, s.Type, name, holds(s.Type))
	}
	return strings.Join(lines, "\n")
}
