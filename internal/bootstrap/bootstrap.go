// Package bootstrap writes the IAM documents of the pipeline's roles in each
// account: the deployer role the deploy workflow assumes (exactly what the
// four layers manage, on this environment's resources only, and every role it
// creates must carry the workload boundary), the deployer's own boundary
// (created once by an administrator, outside the deployer's reach), the
// read-only role's policy (configuration, never data) and the OIDC trust
// policies that let only this repository's GitHub environment assume them.
package bootstrap

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/naming"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/tagging"
	"github.com/acmepay/platform/pkg/workload"
)

// workloadEnv names the environment's resources as the layers name them.
func workloadEnv(p profile.Profile) workload.Environment {
	return workload.Environment{Scope: iampolicy.Scope{Region: p.Region, Account: p.AccountID}, Names: naming.New(string(p.Environment), p.Suffix)}
}

// layerRoles matches every role the layers create (names end in the
// environment and suffix) and no pipeline role.
func layerRoles(p profile.Profile) string {
	return fmt.Sprintf("arn:aws:iam::%s:role/*-%s-%s", p.AccountID, p.Environment, p.Suffix)
}

// functionRoles matches the execution roles of the environment's functions
// (<kind>-role-<env>-<suffix>).
func functionRoles(p profile.Profile) string {
	return fmt.Sprintf("arn:aws:iam::%s:role/*-role-%s-%s", p.AccountID, p.Environment, p.Suffix)
}

// DeployerBoundary is the deployer role's permissions boundary, created once
// by an administrator and outside the deployer's reach. Its allow statements
// are a coarse ceiling (the services the layers use, on this environment's
// names, in its region), kept under IAM's 6,144-character limit for managed
// policies; its denies hold whatever the deployer's policy says: no role
// without the workload boundary, no boundary removed or replaced, no change
// to the pipeline's roles or to this boundary, trust policies of the layers'
// roles only, and no reads of payment data.
func DeployerBoundary(p profile.Profile) iampolicy.Document {
	s := iampolicy.Scope{Region: p.Region, Account: p.AccountID}
	w := workloadEnv(p)
	own := fmt.Sprintf("*-%s-%s", p.Environment, p.Suffix)
	inRegion := map[string]map[string]string{"StringEquals": {"aws:RequestedRegion": p.Region}}
	workloadBoundary := w.BoundaryArn()
	return iampolicy.New(
		iampolicy.Statement{
			// These services' resources are reached by tags (KMS keys) or have
			// ids the names do not predict (EC2, scaling targets).
			Sid: "CeilingUnnamedResources", Effect: iampolicy.Allow, Resource: []string{"*"}, Condition: inRegion,
			Action: []string{"application-autoscaling:*", "ec2:*", "kms:*", "logs:DescribeLogGroups", "sts:GetCallerIdentity"},
		},
		iampolicy.Statement{
			Sid: "CeilingThisEnvironmentsNames", Effect: iampolicy.Allow,
			Action: []string{"cloudwatch:*", "dynamodb:*", "lambda:*", "logs:*", "s3:*", "sns:*"},
			Resource: []string{
				s.Table(own), s.Table(own) + "/*", iampolicy.Bucket(own), iampolicy.Bucket(own) + "/*",
				s.Function(own), s.LogGroup("/aws/"+own, false), s.LogGroup("/aws/"+own, false) + ":*",
				fmt.Sprintf("arn:aws:sns:%s:%s:%s", p.Region, p.AccountID, own),
				fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", p.Region, p.AccountID, own),
				fmt.Sprintf("arn:aws:cloudwatch::%s:dashboard/%s", p.AccountID, own),
			},
		},
		iampolicy.Statement{
			Sid: "CeilingTheLayersRolesAndBoundary", Effect: iampolicy.Allow, Action: []string{"iam:*"},
			Resource: []string{layerRoles(p), workloadBoundary,
				fmt.Sprintf("arn:aws:iam::%s:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/*", p.AccountID)},
		},
		iampolicy.Statement{
			Sid: "NoRoleWithoutTheWorkloadBoundary", Effect: iampolicy.Deny, Resource: []string{"*"},
			Action:    []string{"iam:AttachRolePolicy", "iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy"},
			Condition: map[string]map[string]string{"StringNotEquals": {"iam:PermissionsBoundary": workloadBoundary}},
		},
		iampolicy.Statement{
			Sid: "NeverRemoveABoundary", Effect: iampolicy.Deny, Resource: []string{"*"},
			Action: []string{"iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary", "iam:PutUserPermissionsBoundary"},
		},
		iampolicy.Statement{
			Sid: "HandsOffThePipeline", Effect: iampolicy.Deny,
			Resource: []string{s.Role(DeployerRoleName), s.Role(ReadOnlyRoleName), s.Policy(DeployerBoundaryName), s.Policy(ReadOnlyPolicyName)},
			Action:   []string{"iam:*"},
		},
		iampolicy.Statement{
			Sid: "TrustOfTheLayersRolesOnly", Effect: iampolicy.Deny, NotResource: []string{layerRoles(p)},
			Action: []string{"iam:UpdateAssumeRolePolicy"},
		},
		iampolicy.Statement{
			// A role passed to another service would run other code with the
			// workload's access: function roles go to Lambda only, the
			// flow-log role to VPC Flow Logs only, no other role anywhere.
			Sid: "PassFunctionRolesToLambdaOnly", Effect: iampolicy.Deny, Action: []string{"iam:PassRole"}, Resource: []string{functionRoles(p)},
			Condition: map[string]map[string]string{"StringNotEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
		},
		iampolicy.Statement{
			Sid: "PassTheFlowLogRoleToFlowLogsOnly", Effect: iampolicy.Deny, Action: []string{"iam:PassRole"}, Resource: []string{s.Role(w.FlowLogRole())},
			Condition: map[string]map[string]string{"StringNotEquals": {"iam:PassedToService": "vpc-flow-logs.amazonaws.com"}},
		},
		iampolicy.Statement{
			Sid: "PassNoOtherRole", Effect: iampolicy.Deny, Action: []string{"iam:PassRole"}, NotResource: []string{functionRoles(p), s.Role(w.FlowLogRole())},
		},
		iampolicy.Statement{
			Sid: "OnlyThisEnvironmentsKeys", Effect: iampolicy.Deny, Resource: []string{"*"},
			Action: []string{
				"kms:CancelKeyDeletion", "kms:CreateGrant", "kms:Decrypt", "kms:DisableKey", "kms:DisableKeyRotation", "kms:EnableKey",
				"kms:Encrypt", "kms:GenerateDataKey", "kms:PutKeyPolicy", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:RevokeGrant",
				"kms:ScheduleKeyDeletion", "kms:UntagResource", "kms:UpdateKeyDescription",
			},
			Condition: map[string]map[string]string{"StringNotEquals": {"aws:ResourceTag/" + tagging.KeyEnvironment: string(p.Environment)}},
		},
		iampolicy.Statement{
			Sid: "NoPaymentDataReads", Effect: iampolicy.Deny, Resource: []string{"*"},
			Action: []string{
				"dynamodb:BatchGetItem", "dynamodb:ExportTableToPointInTime", "dynamodb:GetItem", "dynamodb:PartiQLSelect",
				"dynamodb:Query", "dynamodb:Scan", "logs:FilterLogEvents", "logs:GetLogEvents", "logs:StartQuery",
				"s3:GetObject", "s3:GetObjectVersion",
			},
		},
	)
}

// ReadOnlyPolicy is the read-only role's policy: what a refresh, a preview
// and the drift check read, which is configuration. It grants no data read:
// no DynamoDB item, no S3 object, no log event, no decryption, no secret.
// lambda:GetFunction is the one read whose answer links to the code archive:
// the provider reads a function with it, and the archive is this
// repository's own build output.
func ReadOnlyPolicy(p profile.Profile) iampolicy.Document {
	inRegion := map[string]map[string]string{"StringEquals": {"aws:RequestedRegion": p.Region}}
	return iampolicy.New(
		iampolicy.Statement{Sid: "Identity", Effect: iampolicy.Allow, Action: []string{"sts:GetCallerIdentity"}, Resource: []string{"*"}},
		iampolicy.Statement{
			Sid: "ReadConfiguration", Effect: iampolicy.Allow, Resource: []string{"*"}, Condition: inRegion,
			Action: []string{
				"application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingPolicies",
				"application-autoscaling:ListTagsForResource",
				"cloudwatch:DescribeAlarms", "cloudwatch:GetDashboard", "cloudwatch:ListTagsForResource",
				"dynamodb:DescribeContinuousBackups", "dynamodb:DescribeTable", "dynamodb:DescribeTimeToLive", "dynamodb:ListTagsOfResource",
				"ec2:DescribeAddresses", "ec2:DescribeAddressesAttribute", "ec2:DescribeAvailabilityZones", "ec2:DescribeFlowLogs",
				"ec2:DescribeInternetGateways", "ec2:DescribeNatGateways", "ec2:DescribeNetworkInterfaces", "ec2:DescribePrefixLists",
				"ec2:DescribeRouteTables", "ec2:DescribeSecurityGroupRules", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets",
				"ec2:DescribeVpcAttribute", "ec2:DescribeVpcEndpoints", "ec2:DescribeVpcs",
				"iam:GetPolicy", "iam:GetPolicyVersion", "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies",
				"iam:ListRolePolicies",
				"kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListAliases", "kms:ListResourceTags",
				"lambda:GetFunction", "lambda:GetFunctionCodeSigningConfig", "lambda:GetFunctionConcurrency",
				"lambda:GetFunctionConfiguration", "lambda:GetPolicy", "lambda:ListTags", "lambda:ListVersionsByFunction",
				"logs:DescribeLogGroups", "logs:ListTagsForResource", "logs:ListTagsLogGroup",
				"s3:GetAccelerateConfiguration", "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketLocation", "s3:GetBucketLogging",
				"s3:GetBucketObjectLockConfiguration", "s3:GetBucketOwnershipControls", "s3:GetBucketPolicy",
				"s3:GetBucketPublicAccessBlock", "s3:GetBucketRequestPayment", "s3:GetBucketTagging", "s3:GetBucketVersioning",
				"s3:GetBucketWebsite", "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration",
				"sns:GetSubscriptionAttributes", "sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic", "sns:ListTagsForResource",
			},
		},
	)
}

// GitHubOIDCProvider is the host of GitHub Actions' OIDC tokens.
const GitHubOIDCProvider = "token.actions.githubusercontent.com"

// DeployerRoleName and ReadOnlyRoleName are the roles created by hand once per
// account (docs/bootstrap.md).
const (
	DeployerRoleName     = "payments-pipeline-deployer"
	ReadOnlyRoleName     = "payments-pipeline-readonly"
	DeployerBoundaryName = "payments-pipeline-deployer-boundary"
	ReadOnlyPolicyName   = "payments-pipeline-readonly"
)

// Trust lets one GitHub environment of one repository assume a role through
// OIDC: the deploy job for the deployer role ("prod"), the drift and preview
// jobs for the read-only role ("prod-readonly").
func Trust(p profile.Profile, repository, githubEnvironment string) iampolicy.Document {
	return iampolicy.New(iampolicy.Statement{
		Sid:       "GitHubEnvironmentOnly",
		Effect:    "Allow",
		Principal: map[string]iampolicy.Strings{"Federated": {fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", p.AccountID, GitHubOIDCProvider)}},
		Action:    []string{"sts:AssumeRoleWithWebIdentity"},
		Condition: map[string]map[string]string{
			"StringEquals": {
				GitHubOIDCProvider + ":aud": "sts.amazonaws.com",
				GitHubOIDCProvider + ":sub": fmt.Sprintf("repo:%s:environment:%s", repository, githubEnvironment),
			},
		},
	})
}

// DeployerPolicy is what the deployer role may do in its account.
func DeployerPolicy(p profile.Profile) iampolicy.Document {
	s := iampolicy.Scope{Region: p.Region, Account: p.AccountID}
	named := func(service, resourceFormat string) string {
		return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, p.Region, p.AccountID, fmt.Sprintf(resourceFormat, p.Environment, p.Suffix))
	}
	boundary := workloadEnv(p).BoundaryArn()
	roles := layerRoles(p)
	ownTags := map[string]map[string]string{"StringEquals": {
		"aws:ResourceTag/" + tagging.KeyProject: tagging.Project, "aws:ResourceTag/" + tagging.KeyEnvironment: string(p.Environment),
	}}
	inRegion := map[string]map[string]string{"StringEquals": {"aws:RequestedRegion": p.Region}}
	return iampolicy.New(
		iampolicy.Statement{Sid: "Identity", Effect: "Allow", Action: []string{"sts:GetCallerIdentity"}, Resource: []string{"*"}},
		iampolicy.Statement{
			// EC2 networking has little resource-level scoping for create
			// calls; the region condition and the boundary bound it.
			Sid: "Network", Effect: "Allow", Resource: []string{"*"}, Condition: inRegion,
			Action: []string{
				"ec2:AllocateAddress", "ec2:AssociateRouteTable", "ec2:AttachInternetGateway",
				"ec2:AuthorizeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupIngress",
				"ec2:CreateFlowLogs", "ec2:CreateInternetGateway", "ec2:CreateNatGateway", "ec2:CreateRoute",
				"ec2:CreateRouteTable", "ec2:CreateSecurityGroup", "ec2:CreateSubnet", "ec2:CreateTags",
				"ec2:CreateVpc", "ec2:CreateVpcEndpoint", "ec2:DeleteFlowLogs", "ec2:DeleteInternetGateway",
				"ec2:DeleteNatGateway", "ec2:DeleteRoute", "ec2:DeleteRouteTable", "ec2:DeleteSecurityGroup",
				"ec2:DeleteSubnet", "ec2:DeleteTags", "ec2:DeleteVpc", "ec2:DeleteVpcEndpoints",
				"ec2:DescribeAccountAttributes", "ec2:DescribeAddresses", "ec2:DescribeAddressesAttribute",
				"ec2:DescribeAvailabilityZones", "ec2:DescribeFlowLogs", "ec2:DescribeInternetGateways",
				"ec2:DescribeNatGateways", "ec2:DescribeNetworkInterfaces", "ec2:DescribePrefixLists",
				"ec2:DescribeRouteTables", "ec2:DescribeSecurityGroupRules", "ec2:DescribeSecurityGroups",
				"ec2:DescribeSubnets", "ec2:DescribeVpcAttribute", "ec2:DescribeVpcEndpoints", "ec2:DescribeVpcs",
				"ec2:DetachInternetGateway", "ec2:DisassociateAddress", "ec2:DisassociateRouteTable",
				"ec2:ModifySubnetAttribute", "ec2:ModifyVpcAttribute", "ec2:ModifyVpcEndpoint",
				"ec2:ReleaseAddress", "ec2:ReplaceRoute", "ec2:RevokeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress",
			},
		},
		iampolicy.Statement{
			// Every role the stacks create or change must carry the boundary.
			Sid: "RolesOnlyWithTheBoundary", Effect: "Allow", Resource: []string{roles},
			Action:    []string{"iam:CreateRole", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy"},
			Condition: map[string]map[string]string{"StringEquals": {"iam:PermissionsBoundary": boundary}},
		},
		iampolicy.Statement{
			Sid: "RoleLifecycle", Effect: "Allow", Resource: []string{roles},
			Action: []string{
				"iam:DeleteRole", "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies",
				"iam:ListInstanceProfilesForRole", "iam:ListRolePolicies", "iam:TagRole", "iam:UntagRole",
				"iam:UpdateAssumeRolePolicy", "iam:UpdateRole",
			},
		},
		iampolicy.Statement{
			Sid: "PassRolesToTheirServicesOnly", Effect: "Allow", Resource: []string{roles}, Action: []string{"iam:PassRole"},
			Condition: map[string]map[string]string{"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
		},
		iampolicy.Statement{
			Sid: "PassFlowLogRole", Effect: "Allow", Action: []string{"iam:PassRole"},
			Resource:  []string{s.Role(workloadEnv(p).FlowLogRole())},
			Condition: map[string]map[string]string{"StringEquals": {"iam:PassedToService": "vpc-flow-logs.amazonaws.com"}},
		},
		iampolicy.Statement{
			Sid: "BoundaryPolicy", Effect: "Allow", Resource: []string{boundary},
			Action: []string{
				"iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
				"iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions", "iam:TagPolicy", "iam:UntagPolicy",
			},
		},
		iampolicy.Statement{
			Sid: "NeverRemoveABoundary", Effect: "Deny", Resource: []string{"*"},
			Action: []string{"iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"},
		},
		iampolicy.Statement{
			Sid: "AutoscalingServiceRole", Effect: "Allow", Action: []string{"iam:CreateServiceLinkedRole"},
			Resource:  []string{fmt.Sprintf("arn:aws:iam::%s:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/*", p.AccountID)},
			Condition: map[string]map[string]string{"StringEquals": {"iam:AWSServiceName": "dynamodb.application-autoscaling.amazonaws.com"}},
		},
		iampolicy.Statement{
			Sid: "TransactionsTable", Effect: "Allow",
			Resource: []string{s.Table(workloadEnv(p).Table()), s.Indexes(workloadEnv(p).Table())},
			Action: []string{
				"dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:DescribeContinuousBackups", "dynamodb:DescribeTable",
				"dynamodb:DescribeTimeToLive", "dynamodb:ListTagsOfResource", "dynamodb:TagResource", "dynamodb:UntagResource",
				"dynamodb:UpdateContinuousBackups", "dynamodb:UpdateTable",
			},
		},
		iampolicy.Statement{
			// Application Auto Scaling has no resource-level permissions.
			Sid: "TableAutoscaling", Effect: "Allow", Resource: []string{"*"}, Condition: inRegion,
			Action: []string{
				"application-autoscaling:DeleteScalingPolicy", "application-autoscaling:DeregisterScalableTarget",
				"application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingPolicies",
				"application-autoscaling:ListTagsForResource", "application-autoscaling:PutScalingPolicy",
				"application-autoscaling:RegisterScalableTarget", "application-autoscaling:TagResource",
			},
		},
		iampolicy.Statement{
			Sid: "AuditBucket", Effect: "Allow",
			Resource: []string{iampolicy.Bucket(workloadEnv(p).Bucket()), iampolicy.Bucket(workloadEnv(p).Bucket()) + "/*"},
			Action: []string{
				"s3:CreateBucket", "s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:DeleteObject", "s3:DeleteObjectVersion",
				"s3:GetAccelerateConfiguration", "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketLocation",
				"s3:GetBucketLogging", "s3:GetBucketObjectLockConfiguration", "s3:GetBucketOwnershipControls",
				"s3:GetBucketPolicy", "s3:GetBucketPublicAccessBlock", "s3:GetBucketRequestPayment", "s3:GetBucketTagging",
				"s3:GetBucketVersioning", "s3:GetBucketWebsite", "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration",
				"s3:GetReplicationConfiguration", "s3:ListBucket", "s3:ListBucketVersions", "s3:PutBucketOwnershipControls",
				"s3:PutBucketPolicy", "s3:PutBucketPublicAccessBlock", "s3:PutBucketTagging", "s3:PutBucketVersioning",
				"s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration",
				// Object Lock: set at creation, and bypassed only by forceDestroy
				// when the environment is destroyed (governance mode).
				"s3:BypassGovernanceRetention", "s3:PutBucketObjectLockConfiguration",
			},
		},
		iampolicy.Statement{
			// A key's ARN is random, so keys are reached by their tags: only
			// keys this environment's stacks created and tagged.
			Sid: "CreateTheEnvironmentKey", Effect: "Allow", Resource: []string{"*"},
			Action: []string{"kms:CreateKey", "kms:TagResource"},
			Condition: map[string]map[string]string{"StringEquals": {
				"aws:RequestedRegion": p.Region, "aws:RequestTag/" + tagging.KeyProject: tagging.Project,
				"aws:RequestTag/" + tagging.KeyEnvironment: string(p.Environment),
			}},
		},
		iampolicy.Statement{
			Sid: "ManageTheEnvironmentKey", Effect: "Allow", Resource: []string{fmt.Sprintf("arn:aws:kms:%s:%s:key/*", p.Region, p.AccountID)},
			Action: []string{
				"kms:CreateGrant", "kms:DescribeKey", "kms:EnableKeyRotation", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus",
				"kms:ListResourceTags", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:UntagResource", "kms:UpdateKeyDescription",
			},
			Condition: ownTags,
		},
		iampolicy.Statement{
			Sid: "TheEnvironmentKeyAlias", Effect: "Allow",
			Resource: []string{fmt.Sprintf("arn:aws:kms:%s:%s:%s", p.Region, p.AccountID, workloadEnv(p).KeyAlias()), fmt.Sprintf("arn:aws:kms:%s:%s:key/*", p.Region, p.AccountID)},
			Action:   []string{"kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"},
		},
		iampolicy.Statement{Sid: "ListKeyAliases", Effect: "Allow", Action: []string{"kms:ListAliases"}, Resource: []string{"*"}, Condition: inRegion},
		iampolicy.Statement{
			Sid: "Functions", Effect: "Allow", Resource: []string{named("lambda", "function:*-%s-%s")},
			Action: []string{
				"lambda:CreateFunction", "lambda:DeleteFunction", "lambda:GetFunction", "lambda:GetFunctionCodeSigningConfig",
				"lambda:GetFunctionConfiguration", "lambda:GetPolicy", "lambda:ListTags", "lambda:ListVersionsByFunction",
				"lambda:TagResource", "lambda:UntagResource", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
				"lambda:DeleteFunctionConcurrency", "lambda:GetFunctionConcurrency", "lambda:PutFunctionConcurrency",
			},
		},
		iampolicy.Statement{
			Sid: "LogGroups", Effect: "Allow",
			Resource: []string{
				named("logs", "log-group:/aws/lambda/*-%s-%s"), named("logs", "log-group:/aws/lambda/*-%s-%s") + ":*",
				named("logs", "log-group:/aws/vpc/flow-logs/vpc-%s-%s"), named("logs", "log-group:/aws/vpc/flow-logs/vpc-%s-%s") + ":*",
			},
			Action: []string{
				"logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:DeleteRetentionPolicy", "logs:DisassociateKmsKey", "logs:ListTagsForResource",
				"logs:ListTagsLogGroup", "logs:PutRetentionPolicy", "logs:TagLogGroup", "logs:TagResource", "logs:UntagResource",
			},
		},
		iampolicy.Statement{Sid: "ListLogGroups", Effect: "Allow", Action: []string{"logs:DescribeLogGroups"}, Resource: []string{"*"}, Condition: inRegion},
		iampolicy.Statement{
			Sid: "Alarms", Effect: "Allow",
			Resource: []string{named("cloudwatch", "alarm:*-%s-%s"), fmt.Sprintf("arn:aws:cloudwatch::%s:dashboard/payments-%s-%s", p.AccountID, p.Environment, p.Suffix)},
			Action: []string{
				"cloudwatch:DeleteAlarms", "cloudwatch:DeleteDashboards", "cloudwatch:DescribeAlarms", "cloudwatch:GetDashboard",
				"cloudwatch:ListTagsForResource", "cloudwatch:PutDashboard", "cloudwatch:PutMetricAlarm",
				"cloudwatch:TagResource", "cloudwatch:UntagResource",
			},
		},
		iampolicy.Statement{
			Sid: "AlarmTopic", Effect: "Allow", Resource: []string{named("sns", "alarms-%s-%s")},
			Action: []string{
				"sns:CreateTopic", "sns:DeleteTopic", "sns:GetSubscriptionAttributes", "sns:GetTopicAttributes",
				"sns:ListTagsForResource", "sns:SetSubscriptionAttributes", "sns:SetTopicAttributes", "sns:Subscribe",
				"sns:TagResource", "sns:Unsubscribe", "sns:UntagResource",
			},
		},
	)
}

// File is one document an administrator applies at bootstrap.
type File struct {
	Name string
	Doc  iampolicy.Document
}

// Files are the documents of an environment's pipeline roles, in the order
// docs/bootstrap.md applies them.
func Files(p profile.Profile, repository string) []File {
	env := string(p.Environment)
	return []File{
		{"deployer-boundary.json", DeployerBoundary(p)},
		{"deployer-policy.json", DeployerPolicy(p)},
		{"deployer-trust.json", Trust(p, repository, env)},
		{"readonly-policy.json", ReadOnlyPolicy(p)},
		{"readonly-trust.json", Trust(p, repository, env+"-readonly")},
	}
}

// Write writes the files into dir, creating it.
func Write(dir string, files []File) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), []byte(f.Doc.JSON()+"\n"), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// StatePrefix is an environment's prefix in the state bucket: its
// PULUMI_BACKEND_URL is s3://<bucket>/<env>.
func StatePrefix(env profile.Environment) string { return string(env) }

// StateBucketPolicy is the policy of the shared S3 state bucket: TLS only,
// and each environment's pipeline roles reach only that environment's
// prefix. The deployer reads and writes its state; the read-only role reads
// it and takes and releases the stack locks a refresh or preview takes.
func StateBucketPolicy(bucket string, envs []profile.Profile) iampolicy.Document {
	st := []iampolicy.Statement{{
		Sid: "DenyInsecureTransport", Effect: iampolicy.Deny, Principal: map[string]iampolicy.Strings{"AWS": {"*"}},
		Action: []string{"s3:*"}, Resource: []string{iampolicy.Bucket(bucket), iampolicy.Bucket(bucket) + "/*"},
		Condition: map[string]map[string]string{"Bool": {"aws:SecureTransport": "false"}},
	}}
	for _, p := range envs {
		s := iampolicy.Scope{Region: p.Region, Account: p.AccountID}
		prefix := StatePrefix(p.Environment)
		deployer, readonly := s.Role(DeployerRoleName), s.Role(ReadOnlyRoleName)
		both := map[string]iampolicy.Strings{"AWS": {deployer, readonly}}
		st = append(st,
			iampolicy.Statement{Sid: "List" + title(prefix), Effect: iampolicy.Allow, Principal: both,
				Action: []string{"s3:ListBucket"}, Resource: []string{iampolicy.Bucket(bucket)},
				Condition: map[string]map[string]string{"StringLike": {"s3:prefix": prefix + "/*"}}},
			iampolicy.Statement{Sid: "Read" + title(prefix), Effect: iampolicy.Allow, Principal: both,
				Action: []string{"s3:GetObject"}, Resource: []string{iampolicy.Object(bucket, prefix+"/")}},
			iampolicy.Statement{Sid: "Write" + title(prefix), Effect: iampolicy.Allow, Principal: map[string]iampolicy.Strings{"AWS": {deployer}},
				Action: []string{"s3:DeleteObject", "s3:PutObject"}, Resource: []string{iampolicy.Object(bucket, prefix+"/")}},
			iampolicy.Statement{Sid: "Lock" + title(prefix), Effect: iampolicy.Allow, Principal: map[string]iampolicy.Strings{"AWS": {readonly}},
				Action: []string{"s3:DeleteObject", "s3:PutObject"}, Resource: []string{iampolicy.Object(bucket, prefix+"/.pulumi/locks/")}},
		)
	}
	return iampolicy.New(st...)
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
