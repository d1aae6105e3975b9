package component

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/naming"
	"github.com/acmepay/platform/pkg/workload"
)

// PermissionsBoundaryArgs configures a PermissionsBoundary.
type PermissionsBoundaryArgs struct {
	Names naming.Namer
	Scope iampolicy.Scope
	// KeyArn is the environment's key, which the workload roles use through
	// DynamoDB and S3.
	KeyArn pulumi.StringInput
	// AuditPrefix is where workload roles may write audit records.
	AuditPrefix string
}

// PermissionsBoundary is the managed policy every workload role of an
// environment carries as its permissions boundary: a ceiling built by
// workload.Boundary from the same values as the roles' own policies.
type PermissionsBoundary struct {
	pulumi.ResourceState

	Arn  pulumi.StringOutput
	Name string
}

// NewPermissionsBoundary creates the environment's boundary policy.
func NewPermissionsBoundary(ctx *pulumi.Context, name string, args PermissionsBoundaryArgs, opts ...pulumi.ResourceOption) (*PermissionsBoundary, error) {
	if args.KeyArn == nil || args.AuditPrefix == "" {
		return nil, fmt.Errorf("%s %s: the environment's key and the audit prefix are required", PermissionsBoundaryToken, name)
	}
	policyName, err := args.Names.Name(naming.IAMPolicy, naming.PermissionsBoundary)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", PermissionsBoundaryToken, name, err)
	}
	c := &PermissionsBoundary{Name: policyName}
	if err := ctx.RegisterComponentResource(PermissionsBoundaryToken, name, c, opts...); err != nil {
		return nil, err
	}
	document := args.KeyArn.ToStringOutput().ApplyT(func(key string) string {
		return workload.Boundary(workload.Environment{Scope: args.Scope, Names: args.Names, KeyArn: key}, args.AuditPrefix).JSON()
	}).(pulumi.StringOutput)
	policy, err := iam.NewPolicy(ctx, name, &iam.PolicyArgs{
		Name: pulumi.String(policyName),
		Description: pulumi.String(fmt.Sprintf("Permissions boundary of every %s workload role: only what the workloads need, "+
			"and never audit reads, data export or deletion, key, log, trail or boundary changes, other regions or accounts", args.Names.Env())),
		Policy: document,
	}, pulumi.Parent(c))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", PermissionsBoundaryToken, name, err)
	}
	c.Arn = policy.Arn
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"arn": policy.Arn}); err != nil {
		return nil, err
	}
	return c, nil
}
