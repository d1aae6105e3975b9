package awstype

import (
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/iampolicy/validity"
	"github.com/acmepay/platform/pkg/profile"
)

// The functions and the IAM every layer's roles are made of.
const (
	Function             = "aws:lambda/function:Function"
	Role                 = "aws:iam/role:Role"
	RolePolicy           = "aws:iam/rolePolicy:RolePolicy"
	Policy               = "aws:iam/policy:Policy"
	RolePolicyAttachment = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	// OpenIDConnectProvider is the bootstrap's trust of GitHub's tokens.
	OpenIDConnectProvider = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
)

func init() {
	register(
		Type{Token: Function, IDIsName: true,
			ARN:     func(s iampolicy.Scope, r Named) string { return s.Function(r.Name) },
			Summary: []string{"runtime", "architectures", "memorySize", "timeout", "tracingConfig.mode"},
			Find:    &Finder{TagFilter: "lambda:function", ID: AfterColon, ByName: GetFunction},
			Settings: []Setting{
				setting(".*", "memorySize", profile.KeyFunctionMemoryMB),
				setting(".*", "timeout", profile.KeyFunctionTimeout),
				setting(".*", "reservedConcurrentExecutions", profile.KeyReservedConcurrency),
			},
		},
		Type{Token: Role, IDIsName: true, ARN: func(s iampolicy.Scope, r Named) string { return s.RoleAt(r.Input("path"), r.Name) },
			Document: &Document{"assumeRolePolicy", validity.TrustPolicy},
			Summary:  []string{"permissionsBoundary"}, NoCharge: "IAM has no charge",
			Unfindable: "the layers give roles no Name tag; a role's create is one quick call, settled by hand after a kill"},
		Type{Token: RolePolicy, Untaggable: true, Immutable: []string{"role"}, Document: &Document{"policy", validity.InlinePolicy},
			NoCharge: "IAM has no charge"},
		// The bootstrap's.
		Type{Token: Policy, ARN: func(s iampolicy.Scope, r Named) string { return s.Policy(r.Name) },
			Document: &Document{"policy", validity.ManagedPolicy}, NoCharge: "IAM has no charge",
			Unfindable: "the bootstrap's, which recovery does not settle"},
		Type{Token: RolePolicyAttachment, Untaggable: true, NoCharge: "IAM has no charge"},
		Type{Token: OpenIDConnectProvider, Immutable: []string{"url"}, NoCharge: "IAM has no charge",
			Unfindable: "the bootstrap's, which recovery does not settle"},
	)
}
