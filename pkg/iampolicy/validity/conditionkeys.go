package validity

import "strings"

// globalKeys are AWS's global condition context keys ("AWS global condition
// context keys",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
// A key ending in "/" takes a tag key or a name after it.
var globalKeys = []string{
	"aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:CurrentTime", "aws:EpochTime",
	"aws:FederatedProvider", "aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent",
	"aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalIsAWSService", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
	"aws:PrincipalServiceName", "aws:PrincipalServiceNamesList", "aws:PrincipalTag/", "aws:PrincipalType",
	"aws:RequestTag/", "aws:RequestedRegion", "aws:ResourceAccount", "aws:ResourceOrgID", "aws:ResourceOrgPaths", "aws:ResourceTag/",
	"aws:SecureTransport", "aws:SourceAccount", "aws:SourceArn", "aws:SourceIdentity", "aws:SourceIp", "aws:SourceOrgID",
	"aws:SourceOrgPaths", "aws:SourceVpc", "aws:SourceVpcArn", "aws:SourceVpce", "aws:TagKeys", "aws:TokenIssueTime",
	"aws:UserAgent", "aws:VpcSourceIp", "aws:VpceAccount", "aws:VpceOrgID", "aws:VpceOrgPaths", "aws:ViaAWSService",
	"aws:Ec2InstanceSourcePrivateIPv4", "aws:Ec2InstanceSourceVpc", "aws:referer", "aws:userid", "aws:username",
}

// serviceKeys are the service-specific keys the project's documents use,
// each listed for the actions it is tested with in the Service Authorization
// Reference ("Actions, resources, and condition keys for <service>",
// https://docs.aws.amazon.com/service-authorization/latest/reference/).
var serviceKeys = []string{
	// AWS Identity and Access Management: list_identityandaccessmanagementiam.html
	"iam:AWSServiceName", "iam:PassedToService", "iam:PermissionsBoundary", "iam:PolicyARN",
	// AWS Key Management Service: list_awskeymanagementservice.html
	"kms:BypassPolicyLockoutSafetyCheck", "kms:CallerAccount", "kms:EncryptionContext:", "kms:EncryptionContextKeys",
	"kms:GrantIsForAWSResource", "kms:GranteePrincipal", "kms:ResourceAliases", "kms:ViaService",
	// Amazon S3: list_amazons3.html
	"s3:prefix", "s3:x-amz-server-side-encryption", "s3:x-amz-server-side-encryption-aws-kms-key-id", "s3:ResourceAccount",
	// AWS Security Token Service: list_awssecuritytokenservice.html
	"sts:ExternalId", "sts:RoleSessionName", "sts:SourceIdentity",
	// The IAM OIDC provider's keys ("Available keys for AWS OIDC federation",
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif):
	// GitHub's provider host, then the claim.
	"token.actions.githubusercontent.com:aud", "token.actions.githubusercontent.com:sub",
	// Amazon EC2: list_amazonec2.html
	"ec2:Vpc", "ec2:Subnet", "ec2:ResourceTag/",
	// AWS Lambda: list_awslambda.html
	"lambda:FunctionArn", "lambda:VpcIds", "lambda:SubnetIds", "lambda:SecurityGroupIds",
	// Amazon DynamoDB: list_amazondynamodb.html
	"dynamodb:LeadingKeys", "dynamodb:Attributes",
}

// KnownConditionKey reports whether a condition key exists: a global key,
// or a service key of the Service Authorization Reference.
func KnownConditionKey(key string) bool {
	for _, list := range [][]string{globalKeys, serviceKeys} {
		for _, k := range list {
			if k == key || (strings.HasSuffix(k, "/") || strings.HasSuffix(k, ":")) && strings.HasPrefix(key, k) && len(key) > len(k) {
				return true
			}
		}
	}
	return false
}
