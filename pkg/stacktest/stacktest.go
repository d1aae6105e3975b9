// Package stacktest runs a layer program under Pulumi's mocks with a stack's
// real config file and records every resource it registers, with its inputs
// and options, for table-driven tests of the layers. It stands in for AWS only
// as far as programs need: ids, ARNs and the invokes the layers make.
package stacktest

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/naming"
)

// Options describe one mocked run.
type Options struct {
	Project string
	Stack   string
	// Config holds fully qualified keys, as profile.ReadStackFile returns them.
	Config map[string]string
	// StackOutputs answers StackReferences: fully qualified stack name to its
	// outputs.
	StackOutputs map[string]map[string]any
	// Preview runs the program as `pulumi preview` would.
	Preview bool
	// Zones are the availability zones the region offers; nil means Zones.
	Zones []string
}

// Resource is one registered resource.
type Resource struct {
	Type           string
	Name           string
	Inputs         resource.PropertyMap
	Parent         string
	Protect        bool
	RetainOnDelete bool
	Custom         bool
}

// Result is what a run registered and exported.
type Result struct {
	Resources []Resource
	Exports   map[string]any
}

// Run executes program and returns what it registered.
func Run(program pulumi.RunFunc, opts Options) (*Result, error) {
	m := &monitor{opts: opts}
	res := &Result{Exports: map[string]any{}}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		if err := program(ctx); err != nil {
			return err
		}
		// Exports are awaited here, inside the run, so the result is complete
		// when Run returns; they are kept in the JSON form a StackReference
		// reader sees.
		for key, v := range ctx.GetCurrentExportMap() {
			got, err := internals.UnsafeAwaitOutput(ctx.Context(), pulumi.ToOutput(v))
			if err != nil {
				return fmt.Errorf("stacktest: export %s: %w", key, err)
			}
			if !got.Known {
				continue
			}
			raw, err := json.Marshal(got.Value)
			if err != nil {
				return fmt.Errorf("stacktest: export %s: %w", key, err)
			}
			var plain any
			if err := json.Unmarshal(raw, &plain); err != nil {
				return err
			}
			res.Exports[key] = plain
		}
		return nil
	}, pulumi.WithMocks(opts.Project, opts.Stack, m), func(info *pulumi.RunInfo) {
		info.Config = opts.Config
		info.DryRun = opts.Preview
	})
	res.Resources = m.resources()
	return res, err
}

// ByType returns the resources of one type.
func (r *Result) ByType(typ string) []Resource {
	var out []Resource
	for _, res := range r.Resources {
		if res.Type == typ {
			out = append(out, res)
		}
	}
	return out
}

// One returns the single resource of a type and logical name.
func (r *Result) One(typ, name string) (Resource, error) {
	for _, res := range r.Resources {
		if res.Type == typ && res.Name == name {
			return res, nil
		}
	}
	return Resource{}, fmt.Errorf("no %s named %q", typ, name)
}

// Str reads a string input ("" when absent).
func (r Resource) Str(key string) string {
	v, ok := r.Inputs[resource.PropertyKey(key)]
	if !ok || !v.IsString() {
		return ""
	}
	return v.StringValue()
}

// Tags reads the tags input.
func (r Resource) Tags() map[string]string {
	v, ok := r.Inputs["tags"]
	if !ok || !v.IsObject() {
		return nil
	}
	out := map[string]string{}
	for k, val := range v.ObjectValue() {
		if val.IsString() {
			out[string(k)] = val.StringValue()
		}
	}
	return out
}

// Plain returns the inputs as plain Go values.
func (r Resource) Plain() map[string]any { return r.Inputs.Mappable() }

type monitor struct {
	opts Options
	mu   sync.Mutex
	regs []Resource
}

func (m *monitor) resources() []Resource {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := append([]Resource(nil), m.regs...)
	naming.SortByTypeAndName(out, func(r Resource) (string, string) { return r.Type, r.Name })
	return out
}

func (m *monitor) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	rec := Resource{Type: args.TypeToken, Name: args.Name, Inputs: args.Inputs, Custom: args.Custom}
	if rpc := args.RegisterRPC; rpc != nil {
		rec.Parent = rpc.GetParent()
		rec.Protect = rpc.GetProtect()
		rec.RetainOnDelete = rpc.GetRetainOnDelete()
	}
	m.mu.Lock()
	m.regs = append(m.regs, rec)
	m.mu.Unlock()

	if args.TypeToken == "pulumi:pulumi:StackReference" {
		name := args.Inputs["name"].StringValue()
		outputs, ok := m.opts.StackOutputs[name]
		if !ok {
			outputs = map[string]any{}
		}
		return name, resource.NewPropertyMapFromMap(map[string]any{
			"name": name, "outputs": outputs, "secretOutputNames": []any{},
		}), nil
	}
	id := args.Name + "-id"
	outputs := args.Inputs.Copy()
	outputs["id"] = resource.NewStringProperty(id)
	outputs["arn"] = resource.NewStringProperty(m.arn(args))
	if _, ok := outputs["name"]; !ok {
		outputs["name"] = resource.NewStringProperty(args.Name)
	}
	return id, outputs, nil
}

// arn fakes an ARN in the stack's account so policies built from outputs look
// like the real thing.
func (m *monitor) arn(args pulumi.MockResourceArgs) string {
	service := strings.SplitN(strings.TrimPrefix(args.TypeToken, "aws:"), "/", 2)[0]
	account := "000000000000"
	if raw, ok := m.opts.Config["aws:allowedAccountIds"]; ok {
		account = strings.Trim(raw, `[]" `)
	}
	name := args.Name
	if v, ok := args.Inputs["name"]; ok && v.IsString() {
		name = v.StringValue()
	}
	return fmt.Sprintf("arn:aws:%s:us-east-1:%s:%s", service, account, name)
}

// Zones is what the mocked getAvailabilityZones returns.
var Zones = []string{"us-east-1a", "us-east-1b", "us-east-1c"}

func (m *monitor) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	switch args.Token {
	case awstype.GetAvailabilityZones:
		zones := m.opts.Zones
		if zones == nil {
			zones = Zones
		}
		names := make([]any, len(zones))
		ids := make([]any, len(zones))
		for i, z := range zones {
			names[i] = z
			ids[i] = fmt.Sprintf("use1-az%d", i+1)
		}
		return resource.NewPropertyMapFromMap(map[string]any{"names": names, "zoneIds": ids, "id": "us-east-1"}), nil
	}
	return nil, fmt.Errorf("stacktest: no mock for invoke %s", args.Token)
}

// NetworkOutputs is what a deployed network stack of env exports, for the
// tests of the layers that read it. The key's id is made up; the account is
// the test's to say.
func NetworkOutputs(env, account string) map[string]any {
	return map[string]any{
		"vpcId": "vpc-0abc", "vpcCidr": "10.0.0.0/16",
		"availabilityZones":      []any{"us-east-1a", "us-east-1b"},
		"publicSubnetIds":        []any{"subnet-pub1", "subnet-pub2"},
		"privateSubnetIds":       []any{"subnet-priv1", "subnet-priv2"},
		"privateRouteTableIds":   []any{"rtb-1", "rtb-2"},
		"permissionsBoundaryArn": "arn:aws:iam::" + account + ":policy/permissions-boundary-" + env + "-" + fixture.DevSuffix,
		"environmentKeyArn":      KeyArn(env, account),
		"gatewayPrefixListIds":   []any{"pl-63a5400a", "pl-02cd2c6b"},
	}
}

// KeyArn is the environment key's ARN in NetworkOutputs.
func KeyArn(env, account string) string {
	return "arn:aws:kms:us-east-1:" + account + ":key/" + env + "-0000"
}
