package bootstrapiam

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/tagging"
)

// EC2 authorises each call on every resource it touches (the Service
// Authorization Reference, "Actions defined by Amazon EC2", lists them per
// action). A resource the call creates carries only request tags
// (aws:RequestTag); every resource it touches that exists already carries
// its own (aws:ResourceTag). The network guardrails deny:
//   - a create whose request does not tag the new resource for this project
//     and environment (every network resource the layers create is tagged at
//     creation by the provider, through TagSpecifications);
//   - any change to an existing network resource not tagged for this project
//     and environment: another team's VPC, its security groups, routes and
//     flow logs.
//
// What cannot be conditioned this way is listed in UnconditionedEC2.

// EC2Call is one EC2 call the network layer makes: the resource type it
// creates, if any, and the existing resource types it touches (from the
// Service Authorization Reference, "Actions defined by Amazon EC2", and the
// calls the AWS provider makes for each resource).
type EC2Call struct {
	Action  string
	Creates string
	Touches []string
}

// EC2Calls is that table.
var EC2Calls = []EC2Call{
	{"ec2:CreateVpc", "vpc", nil},
	{"ec2:ModifyVpcAttribute", "", []string{"vpc"}},
	{"ec2:DeleteVpc", "", []string{"vpc"}},
	{"ec2:CreateSubnet", "subnet", []string{"vpc"}},
	{"ec2:ModifySubnetAttribute", "", []string{"subnet"}},
	{"ec2:DeleteSubnet", "", []string{"subnet"}},
	{"ec2:CreateInternetGateway", "internet-gateway", nil},
	{"ec2:AttachInternetGateway", "", []string{"internet-gateway", "vpc"}},
	{"ec2:DetachInternetGateway", "", []string{"internet-gateway", "vpc"}},
	{"ec2:DeleteInternetGateway", "", []string{"internet-gateway"}},
	{"ec2:AllocateAddress", "elastic-ip", nil},
	{"ec2:ReleaseAddress", "", []string{"elastic-ip"}},
	{"ec2:DisassociateAddress", "", []string{"elastic-ip"}},
	{"ec2:CreateNatGateway", "natgateway", []string{"subnet", "elastic-ip"}},
	{"ec2:DeleteNatGateway", "", []string{"natgateway"}},
	{"ec2:CreateRouteTable", "route-table", []string{"vpc"}},
	{"ec2:CreateRoute", "", []string{"route-table"}},
	{"ec2:ReplaceRoute", "", []string{"route-table"}},
	{"ec2:DeleteRoute", "", []string{"route-table"}},
	{"ec2:AssociateRouteTable", "", []string{"route-table", "subnet"}},
	{"ec2:DisassociateRouteTable", "", []string{"route-table"}},
	{"ec2:DeleteRouteTable", "", []string{"route-table"}},
	{"ec2:CreateSecurityGroup", "security-group", []string{"vpc"}},
	{"ec2:AuthorizeSecurityGroupEgress", "", []string{"security-group"}},
	{"ec2:AuthorizeSecurityGroupIngress", "", []string{"security-group"}},
	{"ec2:RevokeSecurityGroupEgress", "", []string{"security-group"}},
	{"ec2:RevokeSecurityGroupIngress", "", []string{"security-group"}},
	{"ec2:DeleteSecurityGroup", "", []string{"security-group"}},
	{"ec2:CreateVpcEndpoint", "vpc-endpoint", []string{"vpc", "route-table"}},
	{"ec2:ModifyVpcEndpoint", "", []string{"vpc-endpoint", "route-table"}},
	{"ec2:DeleteVpcEndpoints", "", []string{"vpc-endpoint"}},
	{"ec2:CreateFlowLogs", "vpc-flow-log", []string{"vpc"}},
	{"ec2:DeleteFlowLogs", "", []string{"vpc-flow-log"}},
	{"ec2:DeleteTags", "", []string{"vpc", "subnet", "internet-gateway", "elastic-ip", "natgateway", "route-table", "security-group", "vpc-endpoint", "vpc-flow-log"}},
}

// UnconditionedEC2 are the EC2 calls the deployer makes that its guardrails
// cannot tie to this environment, with why.
var UnconditionedEC2 = []Unconditioned{
	{"ec2:Describe*", "EC2 authorises every Describe call on \"*\" only; they read configuration and change nothing"},
	{"ec2:CreateTags on an untagged resource", "AWS creates a VPC's default security group untagged; the network layer adopts it and tags it, so a tag request " +
		"must be allowed on a resource without an Environment tag. A resource tagged for another environment or project cannot be re-tagged. " +
		"Each environment has its own account, and everything the pipeline creates is tagged at creation."},
}

// Unconditioned is a call that no condition ties to the environment.
type Unconditioned struct {
	Action, Reason string
}

// NetworkGuardrails are the deployer's deny-only managed policies on EC2,
// one per tag (Environment, Project): from EC2Calls, a create must tag the
// new resource with it, and every existing resource a call touches must
// carry it. StringNotEquals over two keys would deny only when both differ,
// and both tags' statements together would not fit IAM's 6,144 characters,
// hence one policy per tag.
func (a Account) NetworkGuardrails() []iampolicy.Document {
	arn := func(kind string) string {
		return fmt.Sprintf("arn:aws:ec2:*:%s:%s/*", a.Profile.AccountID, kind)
	}
	var creates, created []string
	touching := map[string][]string{} // resource type -> actions
	for _, c := range EC2Calls {
		if c.Creates != "" {
			creates = append(creates, c.Action)
			created = append(created, arn(c.Creates))
		}
		for _, kind := range c.Touches {
			touching[kind] = append(touching[kind], c.Action)
		}
	}
	var docs []iampolicy.Document
	for _, tag := range []struct{ key, value, notEquals string }{{tagging.KeyEnvironment, a.env(), a.notEquals()}, {tagging.KeyProject, tagging.Project, "StringNotEquals"}} {
		var out []iampolicy.Statement
		out = append(out, iampolicy.Statement{
			Sid: "CreateOnlyTagged" + tag.key, Effect: iampolicy.Deny, Action: creates, Resource: created,
			Condition: iampolicy.Condition{tag.notEquals: {"aws:RequestTag/" + tag.key: {tag.value}}},
		})
		var resources []string
		for _, kind := range sortedKeys(touching) {
			resources = append(resources, arn(kind))
		}
		for _, kind := range sortedKeys(touching) {
			out = append(out, iampolicy.Statement{
				Sid: "Touch" + camel(kind) + "OnlyTagged" + tag.key, Effect: iampolicy.Deny, Action: dedupe(touching[kind]), Resource: []string{arn(kind)},
				Condition: iampolicy.Condition{tag.notEquals: {"aws:ResourceTag/" + tag.key: {tag.value}}},
			})
		}
		out = append(out, iampolicy.Statement{
			// A tag may be added to an untagged resource (the default
			// security group), never changed on another's.
			Sid: "RetagOnlyTagged" + tag.key, Effect: iampolicy.Deny, Action: []string{"ec2:CreateTags"}, Resource: resources,
			Condition: iampolicy.Condition{tag.notEquals: {"aws:ResourceTag/" + tag.key: {tag.value}}, "Null": {"aws:ResourceTag/" + tag.key: {"false"}}},
		})
		docs = append(docs, iampolicy.New(out...))
	}
	return docs
}

// NetworkGuardrailNames name NetworkGuardrails' policies, in their order.
var NetworkGuardrailNames = []string{"payments-pipeline-network-guardrail-environment", "payments-pipeline-network-guardrail-project"}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

func dedupe(list []string) []string {
	return slices.Compact(slices.Sorted(slices.Values(list)))
}

// camel turns "route-table" into "RouteTable" for a statement's Sid.
func camel(kind string) string {
	var b strings.Builder
	for _, part := range strings.Split(kind, "-") {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}
