// Package inventory records every resource a layer program registers (type,
// logical name, physical name and plain settings) through a stack
// transformation, and exports the list as the layer's "inventory" output. It
// needs no cooperation from components, so nothing a layer creates can be
// missing from it.
package inventory

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unicode"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/contract"
)

// Recorder collects the inventory of one program run.
type Recorder struct {
	mu    sync.Mutex
	items []contract.Item
}

// Register installs a Recorder on the stack. Call it before creating any
// resource.
func Register(ctx *pulumi.Context) (*Recorder, error) {
	r := &Recorder{}
	if err := ctx.RegisterStackTransformation(r.transformation); err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	return r, nil
}

func (r *Recorder) transformation(args *pulumi.ResourceTransformationArgs) *pulumi.ResourceTransformationResult {
	if strings.HasPrefix(args.Type, "pulumi:") {
		return nil // stack references and providers are not resources of ours
	}
	item := contract.Item{Type: args.Type, Name: args.Name}
	item.Physical, item.Settings = describe(args.Type, args.Props)
	r.mu.Lock()
	r.items = append(r.items, item)
	r.mu.Unlock()
	return nil
}

// Items returns the recorded inventory, sorted.
func (r *Recorder) Items() []contract.Item {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := append([]contract.Item(nil), r.items...)
	contract.SortItems(out)
	return out
}

// Export publishes the inventory as the stack's inventory output.
func (r *Recorder) Export(ctx *pulumi.Context) {
	items := r.Items()
	arr := make(pulumi.Array, 0, len(items))
	for _, it := range items {
		m := pulumi.Map{"type": pulumi.String(it.Type), "name": pulumi.String(it.Name)}
		if it.Physical != "" {
			m["physicalName"] = pulumi.String(it.Physical)
		}
		if len(it.Settings) > 0 {
			settings := pulumi.StringMap{}
			for k, v := range it.Settings {
				settings[k] = pulumi.String(v)
			}
			m["settings"] = settings
		}
		arr = append(arr, m)
	}
	ctx.Export(contract.KeyInventory, arr)
}

// Documents and tags are recorded in state and the manifest; the inventory
// keeps to short settings a reader scans.
var skipped = map[string]bool{"Tags": true, "Policy": true, "AssumeRolePolicy": true, "DashboardBody": true}

// describe reads the plain (already known) values of an argument struct.
func describe(typ string, props pulumi.Input) (string, map[string]string) {
	v := reflect.ValueOf(props)
	if !v.IsValid() || v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return "", nil
	}
	s := v.Elem()
	settings := map[string]string{}
	for i := 0; i < s.NumField(); i++ {
		f := s.Type().Field(i)
		if !f.IsExported() || skipped[f.Name] {
			continue
		}
		if text, ok := plain(s.Field(i)); ok {
			settings[lowerFirst(f.Name)] = text
		}
	}
	known := map[string]any{}
	for k, v := range settings {
		known[k] = v
	}
	if f := s.FieldByName("Tags"); f.IsValid() {
		if tags, ok := f.Interface().(pulumi.StringMap); ok {
			if n, ok := tags["Name"].(pulumi.String); ok {
				known["tags"] = map[string]any{"Name": string(n)}
			}
		}
	}
	physical := awstype.Physical(typ, known)
	if len(settings) == 0 {
		settings = nil
	}
	return physical, settings
}

// plain renders scalar inputs and lists of scalars; outputs and nested
// structures are not known at registration and are skipped.
func plain(f reflect.Value) (string, bool) {
	if f.Kind() == reflect.Interface {
		if f.IsNil() {
			return "", false
		}
		f = f.Elem()
	}
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return "", false
		}
		f = f.Elem()
	}
	switch f.Kind() {
	case reflect.String:
		return f.String(), true
	case reflect.Bool:
		return fmt.Sprint(f.Bool()), true
	case reflect.Int, reflect.Int32, reflect.Int64:
		return fmt.Sprint(f.Int()), true
	case reflect.Float64:
		return fmt.Sprint(f.Float()), true
	case reflect.Slice:
		parts := make([]string, 0, f.Len())
		for i := 0; i < f.Len(); i++ {
			p, ok := plain(f.Index(i))
			if !ok {
				return "", false
			}
			parts = append(parts, p)
		}
		return strings.Join(parts, ","), true
	}
	return "", false
}

func lowerFirst(s string) string {
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}
