package component

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/naming"
	"github.com/acmepay/platform/pkg/profile"
)

// EscalationActions are the IAM actions by which a role could widen its own
// or another principal's permissions; the boundary denies all of them.
var EscalationActions = []string{
	"iam:AddUserToGroup",
	"iam:AttachGroupPolicy",
	"iam:AttachRolePolicy",
	"iam:AttachUserPolicy",
	"iam:CreateAccessKey",
	"iam:CreateLoginProfile",
	"iam:CreatePolicyVersion",
	"iam:CreateRole",
	"iam:CreateUser",
	"iam:DeleteRolePermissionsBoundary",
	"iam:DeleteUserPermissionsBoundary",
	"iam:PassRole",
	"iam:PutGroupPolicy",
	"iam:PutRolePermissionsBoundary",
	"iam:PutRolePolicy",
	"iam:PutUserPermissionsBoundary",
	"iam:PutUserPolicy",
	"iam:SetDefaultPolicyVersion",
	"iam:UpdateAssumeRolePolicy",
	"iam:UpdateLoginProfile",
}

// BoundaryDocument is the permissions boundary of an environment. A boundary
// only caps what identity policies grant, so it allows everything and then
// denies what no role of this environment may ever do: touch another
// account's resources, touch resources named for another environment, or
// escalate privileges. The Allow * is the documented exception to the
// no-wildcard rule: it grants nothing by itself.
func BoundaryDocument(p profile.Profile) iampolicy.Document {
	var others []string
	for _, env := range p.OtherEnvironments() {
		others = append(others, iampolicy.NamedFor(string(env)))
	}
	return iampolicy.New(
		iampolicy.Statement{Sid: "CeilingForIdentityPolicies", Effect: "Allow", Action: []string{"*"}, Resource: []string{"*"}},
		iampolicy.Statement{
			Sid: "DenyOtherAccounts", Effect: "Deny", Action: []string{"*"}, Resource: []string{"*"},
			// IfExists: services whose requests carry no resource account
			// (X-Ray, ENI management) must keep working.
			Condition: map[string]map[string]string{"StringNotEqualsIfExists": {"aws:ResourceAccount": p.AccountID}},
		},
		iampolicy.Statement{Sid: "DenyOtherEnvironments", Effect: "Deny", Action: []string{"*"}, Resource: others},
		iampolicy.Statement{Sid: "DenyPrivilegeEscalation", Effect: "Deny", Action: EscalationActions, Resource: []string{"*"}},
	)
}

// PermissionsBoundary is the managed policy every role of an environment
// carries as its permissions boundary.
type PermissionsBoundary struct {
	pulumi.ResourceState

	Arn  pulumi.StringOutput
	Name string
}

// NewPermissionsBoundary creates the environment's boundary policy.
func NewPermissionsBoundary(ctx *pulumi.Context, name string, p profile.Profile, names naming.Namer, opts ...pulumi.ResourceOption) (*PermissionsBoundary, error) {
	policyName, err := names.Name(naming.IAMPolicy, "permissions-boundary")
	if err != nil {
		return nil, fmt.Errorf("network: permissions boundary: %w", err)
	}
	c := &PermissionsBoundary{Name: policyName}
	if err := ctx.RegisterComponentResource("payments:network:PermissionsBoundary", name, c, opts...); err != nil {
		return nil, err
	}
	policy, err := iam.NewPolicy(ctx, name, &iam.PolicyArgs{
		Name:        pulumi.String(policyName),
		Description: pulumi.String(fmt.Sprintf("Permissions boundary of every %s role: own account, own environment, no privilege escalation", p.Environment)),
		Policy:      pulumi.String(BoundaryDocument(p).JSON()),
	}, pulumi.Parent(c))
	if err != nil {
		return nil, fmt.Errorf("network: permissions boundary: %w", err)
	}
	c.Arn = policy.Arn
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"arn": policy.Arn}); err != nil {
		return nil, err
	}
	return c, nil
}
