// Package contract is the one place that names every output crossing a
// StackReference between the four layers. Producers export through the
// *Exports types, consumers read through the Read* functions, and neither
// spells an output key itself, so renaming an output is a compile error in
// every layer rather than a nil at deploy time.
package contract

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/pkg/naming"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stage"
)

// Layer (Pulumi project) names, in dependency order: the layers the
// settings table assigns settings to.
const (
	LayerNetwork       = profile.LayerNetwork
	LayerData          = profile.LayerData
	LayerCompute       = profile.LayerCompute
	LayerObservability = profile.LayerObservability
)

// Layers lists the layers in deployment order (profile.Layers, where the
// settings table assigns each setting to one).
func Layers() []string {
	return profile.Layers()
}

// DependsOn lists, for each layer, the layers whose outputs it reads: the
// network layer holds the environment's key and boundary, which every other
// layer uses.
func DependsOn(layer string) []string {
	switch layer {
	case LayerData:
		return []string{LayerNetwork}
	case LayerCompute:
		return []string{LayerNetwork, LayerData}
	case LayerObservability:
		return []string{LayerNetwork, LayerData, LayerCompute}
	}
	return nil
}

// Read lists the outputs of upstream that reader reads: the keys its
// Read<Upstream>For<Reader> function decodes. A change to any other output
// of upstream (the inventory, what only the manifest or another layer
// reads) leaves reader's plan as it is; a change to one of these means it
// must be planned again. (internal/reference checks these lists against
// the decode calls, and that each layer calls only its own readers.)
func Read(reader, upstream string) []string {
	switch reader + "<" + upstream {
	case LayerData + "<" + LayerNetwork, LayerObservability + "<" + LayerNetwork:
		return []string{KeyEnvironmentKeyArn}
	case LayerCompute + "<" + LayerNetwork:
		return []string{KeyVpcID, KeyPrivateSubnetIDs, KeyPermissionsBoundary, KeyEnvironmentKeyArn, KeyGatewayPrefixLists}
	case LayerCompute + "<" + LayerData:
		return []string{KeyTableName, KeyAuditBucketName, KeyAuditPrefix}
	case LayerObservability + "<" + LayerData:
		return []string{KeyTableName}
	case LayerObservability + "<" + LayerCompute:
		return []string{KeyFunctions}
	}
	return nil
}

// KeyInventory is exported by every layer: the resources it created.
const KeyInventory = "inventory"

// Network layer outputs.
const (
	KeyVpcID                 = "vpcId"
	KeyVpcCIDR               = "vpcCidr"
	KeyAvailabilityZones     = "availabilityZones"
	KeyPublicSubnetIDs       = "publicSubnetIds"
	KeyPrivateSubnetIDs      = "privateSubnetIds"
	KeyPrivateRouteTableIDs  = "privateRouteTableIds"
	KeyPermissionsBoundary   = "permissionsBoundaryArn"
	KeyEnvironmentKeyArn     = "environmentKeyArn"
	KeyFlowLogGroupName      = "flowLogGroupName"
	KeyDefaultSecurityGroup  = "defaultSecurityGroupId"
	KeyGatewayEndpointS3     = "s3EndpointId"
	KeyGatewayEndpointDynamo = "dynamodbEndpointId"
	KeyGatewayPrefixLists    = "gatewayPrefixListIds"
)

// Data layer outputs.
const (
	KeyTableName       = "tableName"
	KeyTableArn        = "tableArn"
	KeyTableIndexName  = "tableMerchantIndexName"
	KeyAuditBucketName = "auditBucketName"
	KeyAuditBucketArn  = "auditBucketArn"
	KeyAuditPrefix     = "auditPrefix"
)

// Compute layer outputs.
const (
	KeyFunctions = "functions"
)

// Observability layer outputs.
const (
	KeyAlarmTopicArn = "alarmTopicArn"
	KeyDashboardName = "dashboardName"
	KeyAlarmNames    = "alarmNames"
)

// StackName is the fully qualified name of a layer's stack for the same
// environment: organization/project/stack. On the file backend the
// organization is the literal "organization".
func StackName(ctx *pulumi.Context, layer string) string {
	return fmt.Sprintf("%s/%s/%s", ctx.Organization(), layer, ctx.Stack())
}

// reference reads named outputs of another layer's stack and remembers the
// first problem, so a program fails with one message naming the stack and the
// missing output.
type reference struct {
	stack string
	ref   *pulumi.StackReference
	err   error
}

func newReference(ctx *pulumi.Context, layer string, opts ...pulumi.ResourceOption) *reference {
	name := StackName(ctx, layer)
	r := &reference{stack: name}
	ref, err := pulumi.NewStackReference(ctx, name, &pulumi.StackReferenceArgs{Name: pulumi.String(name)}, opts...)
	if err != nil {
		r.err = fmt.Errorf("contract: reference to stack %s: %w", name, err)
		return r
	}
	r.ref = ref
	return r
}

// decode reads output key into dst (a pointer to a Go value the JSON form of
// the output can be decoded into).
func (r *reference) decode(key string, dst any) {
	if r.err != nil {
		return
	}
	details, err := r.ref.GetOutputDetails(key)
	if err != nil {
		r.err = fmt.Errorf("contract: stack %s: reading output %q: %w", r.stack, key, err)
		return
	}
	v := details.Value
	if v == nil {
		v = details.SecretValue
	}
	if v == nil {
		r.err = fmt.Errorf("contract: stack %s has no output %q: deploy that layer first (or check it exports %q)", r.stack, key, key)
		return
	}
	raw, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(raw, dst)
	}
	if err != nil {
		r.err = fmt.Errorf("contract: stack %s output %q = %v: %w", r.stack, key, v, err)
	}
}

// required reads output key into dst, a *string or a *[]string, none of
// whose strings may be empty: a layer reads no output it can do without.
func (r *reference) required(key string, dst any) {
	r.decode(key, dst)
	switch v := dst.(type) {
	case *string:
		r.nonEmpty(key, *v)
	case *[]string:
		r.nonEmpty(key, *v...)
	default:
		panic(fmt.Sprintf("contract: required(%q): a %T is neither a *string nor a *[]string", key, dst))
	}
}

func (r *reference) nonEmpty(key string, values ...string) {
	if r.err != nil {
		return
	}
	for _, v := range values {
		if strings.TrimSpace(v) == "" {
			r.err = fmt.Errorf("contract: stack %s output %q is empty", r.stack, key)
			return
		}
	}
}

// Item is one entry of a layer's inventory output.
type Item struct {
	Type     string            `json:"type"`
	Name     string            `json:"name"`
	Physical string            `json:"physicalName,omitempty"`
	Settings map[string]string `json:"settings,omitempty"`
}

// SortItems orders an inventory deterministically.
func SortItems(items []Item) {
	naming.SortByTypeAndName(items, func(i Item) (string, string) { return i.Type, i.Name })
}

// Graph is the platform's layer graph, in deployment order: the layers,
// the layers each one reads (DependsOn) and what it reads of each (Read).
func Graph() []stage.Layer {
	return stage.NewGraph(Layers(), DependsOn, Read)
}
