// Package tagging puts the platform's required tags on every taggable AWS
// resource of a stack through one stack transformation, so no resource can be
// forgotten and the tags are visible in each resource's own "tags" input (and so
// in tests, in state and in the manifest).
package tagging

import (
	"fmt"
	"reflect"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Tag keys required on every taggable resource.
const (
	KeyEnvironment        = "Environment"
	KeyCostCenter         = "CostCenter"
	KeyDataClassification = "DataClassification"
	KeyProject            = "Project"
	KeyLayer              = "Layer"
	KeyManagedBy          = "ManagedBy"
	KeyName               = "Name"
	// KeyExpires is on every resource of a review environment: the time
	// (RFC 3339, UTC) after which review:sweep destroys it.
	KeyExpires = "Expires"

	// ManagedByPulumi is the value of ManagedBy on everything this code creates.
	ManagedByPulumi = "pulumi"
	// Project is the value of the Project tag.
	Project = "payments-platform"
)

// Required lists the keys every taggable resource must carry, sorted.
func Required() []string {
	keys := []string{KeyEnvironment, KeyCostCenter, KeyDataClassification, KeyProject, KeyLayer, KeyManagedBy}
	sort.Strings(keys)
	return keys
}

// Standard is the set of values of the required tags in one stack.
type Standard struct {
	Environment        string
	CostCenter         string
	DataClassification string
	Layer              string
	// Expires is a review environment's expiry, empty elsewhere.
	Expires string
}

// Map returns the required tags as a plain map, and the expiry where there
// is one.
func (s Standard) Map() map[string]string {
	m := map[string]string{
		KeyEnvironment:        s.Environment,
		KeyCostCenter:         s.CostCenter,
		KeyDataClassification: s.DataClassification,
		KeyProject:            Project,
		KeyLayer:              s.Layer,
		KeyManagedBy:          ManagedByPulumi,
	}
	if s.Expires != "" {
		m[KeyExpires] = s.Expires
	}
	return m
}

// Register installs the stack transformation. Call it before creating any
// resource: transformations apply to resources registered after them, and
// children of components inherit them through their parents.
func Register(ctx *pulumi.Context, s Standard) error {
	if err := ctx.RegisterStackTransformation(Transformation(s)); err != nil {
		return fmt.Errorf("tagging: %w", err)
	}
	return nil
}

// Transformation returns the transformation Register installs. A resource is
// taggable when its arguments have a Tags field of type StringMapInput, as
// every taggable resource of the AWS provider does. The required tags win over
// a resource's own tags of the same key; other keys (Name) are kept.
func Transformation(s Standard) pulumi.ResourceTransformation {
	required := s.Map()
	return func(args *pulumi.ResourceTransformationArgs) *pulumi.ResourceTransformationResult {
		field, ok := tagsField(args.Props)
		if !ok {
			return nil
		}
		field.Set(reflect.ValueOf(merge(field.Interface(), required)))
		return &pulumi.ResourceTransformationResult{Props: args.Props, Opts: args.Opts}
	}
}

var stringMapInput = reflect.TypeOf((*pulumi.StringMapInput)(nil)).Elem()

// tagsField finds the settable Tags field of a resource's argument struct.
func tagsField(props pulumi.Input) (reflect.Value, bool) {
	v := reflect.ValueOf(props)
	if !v.IsValid() || v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return reflect.Value{}, false
	}
	f := v.Elem().FieldByName("Tags")
	if !f.IsValid() || !f.CanSet() || f.Type() != stringMapInput {
		return reflect.Value{}, false
	}
	return f, true
}

// merge keeps plain maps plain, so the tags stay readable in previews; an
// output-valued map is merged once it resolves.
func merge(existing any, required map[string]string) pulumi.StringMapInput {
	switch own := existing.(type) {
	case nil:
		return toStringMap(required)
	case pulumi.StringMap:
		out := pulumi.StringMap{}
		for k, v := range own {
			out[k] = v
		}
		for k, v := range required {
			out[k] = pulumi.String(v)
		}
		return out
	default:
		return existing.(pulumi.StringMapInput).ToStringMapOutput().ApplyT(func(m map[string]string) map[string]string {
			out := make(map[string]string, len(m)+len(required))
			for k, v := range m {
				out[k] = v
			}
			for k, v := range required {
				out[k] = v
			}
			return out
		}).(pulumi.StringMapOutput)
	}
}

func toStringMap(m map[string]string) pulumi.StringMap {
	out := pulumi.StringMap{}
	for k, v := range m {
		out[k] = pulumi.String(v)
	}
	return out
}
