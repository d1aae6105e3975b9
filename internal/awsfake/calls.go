package awsfake

import (
	"slices"
	"sort"
	"strings"

	"github.com/acmepay/platform/pkg/awstype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The stand-in fakes resource operations, not AWS API calls. This table
// says which API calls the AWS provider makes for each operation on each
// resource type the platform creates, as IAM authorizes them: the action,
// the resource it is authorized on, and the condition keys AWS documents for
// it. When the stand-in is told who calls (CallAs), it evaluates every call
// of an operation against that role's live policies and boundary and the
// resource's own policy, and refuses the operation at the first call IAM
// would deny, naming the role, the action and the resource.
//
// Sources: the Service Authorization Reference ("Actions, resources, and
// condition keys for <service>": which resource types each action is
// authorized on, and which condition keys it takes), and the AWS provider's
// resource implementations (terraform-provider-aws, internal/service/<service>/
// <resource>.go: which calls a create, read, update and delete make; tags at
// creation are request tags, later tag changes are Tag/Untag calls). The
// live AWS tier is where the table meets reality: the calls CloudTrail
// records during a live deploy must all be rows here (skipped without an
// account).

// Op is what the provider does to a resource.
type Op string

// The operations.
const (
	OpCreate Op = "create"
	OpRead   Op = "read"
	OpUpdate Op = "update"
	OpDelete Op = "delete"
	// OpInvoke is a data source's call (Invokes), by its token.
	OpInvoke Op = "invoke"
)

// Calls is the table, by resource type: the operations of each registry
// entry (pkg/awstype), which keeps them beside everything else it knows of
// the type.
var Calls = registryCalls()

// Invokes are the provider's data sources the programs call, with their API
// calls (pkg/awstype; getRegion is answered from the provider's
// configuration).
var Invokes = awstype.Invokes

// Call is one API call as IAM authorizes it (pkg/awstype).
type Call = awstype.Call

// Row is one resource type's calls per operation (pkg/awstype).
type Row = awstype.Operations

// objectsOf stands for a bucket's objects ("<bucket ARN>/*").
const objectsOf = awstype.Objects

// registryCalls gathers the registry's operations, by type.
func registryCalls() map[string]Row {
	out := map[string]Row{}
	for _, t := range awstype.All() {
		if t.Calls.Create != nil || t.Calls.Read != nil {
			out[t.Token] = t.Calls
		}
	}
	return out
}

// contextOf is the condition keys a call carries beyond the region, TLS and
// tags, from the resource's inputs and the live resources it refers to.
func (c *Cloud) contextOf(ctx awstype.Context, in resource.PropertyMap) map[string]string {
	out := map[string]string{}
	if ctx.PassedToService != "" {
		out["iam:PassedToService"] = ctx.PassedToService
	}
	if ctx.GrantForService != "" {
		// A grant an AWS service creates for itself on the caller's behalf.
		out["kms:GrantIsForAWSResource"] = "true"
		out["kms:ViaService"] = ctx.GrantForService + "." + c.Region + ".amazonaws.com"
	}
	if ctx.RoleBoundary {
		// The boundary in the request (CreateRole) or the role's own
		// (PutRolePolicy).
		boundary := input(in, "permissionsBoundary")
		if boundary == "" {
			if role, ok := c.byName(awstype.Role, input(in, "role")); ok {
				boundary = input(role.Inputs, "permissionsBoundary")
			}
		}
		if boundary != "" {
			out["iam:PermissionsBoundary"] = boundary
		}
	}
	return out
}

// callsOf lists the calls of op on a resource of type typ.
// updateCalls are the calls of an update that changes these inputs.
func updateCalls(typ string, olds, news resource.PropertyMap) []Call {
	row := Calls[typ]
	list := row.Update
	for _, key := range sortedKeys(row.UpdateWhen) {
		k := resource.PropertyKey(key)
		if !olds[k].DeepEquals(news[k]) {
			list = append(slices.Clone(list), row.UpdateWhen[key]...)
		}
	}
	return list
}

func sortedKeys(m map[string][]Call) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func callsOf(typ string, op Op) ([]Call, bool) {
	row, ok := Calls[typ]
	if !ok {
		return nil, false
	}
	switch op {
	case OpCreate:
		return row.Create, true
	case OpRead:
		return row.Read, true
	case OpUpdate:
		return row.Update, true
	}
	return row.Delete, true
}

// CallTypes lists the types the table covers, sorted.
func CallTypes() []string {
	out := make([]string, 0, len(Calls))
	for t := range Calls {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// input reads a string input by its path ("serverSideEncryption.kmsKeyArn"),
// through secrets; "" when it is not a string.
func input(in resource.PropertyMap, path string) string {
	v := resource.NewObjectProperty(in)
	for _, key := range strings.Split(path, ".") {
		for v.IsSecret() {
			v = v.SecretValue().Element
		}
		if !v.IsObject() {
			return ""
		}
		v = v.ObjectValue()[resource.PropertyKey(key)]
	}
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	if v.IsString() {
		return v.StringValue()
	}
	return ""
}

// strs reads a string or a list of strings.
func strs(in resource.PropertyMap, path string) []string {
	if s := input(in, path); s != "" {
		return []string{s}
	}
	v, ok := in[resource.PropertyKey(path)]
	if !ok || !v.IsArray() {
		return nil
	}
	var out []string
	for _, e := range v.ArrayValue() {
		if e.IsString() {
			out = append(out, e.StringValue())
		}
	}
	return out
}

// tagsOf reads a resource's tags input.
func tagsOf(in resource.PropertyMap) map[string]string {
	out := map[string]string{}
	v, ok := in["tags"]
	if !ok || !v.IsObject() {
		return out
	}
	for k, t := range v.ObjectValue() {
		if t.IsString() {
			out[string(k)] = t.StringValue()
		}
	}
	return out
}
