package awsfake

import (
	"slices"
	"strings"

	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/iampolicy"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// module returns the AWS service of a type token (awstype.Vpc -> "ec2").
func module(typ string) string { return awstype.Module(typ) }

// kind returns the resource kind of a type token (awstype.Vpc -> "Vpc").
func kind(typ string) string { return awstype.Kind(typ) }

// idPrefix starts the IDs AWS generates for a type.
func idPrefix(typ string) string {
	if t, ok := awstype.Of(typ); ok && t.IDPrefix != "" {
		return t.IDPrefix
	}
	return strings.ToLower(kind(typ))
}

// nameIsID reports whether AWS identifies a type by its name.
func nameIsID(typ string) bool {
	t, _ := awstype.Of(typ)
	return t.IDIsName
}

// nameKey is the input holding a type's physical name.
func nameKey(typ string) resource.PropertyKey { return resource.PropertyKey(awstype.NameKey(typ)) }

// physicalName is a resource's own name, where it has one.
func physicalName(typ string, inputs resource.PropertyMap) (string, bool) {
	n := awstype.Physical(typ, inputs.Mappable())
	return n, n != ""
}

// immutable reports whether a change of key replaces a resource of typ:
// its name (no AWS resource the layers create can be renamed) and the
// inputs its entry says AWS cannot change in place.
func immutable(typ string, key resource.PropertyKey) bool {
	if key == nameKey(typ) {
		return true
	}
	t, _ := awstype.Of(typ)
	return slices.Contains(t.Immutable, string(key))
}

// previewOutputs are a preview's: before creation, computed values are
// unknown, as with the real provider.
func previewOutputs(inputs resource.PropertyMap) resource.PropertyMap {
	out := inputs.Copy()
	out["arn"] = resource.MakeComputed(resource.NewStringProperty(""))
	out["id"] = resource.MakeComputed(resource.NewStringProperty(""))
	return out
}

// outputs are the inputs plus what AWS computes: id, ARN, and the names and
// identifiers programs read back.
func (c *Cloud) outputs(typ, id string, inputs resource.PropertyMap) resource.PropertyMap {
	out := inputs.Copy()
	name, _ := physicalName(typ, inputs)
	if name == "" {
		name = id
	}
	out["id"] = resource.NewStringProperty(id)
	out["arn"] = resource.NewStringProperty(c.arn(typ, id, name, inputs))
	if _, ok := out["name"]; !ok {
		out["name"] = resource.NewStringProperty(name)
	}
	if tags, ok := inputs["tags"]; ok {
		out["tagsAll"] = tags
	}
	t, _ := awstype.Of(typ)
	if t.Computed != nil {
		for k, v := range t.Computed(iampolicy.Scope{Region: c.Region, Account: c.Account}, c.named(id, name, inputs), out["arn"].StringValue()) {
			out[resource.PropertyKey(k)] = resource.NewStringProperty(v)
		}
	}
	if t.IDIsARN {
		out["id"] = out["arn"]
	}
	return out
}

func (c *Cloud) arn(typ, id, name string, inputs resource.PropertyMap) string {
	s := iampolicy.Scope{Region: c.Region, Account: c.Account}
	t, _ := awstype.Of(typ)
	if t.ARN != nil {
		return t.ARN(s, c.named(id, name, inputs))
	}
	if t.ARNResource != "" {
		return s.Resource(module(typ), t.ARNResource, id)
	}
	return s.Resource(module(typ), strings.ToLower(kind(typ)), id)
}

// named is what the registry builds a resource's ARN and computed outputs
// from.
func (c *Cloud) named(id, name string, inputs resource.PropertyMap) awstype.Named {
	return awstype.Named{ID: id, Name: name, Input: func(key string) string { return input(inputs, key) }}
}
