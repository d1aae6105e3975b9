package bootstrapiam

import (
	"fmt"
	"slices"

	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/iampolicy/validity"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/tagging"
)

// OutsideTheProvider are the pipeline roles' grants that no AWS provider
// call of a resource or data source uses, each with the reason it is
// granted. (sts:GetCallerIdentity, which the deployment's preflight also
// makes, is the provider's getCallerIdentity too.)
var OutsideTheProvider = map[string]string{
	"ssm:GetParameter":                        "the deployment's preflight reads the account's bootstrap version",
	"lambda:GetAccountSettings":               "the deployment's preflight reads the account's Lambda concurrency quota and what is unreserved",
	"servicequotas:GetServiceQuota":           "the deployment's preflight reads the Elastic IP, VPC and NAT gateway quotas",
	"servicequotas:GetAWSDefaultServiceQuota": "the deployment's preflight reads a quota's AWS default where the account never changed it",
	"kms:Decrypt":                             "S3 decrypts the environment's state objects under the tooling account's state key",
	"s3:GetObject":                            "the state backend reads the environment's state in the tooling account",
	"s3:PutObject":                            "the state backend writes the environment's state, its stack locks and the environment lock",
	"s3:DeleteObject":                         "the state backend releases its locks",
	"kms:GenerateDataKey":                     "S3 encrypts the environment's state objects under the tooling account's state key",
	"tag:GetResources": "the review role's review:sweep lists what carries a review environment's tags with no stack left (recover:env's finder uses " +
		"it with the caller's credentials, outside the pipeline)",
	"iam:CreateServiceLinkedRole": "Application Auto Scaling creates its DynamoDB service-linked role on the account's first scalable target, " +
		"once per account; the stand-in does not model it",
}

// ServiceQuota is one quota of the account, by Service Quotas' service and
// quota code.
type ServiceQuota struct{ Service, Code string }

// The quotas the deployment's preflight reads (besides Lambda's concurrency,
// which lambda:GetAccountSettings answers): a deployment they would stop
// half-way is refused before any layer runs.
var (
	QuotaEIPs      = ServiceQuota{"ec2", "L-0263D0A3"} // EC2-VPC Elastic IPs
	QuotaVPCs      = ServiceQuota{"vpc", "L-F678F1CE"} // VPCs per Region
	QuotaNATsPerAZ = ServiceQuota{"vpc", "L-FE5A380F"} // NAT gateways per Availability Zone
)

// quotaReads are the preflight's quota reads, granted to both pipeline
// roles (a preview runs the same preflight). A quota is configuration, not
// data; one statement keeps the break-glass policy, the deployer's plus its
// own, under IAM's size limit. The EC2 counts are the provider's own reads.
func (a Account) quotaReads() iampolicy.Statement {
	return iampolicy.Statement{Sid: "Quotas", Effect: iampolicy.Allow, Resource: []string{"*"}, Condition: a.inRegion(),
		Action: []string{"lambda:GetAccountSettings", "servicequotas:GetAWSDefaultServiceQuota", "servicequotas:GetServiceQuota"}}
}

// DeployerPolicy is what the deployer role may do: exactly what the four
// layers manage, on this environment's resources, plus its own state in the
// tooling account. Its boundary and guardrails cap it whatever it says.
func (a Account) DeployerPolicy() iampolicy.Document {
	d := a.deployerGrants()
	return iampolicy.New(slices.Concat(
		a.stateGrants(readsAndWritesState),
		[]iampolicy.Statement{
			{Sid: "Identity", Effect: "Allow", Action: []string{"sts:GetCallerIdentity"}, Resource: []string{"*"}},
			{Sid: "BootstrapVersion", Effect: "Allow", Action: []string{"ssm:GetParameter"}, Resource: []string{a.VersionParameterArn()}},
			a.quotaReads(),
		},
		a.sweepReads(),
		d.networkGrants(), d.roleGrants(), d.dataGrants(), d.keyGrants(), d.computeAndObservabilityGrants(),
	)...)
}

// deployerGrants are what the deployer's statements are written from.
type deployerGrants struct {
	a                 Account
	p                 profile.Profile
	s                 iampolicy.Scope
	roles, boundary   string
	ownTags, inRegion iampolicy.Condition
}

func (a Account) deployerGrants() deployerGrants {
	p := a.Profile
	return deployerGrants{
		a: a, p: p, s: a.scope(), roles: a.layerRoles(), boundary: a.Workload().BoundaryArn(),
		ownTags:  iampolicy.Condition{a.equals(): {"aws:ResourceTag/" + tagging.KeyProject: {tagging.Project}, "aws:ResourceTag/" + tagging.KeyEnvironment: {string(p.Environment)}}},
		inRegion: iampolicy.Condition{"StringEquals": {"aws:RequestedRegion": {p.Region}}},
	}
}

// named is the ARN of a resource of this environment, from a format with
// the environment and suffix as its two verbs.
func (d deployerGrants) named(service, resourceFormat string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, d.p.Region, d.p.AccountID, fmt.Sprintf(resourceFormat, d.p.Environment, d.p.Suffix))
}

// networkGrants are the deployer's grants on EC2 networking.
func (d deployerGrants) networkGrants() []iampolicy.Statement {
	inRegion := d.inRegion
	return []iampolicy.Statement{
		{
			// EC2 networking has little resource-level scoping for create
			// calls; the region condition and the boundary bound it.
			Sid: "Network", Effect: "Allow", Resource: []string{"*"}, Condition: inRegion,
			Action: []string{
				"ec2:AllocateAddress", "ec2:AssociateRouteTable", "ec2:AttachInternetGateway",
				"ec2:AuthorizeSecurityGroupEgress",
				"ec2:CreateFlowLogs", "ec2:CreateInternetGateway", "ec2:CreateNatGateway", "ec2:CreateRoute",
				"ec2:CreateRouteTable", "ec2:CreateSecurityGroup", "ec2:CreateSubnet", "ec2:CreateTags",
				"ec2:CreateVpc", "ec2:CreateVpcEndpoint", "ec2:DeleteFlowLogs", "ec2:DeleteInternetGateway",
				"ec2:DeleteNatGateway", "ec2:DeleteRoute", "ec2:DeleteRouteTable", "ec2:DeleteSecurityGroup",
				"ec2:DeleteSubnet", "ec2:DeleteTags", "ec2:DeleteVpc", "ec2:DeleteVpcEndpoints",
				"ec2:DescribeAddresses", "ec2:DescribeAddressesAttribute",
				"ec2:DescribeAvailabilityZones", "ec2:DescribeFlowLogs", "ec2:DescribeInternetGateways",
				"ec2:DescribeNatGateways", "ec2:DescribeNetworkInterfaces", "ec2:DescribePrefixLists",
				"ec2:DescribeRouteTables", "ec2:DescribeSecurityGroupRules", "ec2:DescribeSecurityGroups",
				"ec2:DescribeSubnets", "ec2:DescribeVpcAttribute", "ec2:DescribeVpcEndpoints", "ec2:DescribeVpcs",
				"ec2:DetachInternetGateway", "ec2:DisassociateAddress", "ec2:DisassociateRouteTable",
				"ec2:ModifySubnetAttribute", "ec2:ModifyVpcAttribute", "ec2:ModifyVpcEndpoint",
				"ec2:ReleaseAddress", "ec2:ReplaceRoute", "ec2:RevokeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress",
			},
		},
	}
}

// roleGrants are the deployer's grants on the layers' roles.
func (d deployerGrants) roleGrants() []iampolicy.Statement {
	a, p, roles, boundary := d.a, d.p, d.roles, d.boundary
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
			Resource:  []string{a.Workload().RoleArn(a.Workload().FlowLogRole())},
			Condition: iampolicy.Condition{"StringEquals": {"iam:PassedToService": {"vpc-flow-logs.amazonaws.com"}}},
		},
		{
			Sid: "AutoscalingServiceRole", Effect: "Allow", Action: []string{"iam:CreateServiceLinkedRole"},
			Resource:  []string{autoscalingServiceRole(p.AccountID)},
			Condition: iampolicy.Condition{"StringEquals": {"iam:AWSServiceName": {"dynamodb.application-autoscaling.amazonaws.com"}}},
		},
	}
}

// dataGrants are the deployer's grants on the table, its autoscaling and the audit bucket.
func (d deployerGrants) dataGrants() []iampolicy.Statement {
	a, s, inRegion := d.a, d.s, d.inRegion
	return []iampolicy.Statement{
		{
			Sid: "TransactionsTable", Effect: "Allow",
			Resource: []string{s.Table(a.Workload().Table()), s.Indexes(a.Workload().Table())},
			Action: []string{
				"dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:DescribeContinuousBackups", "dynamodb:DescribeTable",
				"dynamodb:DescribeTimeToLive", "dynamodb:ListTagsOfResource", "dynamodb:TagResource", "dynamodb:UntagResource",
				"dynamodb:UpdateContinuousBackups", "dynamodb:UpdateTable", "dynamodb:GetResourcePolicy", "dynamodb:PutResourcePolicy",
			},
		},
		{
			// Application Auto Scaling has no resource-level permissions.
			Sid: "TableAutoscaling", Effect: "Allow", Resource: []string{"*"}, Condition: inRegion,
			Action: []string{
				"application-autoscaling:DeleteScalingPolicy", "application-autoscaling:DeregisterScalableTarget",
				"application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingPolicies",
				"application-autoscaling:ListTagsForResource", "application-autoscaling:PutScalingPolicy",
				"application-autoscaling:RegisterScalableTarget", "application-autoscaling:TagResource",
			},
		},
		{
			Sid: "AuditBucket", Effect: "Allow",
			Resource: []string{iampolicy.Bucket(a.Workload().Bucket()), iampolicy.Bucket(a.Workload().Bucket()) + "/*"},
			Action: []string{
				"s3:CreateBucket", "s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:DeleteObjectVersion",
				"s3:GetAccelerateConfiguration", "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketLogging", "s3:GetBucketObjectLockConfiguration", "s3:GetBucketOwnershipControls",
				"s3:GetBucketPolicy", "s3:GetBucketPublicAccessBlock", "s3:GetBucketRequestPayment", "s3:GetBucketTagging",
				"s3:GetBucketVersioning", "s3:GetBucketWebsite", "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration",
				"s3:GetReplicationConfiguration", "s3:ListBucket", "s3:ListBucketVersions", "s3:PutBucketOwnershipControls",
				"s3:PutBucketLogging", "s3:PutBucketPolicy", "s3:PutBucketPublicAccessBlock", "s3:PutBucketTagging", "s3:PutBucketVersioning",
				"s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration",
				// Object Lock: set at creation, and bypassed only by forceDestroy
				// when the environment is destroyed (governance mode).
				"s3:BypassGovernanceRetention", "s3:PutBucketObjectLockConfiguration",
			},
		},
	}
}

// keyGrants are the deployer's grants on the environment key and its alias.
func (d deployerGrants) keyGrants() []iampolicy.Statement {
	a, p, ownTags, inRegion := d.a, d.p, d.ownTags, d.inRegion
	return []iampolicy.Statement{
		{
			// A key's ARN is random, so keys are reached by their tags (the
			// guardrail denies every key not tagged for this environment).
			Sid: "CreateTheEnvironmentKey", Effect: "Allow", Resource: []string{"*"},
			Action:    []string{"kms:CreateKey", "kms:TagResource"},
			Condition: iampolicy.Condition{a.equals(): {"aws:RequestedRegion": {p.Region}, "aws:RequestTag/" + tagging.KeyProject: {tagging.Project}, "aws:RequestTag/" + tagging.KeyEnvironment: {string(p.Environment)}}},
		},
		{
			Sid: "ManageTheEnvironmentKey", Effect: "Allow", Resource: []string{fmt.Sprintf("arn:aws:kms:%s:%s:key/*", p.Region, p.AccountID)},
			Action: []string{
				"kms:DescribeKey", "kms:EnableKeyRotation", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus",
				"kms:ListResourceTags", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:UpdateKeyDescription",
			},
			Condition: ownTags,
		},
		{
			// DynamoDB creates the grant it needs on the key when the
			// table is created under it, on the deployer's behalf
			// (kms:GrantIsForAWSResource). The deployer itself grants
			// nothing: a grant would let anyone it names use the key.
			Sid: "GrantsOnlyForAWSServices", Effect: "Allow", Resource: []string{fmt.Sprintf("arn:aws:kms:%s:%s:key/*", p.Region, p.AccountID)},
			Action: []string{"kms:CreateGrant"},
			// (Keys not tagged for this environment: its guardrail.)
			Condition: iampolicy.Condition{"Bool": {"kms:GrantIsForAWSResource": {"true"}}},
		},
		{
			Sid: "TheEnvironmentKeyAlias", Effect: "Allow",
			Resource: []string{fmt.Sprintf("arn:aws:kms:%s:%s:%s", p.Region, p.AccountID, a.Workload().KeyAlias()), fmt.Sprintf("arn:aws:kms:%s:%s:key/*", p.Region, p.AccountID)},
			Action:   []string{"kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"},
		},
		{Sid: "ListKeyAliases", Effect: "Allow", Action: []string{"kms:ListAliases"}, Resource: []string{"*"}, Condition: inRegion},
	}
}

// computeAndObservabilityGrants are the deployer's grants on the functions, log groups, alarms, dashboard and alarm topic.
func (d deployerGrants) computeAndObservabilityGrants() []iampolicy.Statement {
	p, s, named, inRegion := d.p, d.s, d.named, d.inRegion
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
		{
			Sid: "LogGroups", Effect: "Allow",
			Resource: []string{
				named("logs", "log-group:/aws/lambda/*-%s-%s"), named("logs", "log-group:/aws/lambda/*-%s-%s") + ":*",
				named("logs", "log-group:/aws/vpc/flow-logs/vpc-%s-%s"), named("logs", "log-group:/aws/vpc/flow-logs/vpc-%s-%s") + ":*",
			},
			Action: []string{
				"logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:ListTagsForResource",
				"logs:PutRetentionPolicy", "logs:TagResource", "logs:UntagResource",
			},
		},
		{Sid: "ListLogGroups", Effect: "Allow", Action: []string{"logs:DescribeLogGroups"}, Resource: []string{"*"}, Condition: inRegion},
		{
			Sid: "Alarms", Effect: "Allow",
			Resource: []string{named("cloudwatch", "alarm:*-%s-%s"), s.Dashboard(fmt.Sprintf("payments-%s-%s", p.Environment, p.Suffix))},
			Action: []string{
				"cloudwatch:DeleteAlarms", "cloudwatch:DeleteDashboards", "cloudwatch:DescribeAlarms", "cloudwatch:GetDashboard",
				"cloudwatch:ListTagsForResource", "cloudwatch:PutDashboard", "cloudwatch:PutMetricAlarm",
				"cloudwatch:TagResource", "cloudwatch:UntagResource",
			},
		},
		{
			Sid: "AlarmTopic", Effect: "Allow", Resource: []string{named("sns", "alarms-%s-%s")},
			Action: []string{
				"sns:CreateTopic", "sns:DeleteTopic", "sns:GetSubscriptionAttributes", "sns:GetTopicAttributes",
				"sns:ListTagsForResource", "sns:SetSubscriptionAttributes", "sns:SetTopicAttributes", "sns:Subscribe",
				"sns:TagResource", "sns:Unsubscribe", "sns:UntagResource",
			},
		},
	}
}

// ReadOnlyPolicy is the read-only role's policy: what a refresh, a preview
// and the drift check read, which is configuration. It grants no data read:
// no DynamoDB item, no S3 object, no log event, no decryption, no secret.
// lambda:GetFunction is the one read whose answer links to the code archive:
// the provider reads a function with it, and the archive is this
// repository's own build output.
func (a Account) ReadOnlyPolicy() iampolicy.Document {
	own := []iampolicy.Statement{
		{Sid: "Identity", Effect: iampolicy.Allow, Action: []string{"sts:GetCallerIdentity"}, Resource: []string{"*"}},
		{Sid: "BootstrapVersion", Effect: iampolicy.Allow, Action: []string{"ssm:GetParameter"}, Resource: []string{a.VersionParameterArn()}},
		a.quotaReads(),
		{
			// The provider reads a bucket with HeadBucket, which S3
			// authorizes as s3:ListBucket: it lists the audit records' keys
			// (dated paths and transaction ids), never their content.
			Sid: "HeadTheAuditBucket", Effect: iampolicy.Allow, Action: []string{"s3:ListBucket"},
			Resource: []string{iampolicy.Bucket(a.Workload().Bucket())},
		},
	}
	// Every other read a refresh or a preview makes of what the layers
	// create is configuration: the registry's reads (pkg/awstype), so a
	// new type's reads are granted with its entry. A read that returns
	// data would be a new type's mistake, which the dangerous requests'
	// evaluation (no item, object, log event or decryption) refuses.
	var configuration []string
	for _, action := range awstype.LayerReads() {
		if !slices.ContainsFunc(own, func(s iampolicy.Statement) bool { return slices.Contains(s.Action, action) }) {
			configuration = append(configuration, action)
		}
	}
	return iampolicy.New(slices.Concat(a.stateGrants(readsState), own, []iampolicy.Statement{
		{Sid: "ReadConfiguration", Effect: iampolicy.Allow, Resource: []string{"*"}, Condition: a.inRegion(), Action: configuration},
	})...)
}

// BreakGlassPolicy is the break-glass role's inline policy: what destroys
// payment data beyond what the deployer's grants allow (the prod guardrail,
// which the break-glass role does not carry, is what denies those to the
// deployer). The role also carries the deployer's grants
// (BreakGlassGrants), and the deployer's boundary, so it too stays within
// the environment and cannot touch what bootstrap owns.
func (a Account) BreakGlassPolicy() iampolicy.Document {
	granted := map[string]bool{}
	for _, st := range a.DeployerPolicy().Statement {
		for _, action := range st.Action {
			granted[action] = st.Effect == iampolicy.Allow
		}
	}
	var rest []string
	for _, action := range ProdDataDestruction {
		if !granted[action] {
			rest = append(rest, action)
		}
	}
	return iampolicy.New(iampolicy.Statement{
		Sid: "DestroyPaymentData", Effect: iampolicy.Allow, Action: rest, Resource: a.paymentData(),
	})
}

// BreakGlassGrantsName starts the names of the managed policies that give
// the break-glass role the deployer's grants ("-1", "-2", ...).
const BreakGlassGrantsName = "payments-break-glass-grants"

// BreakGlassGrants are the deployer's grants as the break-glass role's
// managed policies. A role's inline policies share 10,240 characters, which
// the deployer's grants and the break-glass role's own outgrew; a managed
// policy holds 6,144, so the grants are split, statement by statement in
// their order, into as few policies as they fit.
func (a Account) BreakGlassGrants() []iampolicy.Document {
	var out []iampolicy.Document
	var current []iampolicy.Statement
	for _, st := range a.DeployerPolicy().Statement {
		next := append(slices.Clone(current), st)
		if len(current) > 0 && !validity.Fits(validity.ManagedPolicy, iampolicy.New(next...)) {
			out = append(out, iampolicy.New(current...))
			next = []iampolicy.Statement{st}
		}
		current = next
	}
	return append(out, iampolicy.New(current...))
}

// BreakGlassGrantsNames are the names of BreakGlassGrants' policies.
func (a Account) BreakGlassGrantsNames() []string {
	grants := a.BreakGlassGrants()
	names := make([]string, len(grants))
	for i := range grants {
		names[i] = fmt.Sprintf("%s-%d", BreakGlassGrantsName, i+1)
	}
	return names
}
