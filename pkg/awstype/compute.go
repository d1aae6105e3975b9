package awstype

import (
	"fmt"

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
	registerCeiling(60, Ceiling{Named: []string{"lambda:*"},
		Resources: func(s iampolicy.Scope, own string) []string { return []string{s.Function(own)} }})
	registerGrants(20, roleGrants)
	registerGrants(60, functionGrants)
	register(computeCalls,
		Type{Token: Function, IDIsName: true,
			ARN:     func(s iampolicy.Scope, r Named) string { return s.Function(r.Name) },
			Summary: []string{"runtime", "architectures", "memorySize", "timeout", "tracingConfig.mode"},
			Find:    &Finder{TagFilter: "lambda:function", ID: AfterColon, ByName: GetFunction},
			Computed: func(s iampolicy.Scope, _ Named, arn string) map[string]string {
				return map[string]string{
					"invokeArn":    "arn:aws:apigateway:" + s.Region + ":lambda:path/2015-03-31/functions/" + arn + "/invocations",
					"qualifiedArn": arn + ":$LATEST",
				}
			},
			Price: functionPrice,
			Settings: []Setting{
				setting(".*", "memorySize", profile.KeyFunctionMemoryMB),
				setting(".*", "timeout", profile.KeyFunctionTimeout),
				setting(".*", "reservedConcurrentExecutions", profile.KeyReservedConcurrency),
			},
			// Reservations take the account's concurrency; Lambda keeps 100
			// of it unreserved.
			Quota: &Quota{Name: "Concurrent executions", Service: "lambda", Code: "L-B99A9384", Default: 1000,
				Takes: reservedConcurrency, Kept: 100,
				Exceeded: "InvalidParameterValueException: Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [%d]"},
		},
		Type{Token: Role, IDIsName: true, ARN: func(s iampolicy.Scope, r Named) string { return s.RoleAt(r.Input("path"), r.Name) },
			Document: &Document{"assumeRolePolicy", validity.TrustPolicy},
			Summary:  []string{"permissionsBoundary"}, NoCharge: "IAM has no charge",
			Unfindable: "the layers give roles no Name tag; a role's create is one quick call, settled by hand after a kill"},
		Type{Token: RolePolicy, Untaggable: true, Immutable: []string{"role"}, Document: &Document{"policy", validity.InlinePolicy},
			NoCharge: "IAM has no charge"},
		// The bootstrap's.
		Type{Token: Policy, ARN: func(s iampolicy.Scope, r Named) string { return s.Policy(r.Name) },
			Document: &Document{"policy", validity.ManagedPolicy}, NoCharge: "IAM has no charge", OutsideTheLayers: true,
			Unfindable: "the bootstrap's, which recovery does not settle"},
		Type{Token: RolePolicyAttachment, Untaggable: true, NoCharge: "IAM has no charge", OutsideTheLayers: true},
		Type{Token: OpenIDConnectProvider, Immutable: []string{"url"}, NoCharge: "IAM has no charge", OutsideTheLayers: true,
			Unfindable: "the bootstrap's, which recovery does not settle"},
	)
}

// functionPrice: compute (GB-seconds of the function's architecture) and
// requests for every payment, and a trace for each when tracing is active.
func functionPrice(r Priced) []Charge {
	u := r.Usage()
	gbSeconds := u.PaymentsPerMonth * u.AvgDurationMs / 1000 * number(r.Get("memorySize")) / 1024
	arch := "arm64"
	if a := list(r.Get("architectures")); len(a) == 1 {
		arch = fmt.Sprint(a[0])
	}
	priceID := LambdaArm64GBSecond
	if arch != "arm64" {
		priceID = LambdaX86GBSecond
	}
	out := []Charge{perUse("GB-seconds ("+arch+")", priceID, gbSeconds), perUse("requests", "lambda-request", u.PaymentsPerMonth)}
	if mode, _ := r.Get("tracingConfig.mode").(string); mode == "Active" {
		out = append(out, perUse("X-Ray traces", "xray-trace", u.PaymentsPerMonth))
	}
	return out
}

// The prices of a function's compute on each architecture: the estimate
// compares the two.
const (
	LambdaArm64GBSecond = "lambda-arm64-gb-second"
	LambdaX86GBSecond   = "lambda-x86-gb-second"
)

// computeCalls are the API calls the provider makes for each operation on
// this file's types, as IAM authorizes them (see Operations).
var computeCalls = map[string]Operations{
	Role: {
		Create: join(withContext(calls(self, "iam:CreateRole", "iam:TagRole"), roleBoundary), calls(self, "iam:GetRole")),
		Read:   calls(self, "iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"),
		Update: join(calls(self, "iam:UpdateAssumeRolePolicy", "iam:UpdateRole", "iam:TagRole", "iam:UntagRole"),
			withContext(calls(self, "iam:PutRolePermissionsBoundary"), roleBoundary)),
		Delete: calls(self, "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole", "iam:DeleteRole"),
	},
	// No layer creates a managed policy: the row is here so that one that
	// tried (say, a new workload boundary) is judged like any other call.
	Policy: {
		Create: calls(self, "iam:CreatePolicy", "iam:TagPolicy", "iam:GetPolicy", "iam:GetPolicyVersion"),
		Read:   calls(self, "iam:GetPolicy", "iam:GetPolicyVersion"),
		Update: calls(self, "iam:CreatePolicyVersion", "iam:ListPolicyVersions", "iam:DeletePolicyVersion"),
		Delete: calls(self, "iam:ListPolicyVersions", "iam:DeletePolicy"),
	},
	RolePolicy: {
		Create: join(withContext(calls(ref("role"), "iam:PutRolePolicy"), roleBoundary), calls(ref("role"), "iam:GetRolePolicy")),
		Read:   calls(ref("role"), "iam:GetRolePolicy"),
		Update: withContext(calls(ref("role"), "iam:PutRolePolicy"), roleBoundary),
		Delete: withContext(calls(ref("role"), "iam:DeleteRolePolicy"), roleBoundary),
	},
	Function: {
		// Lambda checks that the caller may pass the role and describe the
		// VPC the function joins.
		// It waits for the function to become active (GetFunctionConfiguration).
		Create: join(calls(self, "lambda:CreateFunction", "lambda:TagResource", "lambda:GetFunctionConfiguration", "lambda:PutFunctionConcurrency",
			"lambda:GetFunction", "lambda:ListVersionsByFunction", "lambda:GetFunctionCodeSigningConfig"),
			withContext(calls(ref("role"), "iam:PassRole"), passRoleTo("lambda.amazonaws.com")),
			calls(star, "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs")),
		Read: calls(self, "lambda:GetFunction", "lambda:ListVersionsByFunction", "lambda:GetFunctionCodeSigningConfig", "lambda:GetFunctionConcurrency"),
		Update: join(calls(self, "lambda:UpdateFunctionConfiguration", "lambda:UpdateFunctionCode", "lambda:GetFunctionConfiguration",
			"lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency", "lambda:TagResource", "lambda:UntagResource", "lambda:GetFunction"),
			withContext(calls(ref("role"), "iam:PassRole"), passRoleTo("lambda.amazonaws.com"))),
		Delete: calls(self, "lambda:DeleteFunction"),
	},
}

// roleGrants are the deployer's grants on the layers' roles.
func roleGrants(g Grantee) []iampolicy.Statement {
	roles, boundary := g.LayerRoles, g.Boundary
	return []iampolicy.Statement{
		{
			// Every role the stacks create or change must carry the boundary.
			Sid: "RolesOnlyWithTheBoundary", Effect: "Allow", Resource: []string{roles},
			Action:    []string{"iam:CreateRole", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy"},
			Condition: iampolicy.Condition{"StringEquals": {"iam:PermissionsBoundary": {boundary}}},
		},
		{
			Sid: "RoleLifecycle", Effect: "Allow", Resource: []string{roles},
			Action: []string{
				"iam:DeleteRole", "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies",
				"iam:ListInstanceProfilesForRole", "iam:ListRolePolicies", "iam:TagRole", "iam:UntagRole",
				"iam:UpdateAssumeRolePolicy", "iam:UpdateRole",
			},
		},
		{
			Sid: "PassRolesToTheirServicesOnly", Effect: "Allow", Resource: []string{roles}, Action: []string{"iam:PassRole"},
			Condition: iampolicy.Condition{"StringEquals": {"iam:PassedToService": {"lambda.amazonaws.com"}}},
		},
		{
			Sid: "PassFlowLogRole", Effect: "Allow", Action: []string{"iam:PassRole"},
			Resource:  []string{g.Workload.RoleArn(g.Workload.FlowLogRole())},
			Condition: iampolicy.Condition{"StringEquals": {"iam:PassedToService": {"vpc-flow-logs.amazonaws.com"}}},
		},
		{
			Sid: "AutoscalingServiceRole", Effect: "Allow", Action: []string{"iam:CreateServiceLinkedRole"},
			Resource:  []string{DynamoDBAutoscalingRole(g.Workload.Scope.Account)},
			Condition: iampolicy.Condition{"StringEquals": {"iam:AWSServiceName": {"dynamodb.application-autoscaling.amazonaws.com"}}},
		},
	}
}

// functionGrants are the deployer's grants on the functions.
func functionGrants(g Grantee) []iampolicy.Statement {
	named := g.Named
	return []iampolicy.Statement{
		{
			Sid: "Functions", Effect: "Allow", Resource: []string{named("lambda", "function:*-%s-%s")},
			Action: []string{
				"lambda:CreateFunction", "lambda:DeleteFunction", "lambda:GetFunction", "lambda:GetFunctionCodeSigningConfig",
				"lambda:GetFunctionConfiguration", "lambda:ListVersionsByFunction",
				"lambda:TagResource", "lambda:UntagResource", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
				"lambda:DeleteFunctionConcurrency", "lambda:GetFunctionConcurrency", "lambda:PutFunctionConcurrency",
			},
		},
	}
}
