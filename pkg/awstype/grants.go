package awstype

import (
	"fmt"
	"slices"
	"sort"

	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/workload"
)

// Grantee is what the deployer's grants on the layers' resources are
// written from: the environment they reach (for the review role, every
// review environment: Env is then a pattern).
type Grantee struct {
	// Workload names the environment's resources and their account and
	// region.
	Workload workload.Environment
	// Env and Suffix end every name of the environment.
	Env, Suffix string
	// LayerRoles matches the roles the layers create; Boundary is the
	// permissions boundary each must carry.
	LayerRoles, Boundary string
	// OwnTags holds a request to resources tagged for this environment;
	// CreateTagged, a create to one tagged for it, in its region.
	OwnTags, CreateTagged iampolicy.Condition
}

// Named is the ARN of a resource of this environment, from a format with
// the environment and suffix as its two verbs.
func (g Grantee) Named(service, resourceFormat string) string {
	s := g.Workload.Scope
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, s.Region, s.Account, fmt.Sprintf(resourceFormat, g.Env, g.Suffix))
}

// InRegion holds a request to the environment's region.
func (g Grantee) InRegion() iampolicy.Condition {
	return iampolicy.Condition{"StringEquals": {"aws:RequestedRegion": {g.Workload.Scope.Region}}}
}

// Grants are the statements a service's file grants the deployer on its
// types' resources, written beside the calls they allow.
type Grants func(g Grantee) []iampolicy.Statement

// ordered keeps what the service files register in the order they give
// it, which is its order in a document (a changed order is a changed
// document).
type ordered[T any] struct {
	items []T
	order []int
}

func (o *ordered[T]) add(order int, v T) {
	i := sort.SearchInts(o.order, order+1) // after any of the same order
	o.order = slices.Insert(o.order, i, order)
	o.items = slices.Insert(o.items, i, v)
}

var grants ordered[Grants]

// registerGrants adds a service file's grants at its place in the
// deployer's policy.
func registerGrants(order int, g Grants) { grants.add(order, g) }

// DeployerGrants are the deployer's statements on the layers' resources,
// every service's in its order.
func DeployerGrants(g Grantee) []iampolicy.Statement {
	var out []iampolicy.Statement
	for _, service := range grants.items {
		out = append(out, service(g)...)
	}
	return out
}

// DynamoDBAutoscalingRole is the service-linked role Application Auto
// Scaling creates for DynamoDB, once per account.
func DynamoDBAutoscalingRole(account string) string {
	return fmt.Sprintf("arn:aws:iam::%s:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/*", account)
}

// Ceiling is a service's part of the deployer's permissions boundary: what
// the deployer may ever do with the service, whatever its policy says.
type Ceiling struct {
	// Unnamed are actions allowed anywhere in the region: on resources
	// reached by their tags (KMS keys) or whose IDs the names do not
	// predict (EC2, scaling targets).
	Unnamed []string
	// Named are actions allowed on the resources Resources names for the
	// environment (own is "*-<env>-<suffix>").
	Named     []string
	Resources func(s iampolicy.Scope, own string) []string
}

var ceilings ordered[Ceiling]

// registerCeiling adds a service file's part of the boundary at its place
// in the document.
func registerCeiling(order int, c Ceiling) { ceilings.add(order, c) }

// DeployerCeiling is every service's part of the deployer's boundary: the
// actions allowed anywhere in the region, the actions allowed on the
// environment's named resources (sorted), and those resources.
func DeployerCeiling(s iampolicy.Scope, own string) (unnamed, named, resources []string) {
	for _, c := range ceilings.items {
		unnamed = append(unnamed, c.Unnamed...)
		named = append(named, c.Named...)
		if c.Resources != nil {
			resources = append(resources, c.Resources(s, own)...)
		}
	}
	sort.Strings(named)
	return unnamed, named, resources
}
