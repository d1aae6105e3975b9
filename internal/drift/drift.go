// Package drift turns the engine events of a preview-only refresh into a
// drift report: every resource whose live configuration differs from what the
// last deployment recorded, with the property paths that differ and their old
// and new values. It reads events in the Automation API's format
// (apitype.EngineEvent), so the same code reports on a live stack (through
// the Automation API) and on the in-process engine offline.
package drift

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/acmepay/platform/internal/proppath"
	"github.com/acmepay/platform/internal/redact"
	"github.com/acmepay/platform/pkg/awstype"
)

// Kinds of drift.
const (
	Modified = "modified" // the live resource's configuration changed
	Deleted  = "deleted"  // the live resource no longer exists
)

// Property is one differing property path.
type Property struct {
	Path string `json:"path"`
	Kind string `json:"kind"` // add, delete, update
	// Recorded is the value in the last deployment, Live the value now.
	Recorded any `json:"recorded"`
	Live     any `json:"live"`
	// Exception is the accepted exception that covers the property, if any.
	Exception *Exception `json:"exception,omitempty"`
}

// Resource is one drifted resource.
type Resource struct {
	Layer      string     `json:"layer"`
	URN        string     `json:"urn"`
	Type       string     `json:"type"`
	Name       string     `json:"name"`
	Kind       string     `json:"kind"`
	Properties []Property `json:"properties,omitempty"`
}

// isManaged reports whether another AWS service changes the property on
// purpose (its type's entry, ManagedBy): a change there is the platform
// working, not drift. The programs ignore the same properties
// (ignoreChanges), so a deploy never fights the service either.
func isManaged(typ, path string) bool {
	t, _ := awstype.Of(typ)
	return t.ManagedBy != nil && t.ManagedBy.MatchString(path)
}

// Report is the drift of one environment.
type Report struct {
	Environment string `json:"environment"`
	// Account is the AWS account the report was taken in.
	Account string `json:"account"`
	// Commit is the git commit of the code the check ran from (empty
	// outside a git checkout): a night's reports are read together only
	// when they share one.
	Commit  string     `json:"commit,omitempty"`
	Drifted []Resource `json:"drifted"`
	// Excepted is drift covered by an unexpired exception: reported, not
	// failed on.
	Excepted []Resource `json:"excepted,omitempty"`
}

// ReadJSON reads a report written by WriteJSON.
func ReadJSON(path string) (Report, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Report{}, err
	}
	var r Report
	if err := json.Unmarshal(raw, &r); err != nil {
		return Report{}, fmt.Errorf("drift report %s: %w", path, err)
	}
	return r, nil
}

// Any reports whether anything drifted.
func (r Report) Any() bool { return len(r.Drifted) > 0 }

// Add reads one layer's refresh events into the report.
func (r *Report) Add(layer string, events []apitype.EngineEvent) {
	for _, ev := range events {
		if ev.ResOutputsEvent == nil {
			continue
		}
		md := ev.ResOutputsEvent.Metadata
		switch md.Op {
		case apitype.OpUpdate:
			props := properties(md)
			if len(props) == 0 {
				continue // only service-managed properties changed
			}
			r.Drifted = append(r.Drifted, Resource{
				Layer: layer, URN: md.URN, Type: md.Type, Name: urnName(md.URN), Kind: Modified,
				Properties: props,
			})
		case apitype.OpDelete:
			r.Drifted = append(r.Drifted, Resource{Layer: layer, URN: md.URN, Type: md.Type, Name: urnName(md.URN), Kind: Deleted})
		}
	}
	sort.SliceStable(r.Drifted, func(i, j int) bool { return r.Drifted[i].URN < r.Drifted[j].URN })
}

// AddRefreshed reads the refresh steps of one layer's preview with
// refresh (`pulumi preview --refresh`) into the report: the same drift a
// refresh alone reports, read from the plan a deployment makes anyway.
func (r *Report) AddRefreshed(layer string, events []apitype.EngineEvent) {
	var refreshed []apitype.EngineEvent
	for _, ev := range events {
		if ev.ResOutputsEvent == nil || ev.ResOutputsEvent.Metadata.Op != apitype.OpRefresh {
			continue
		}
		md := ev.ResOutputsEvent.Metadata
		switch {
		case md.New == nil:
			md.Op = apitype.OpDelete
		case len(md.Diffs) > 0 || len(md.DetailedDiff) > 0:
			md.Op = apitype.OpUpdate
		default:
			continue
		}
		refreshed = append(refreshed, apitype.EngineEvent{ResOutputsEvent: &apitype.ResOutputsEvent{Metadata: md}})
	}
	r.Add(layer, refreshed)
}

func properties(md apitype.StepEventMetadata) []Property {
	var oldIn, newIn map[string]any
	if md.Old != nil {
		oldIn = md.Old.Inputs
	}
	if md.New != nil {
		newIn = md.New.Inputs
	}
	paths := make([]string, 0, len(md.DetailedDiff))
	for p := range md.DetailedDiff {
		paths = append(paths, p)
	}
	if len(paths) == 0 {
		paths = append(paths, md.Diffs...)
	}
	sort.Strings(paths)
	out := make([]Property, 0, len(paths))
	for _, p := range paths {
		if isManaged(md.Type, p) {
			continue
		}
		kind := "update"
		if d, ok := md.DetailedDiff[p]; ok {
			kind = strings.TrimSuffix(string(d.Kind), "-replace")
		}
		out = append(out, Property{Path: p, Kind: kind, Recorded: redact.Value(proppath.Get(oldIn, p)), Live: redact.Value(proppath.Get(newIn, p))})
	}
	return out
}

func urnName(urn string) string {
	if i := strings.LastIndex(urn, "::"); i >= 0 {
		return urn[i+2:]
	}
	return urn
}

// WriteJSON writes the report to dir/<env>.json and returns the path.
func (r Report) WriteJSON(dir string) (string, error) {
	if r.Drifted == nil {
		r.Drifted = []Resource{}
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, r.Environment+".json")
	return path, os.WriteFile(path, append(b, '\n'), 0o644)
}

// WriteText prints a table of the drift and a verdict line: "DRIFT DETECTED"
// when anything drifted, so the outcome is visible even where the exit status
// is lost (a `go run` wrapper flattens it).
func (r Report) WriteText(w io.Writer) {
	for _, d := range r.Excepted {
		for _, p := range d.Properties {
			fmt.Fprintf(w, "excepted: %s %s %s %s: %s -> %s (until %s: %s; approved by %s)\n", d.Layer, d.Name, d.Type, p.Path,
				show(p.Recorded), show(p.Live), p.Exception.Expires, p.Exception.Reason, p.Exception.Approver)
		}
	}
	if !r.Any() {
		fmt.Fprintf(w, "no drift: every resource of %s matches its last deployment\n", r.Environment)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LAYER\tRESOURCE\tTYPE\tDRIFT\tPROPERTY\tRECORDED\tLIVE")
	for _, d := range r.Drifted {
		if len(d.Properties) == 0 {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\t\t\n", d.Layer, d.Name, d.Type, d.Kind)
		}
		for _, p := range d.Properties {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.Layer, d.Name, d.Type, d.Kind, p.Path, show(p.Recorded), show(p.Live))
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "DRIFT DETECTED: %d resource(s) of %s differ from their last deployment\n", len(r.Drifted), r.Environment)
}

func show(v any) string {
	if v == nil {
		return "(absent)"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	s := string(b)
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// ErrDrift is returned by Publish when anything drifted.
var ErrDrift = errors.New("DRIFT DETECTED")

// Publish writes the JSON report under dir, prints the table to w, and
// returns ErrDrift (naming the report file) when anything drifted, so a
// caller's exit status says so too.
func (r Report) Publish(dir string, w io.Writer) error {
	path, err := r.WriteJSON(dir)
	if err != nil {
		return err
	}
	r.WriteText(w)
	fmt.Fprintf(w, "report: %s\n", path)
	if r.Any() {
		return fmt.Errorf("%w in %s: %d resource(s), see %s", ErrDrift, r.Environment, len(r.Drifted), path)
	}
	return nil
}
