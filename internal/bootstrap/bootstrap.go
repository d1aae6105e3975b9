// Package bootstrap writes the IAM documents of the pipeline's roles in each
// account: the deployer role the deploy workflow assumes (exactly what the
// four layers manage, on this environment's resources only, and every role it
// creates must carry the permissions boundary) and the OIDC trust policies
// that let only this repository's GitHub environment assume them.
package bootstrap

import (
	"fmt"

	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/profile"
)

// GitHubOIDCProvider is the host of GitHub Actions' OIDC tokens.
const GitHubOIDCProvider = "token.actions.githubusercontent.com"

// DeployerRoleName and ReadOnlyRoleName are the roles created by hand once per
// account (docs/bootstrap.md).
const (
	DeployerRoleName = "payments-pipeline-deployer"
	ReadOnlyRoleName = "payments-pipeline-readonly"
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
	boundary := s.Policy(fmt.Sprintf("permissions-boundary-%s-%s", p.Environment, p.Suffix))
	roles := fmt.Sprintf("arn:aws:iam::%s:role/*-%s-%s", p.AccountID, p.Environment, p.Suffix)
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
			Resource:  []string{fmt.Sprintf("arn:aws:iam::%s:role/vpc-flow-logs-%s-%s", p.AccountID, p.Environment, p.Suffix)},
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
			Resource: []string{named("dynamodb", "table/transactions-%s-%s"), named("dynamodb", "table/transactions-%s-%s") + "/index/*"},
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
			Resource: []string{iampolicy.Bucket(fmt.Sprintf("audit-logs-%s-%s", p.Environment, p.Suffix)), iampolicy.Bucket(fmt.Sprintf("audit-logs-%s-%s", p.Environment, p.Suffix)) + "/*"},
			Action: []string{
				"s3:CreateBucket", "s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:DeleteObject", "s3:DeleteObjectVersion",
				"s3:GetAccelerateConfiguration", "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketLocation",
				"s3:GetBucketLogging", "s3:GetBucketObjectLockConfiguration", "s3:GetBucketOwnershipControls",
				"s3:GetBucketPolicy", "s3:GetBucketPublicAccessBlock", "s3:GetBucketRequestPayment", "s3:GetBucketTagging",
				"s3:GetBucketVersioning", "s3:GetBucketWebsite", "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration",
				"s3:GetReplicationConfiguration", "s3:ListBucket", "s3:ListBucketVersions", "s3:PutBucketOwnershipControls",
				"s3:PutBucketPolicy", "s3:PutBucketPublicAccessBlock", "s3:PutBucketTagging", "s3:PutBucketVersioning",
				"s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration",
			},
		},
		iampolicy.Statement{
			Sid: "Functions", Effect: "Allow", Resource: []string{named("lambda", "function:*-%s-%s")},
			Action: []string{
				"lambda:CreateFunction", "lambda:DeleteFunction", "lambda:GetFunction", "lambda:GetFunctionCodeSigningConfig",
				"lambda:GetFunctionConfiguration", "lambda:GetPolicy", "lambda:ListTags", "lambda:ListVersionsByFunction",
				"lambda:TagResource", "lambda:UntagResource", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
			},
		},
		iampolicy.Statement{
			Sid: "LogGroups", Effect: "Allow",
			Resource: []string{
				named("logs", "log-group:/aws/lambda/*-%s-%s"), named("logs", "log-group:/aws/lambda/*-%s-%s") + ":*",
				named("logs", "log-group:/aws/vpc/flow-logs/vpc-%s-%s"), named("logs", "log-group:/aws/vpc/flow-logs/vpc-%s-%s") + ":*",
			},
			Action: []string{
				"logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:DeleteRetentionPolicy", "logs:ListTagsForResource",
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
