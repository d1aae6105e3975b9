package awsfake

import (
	"slices"
	"sort"
	"strings"

	"github.com/acmepay/platform/pkg/awstype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The stand-in fakes resource operations, not AWS API calls. This table
// says which API calls the AWS provider makes for each operation on each
// resource type the platform creates, as IAM authorizes them: the action,
// the resource it is authorized on, and the condition keys AWS documents for
// it. When the stand-in is told who calls (CallAs), it evaluates every call
// of an operation against that role's live policies and boundary and the
// resource's own policy, and refuses the operation at the first call IAM
// would deny, naming the role, the action and the resource.
//
// Sources: the Service Authorization Reference ("Actions, resources, and
// condition keys for <service>": which resource types each action is
// authorized on, and which condition keys it takes), and the AWS provider's
// resource implementations (terraform-provider-aws, internal/service/<service>/
// <resource>.go: which calls a create, read, update and delete make; tags at
// creation are request tags, later tag changes are Tag/Untag calls). The
// live AWS tier is where the table meets reality: the calls CloudTrail
// records during a live deploy must all be rows here (skipped without an
// account).

// Op is what the provider does to a resource.
type Op string

// The operations.
const (
	OpCreate Op = "create"
	OpRead   Op = "read"
	OpUpdate Op = "update"
	OpDelete Op = "delete"
	// OpInvoke is a data source's call (Invokes), by its token.
	OpInvoke Op = "invoke"
)

// Call is one API call as IAM authorizes it.
type Call struct {
	Action string
	// On is the resource the call is authorized on.
	On Target
	// Context gives condition keys the call carries beyond the region, TLS
	// and tags (iam:PermissionsBoundary, iam:PassedToService, ...), from the
	// resource's inputs and the live resources it refers to.
	Context func(in resource.PropertyMap, c *Cloud) map[string]string
}

// Target says which resource a call is authorized on.
type Target struct {
	// Star: the action has no resource type ("*").
	Star bool
	// Input names the input holding the id (or ARN, or name) of another
	// live resource the call touches ("vpcId"); empty is the resource
	// itself.
	Input string
}

var (
	self = Target{}
	star = Target{Star: true}
)

func ref(input string) Target { return Target{Input: input} }

func calls(on Target, actions ...string) []Call {
	out := make([]Call, len(actions))
	for i, a := range actions {
		out[i] = Call{Action: a, On: on}
	}
	return out
}

func join(lists ...[]Call) []Call {
	var out []Call
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func withContext(list []Call, ctx func(in resource.PropertyMap, c *Cloud) map[string]string) []Call {
	for i := range list {
		list[i].Context = ctx
	}
	return list
}

// Row is one resource type's calls per operation. Update lists the calls of
// any change (the provider's update path); UpdateWhen, the calls the
// provider makes only when one top-level input changes.
type Row struct {
	Create, Read, Update, Delete []Call
	UpdateWhen                   map[string][]Call
}

// ec2Row is an EC2 resource created with its tags (TagSpecifications:
// ec2:CreateTags on the new resource, with the same request tags).
func ec2Row(create string, touches []string, describe string, deletes ...string) Row {
	c := join(calls(self, create, "ec2:CreateTags"))
	for _, in := range touches {
		c = append(c, calls(ref(in), create)...)
	}
	return Row{
		Create: append(c, calls(star, describe)...),
		Read:   calls(star, describe),
		Update: calls(self, "ec2:CreateTags", "ec2:DeleteTags"),
		Delete: calls(self, deletes...),
	}
}

func passRoleTo(service string) func(resource.PropertyMap, *Cloud) map[string]string {
	return func(resource.PropertyMap, *Cloud) map[string]string {
		return map[string]string{"iam:PassedToService": service}
	}
}

// grantFor is the context of a grant an AWS service creates for itself on
// the caller's behalf.
func grantFor(service string) func(resource.PropertyMap, *Cloud) map[string]string {
	return func(_ resource.PropertyMap, c *Cloud) map[string]string {
		return map[string]string{"kms:GrantIsForAWSResource": "true", "kms:ViaService": service + "." + c.Region + ".amazonaws.com"}
	}
}

// roleBoundary is the iam:PermissionsBoundary key of a call on a role: the
// boundary in the request (CreateRole) or the role's own (PutRolePolicy).
func roleBoundary(in resource.PropertyMap, c *Cloud) map[string]string {
	boundary := input(in, "permissionsBoundary")
	if boundary == "" {
		if role, ok := c.byName(awstype.Role, input(in, "role")); ok {
			boundary = input(role.Inputs, "permissionsBoundary")
		}
	}
	if boundary == "" {
		return nil
	}
	return map[string]string{"iam:PermissionsBoundary": boundary}
}

var s3BucketReads = calls(self, "s3:GetAccelerateConfiguration", "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketLogging",
	"s3:GetBucketObjectLockConfiguration", "s3:GetBucketPolicy", "s3:GetBucketRequestPayment", "s3:GetBucketTagging",
	"s3:GetBucketVersioning", "s3:GetBucketWebsite", "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration",
	"s3:GetReplicationConfiguration", "s3:ListBucket")

// bucketSetting is an S3 bucket sub-resource: one Put, one Get, on the
// bucket named by its "bucket" input; deleteWith is the call its delete
// makes (often the same Put, or nothing).
func bucketSetting(put, get string, deleteWith ...string) Row {
	return Row{
		Create: calls(ref("bucket"), put, get), Read: calls(ref("bucket"), get),
		Update: calls(ref("bucket"), put), Delete: calls(ref("bucket"), deleteWith...),
	}
}

// Calls is the table, by resource type.
var Calls = map[string]Row{
	awstype.Vpc: func() Row {
		r := ec2Row("ec2:CreateVpc", nil, "ec2:DescribeVpcs", "ec2:DeleteVpc")
		r.Create = append(r.Create, calls(self, "ec2:ModifyVpcAttribute")...)
		r.Read = append(r.Read, calls(star, "ec2:DescribeVpcAttribute")...)
		r.Update = append(r.Update, calls(self, "ec2:ModifyVpcAttribute")...)
		return r
	}(),
	awstype.Subnet: func() Row {
		r := ec2Row("ec2:CreateSubnet", []string{"vpcId"}, "ec2:DescribeSubnets", "ec2:DeleteSubnet")
		r.Create = append(r.Create, calls(self, "ec2:ModifySubnetAttribute")...)
		r.Update = append(r.Update, calls(self, "ec2:ModifySubnetAttribute")...)
		return r
	}(),
	awstype.InternetGateway: func() Row {
		r := ec2Row("ec2:CreateInternetGateway", nil, "ec2:DescribeInternetGateways", "ec2:DetachInternetGateway", "ec2:DeleteInternetGateway")
		r.Create = append(r.Create, calls(self, "ec2:AttachInternetGateway")...)
		r.Create = append(r.Create, calls(ref("vpcId"), "ec2:AttachInternetGateway")...)
		r.Delete = append(r.Delete, calls(ref("vpcId"), "ec2:DetachInternetGateway")...)
		return r
	}(),
	awstype.Eip: func() Row {
		r := ec2Row("ec2:AllocateAddress", nil, "ec2:DescribeAddresses", "ec2:DisassociateAddress", "ec2:ReleaseAddress")
		r.Read = append(r.Read, calls(star, "ec2:DescribeAddressesAttribute")...)
		return r
	}(),
	awstype.NatGateway: ec2Row("ec2:CreateNatGateway", []string{"subnetId", "allocationId"}, "ec2:DescribeNatGateways", "ec2:DeleteNatGateway"),
	awstype.RouteTable: ec2Row("ec2:CreateRouteTable", []string{"vpcId"}, "ec2:DescribeRouteTables", "ec2:DeleteRouteTable"),
	awstype.VpcEndpoint: func() Row {
		r := ec2Row("ec2:CreateVpcEndpoint", []string{"vpcId", "routeTableIds"}, "ec2:DescribeVpcEndpoints", "ec2:DeleteVpcEndpoints")
		// A gateway endpoint's prefix list is read with it.
		r.Read = append(r.Read, calls(star, "ec2:DescribePrefixLists")...)
		r.Update = append(r.Update, calls(self, "ec2:ModifyVpcEndpoint")...)
		r.Update = append(r.Update, calls(ref("routeTableIds"), "ec2:ModifyVpcEndpoint")...)
		return r
	}(),
	awstype.SecurityGroup: func() Row {
		r := ec2Row("ec2:CreateSecurityGroup", []string{"vpcId"}, "ec2:DescribeSecurityGroups", "ec2:DeleteSecurityGroup")
		// A new group's default egress rule is revoked, then the group's own
		// rules authorized.
		r.Create = append(r.Create, calls(self, "ec2:RevokeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupEgress")...)
		r.Read = append(r.Read, calls(star, "ec2:DescribeSecurityGroupRules")...)
		r.Update = append(r.Update, calls(self, "ec2:RevokeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupEgress")...)
		// A function's network interfaces keep a group until Lambda
		// releases them: its delete waits for them.
		r.Delete = append(calls(star, "ec2:DescribeNetworkInterfaces"), r.Delete...)
		return r
	}(),
	// The VPC's default group exists already, untagged: the provider tags it,
	// then strips its rules; its delete only forgets it.
	awstype.DefaultSecurityGroup: {
		Create: calls(self, "ec2:CreateTags", "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"),
		Read:   calls(star, "ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"),
		Update: calls(self, "ec2:CreateTags", "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"),
	},
	awstype.FlowLog: func() Row {
		r := ec2Row("ec2:CreateFlowLogs", []string{"vpcId"}, "ec2:DescribeFlowLogs", "ec2:DeleteFlowLogs")
		r.Create = append(r.Create, withContext(calls(ref("iamRoleArn"), "iam:PassRole"), passRoleTo("vpc-flow-logs.amazonaws.com"))...)
		return r
	}(),
	awstype.Route: {
		Create: calls(ref("routeTableId"), "ec2:CreateRoute"), Read: calls(star, "ec2:DescribeRouteTables"),
		Update: calls(ref("routeTableId"), "ec2:ReplaceRoute"), Delete: calls(ref("routeTableId"), "ec2:DeleteRoute"),
	},
	awstype.RouteTableAssociation: {
		Create: join(calls(ref("routeTableId"), "ec2:AssociateRouteTable"), calls(ref("subnetId"), "ec2:AssociateRouteTable")),
		Read:   calls(star, "ec2:DescribeRouteTables"),
		Delete: calls(ref("routeTableId"), "ec2:DisassociateRouteTable"),
	},
	awstype.Role: {
		Create: join(withContext(calls(self, "iam:CreateRole", "iam:TagRole"), roleBoundary), calls(self, "iam:GetRole")),
		Read:   calls(self, "iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"),
		Update: join(calls(self, "iam:UpdateAssumeRolePolicy", "iam:UpdateRole", "iam:TagRole", "iam:UntagRole"),
			withContext(calls(self, "iam:PutRolePermissionsBoundary"), roleBoundary)),
		Delete: calls(self, "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole", "iam:DeleteRole"),
	},
	// No layer creates a managed policy: the row is here so that one that
	// tried (say, a new workload boundary) is judged like any other call.
	awstype.Policy: {
		Create: calls(self, "iam:CreatePolicy", "iam:TagPolicy", "iam:GetPolicy", "iam:GetPolicyVersion"),
		Read:   calls(self, "iam:GetPolicy", "iam:GetPolicyVersion"),
		Update: calls(self, "iam:CreatePolicyVersion", "iam:ListPolicyVersions", "iam:DeletePolicyVersion"),
		Delete: calls(self, "iam:ListPolicyVersions", "iam:DeletePolicy"),
	},
	awstype.RolePolicy: {
		Create: join(withContext(calls(ref("role"), "iam:PutRolePolicy"), roleBoundary), calls(ref("role"), "iam:GetRolePolicy")),
		Read:   calls(ref("role"), "iam:GetRolePolicy"),
		Update: withContext(calls(ref("role"), "iam:PutRolePolicy"), roleBoundary),
		Delete: withContext(calls(ref("role"), "iam:DeleteRolePolicy"), roleBoundary),
	},
	awstype.Key: {
		// Tags at creation are authorized with the key's creation, on "*".
		Create: join(calls(star, "kms:CreateKey", "kms:TagResource"),
			calls(self, "kms:EnableKeyRotation", "kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags")),
		Read:   calls(self, "kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"),
		Update: calls(self, "kms:PutKeyPolicy", "kms:UpdateKeyDescription", "kms:EnableKeyRotation", "kms:TagResource", "kms:UntagResource"),
		Delete: calls(self, "kms:ScheduleKeyDeletion"),
	},
	awstype.Alias: {
		Create: join(calls(self, "kms:CreateAlias"), calls(ref("targetKeyId"), "kms:CreateAlias")),
		Read:   calls(star, "kms:ListAliases"),
		Update: join(calls(self, "kms:UpdateAlias"), calls(ref("targetKeyId"), "kms:UpdateAlias")),
		Delete: join(calls(self, "kms:DeleteAlias"), calls(ref("targetKeyId"), "kms:DeleteAlias")),
	},
	awstype.Table: {
		// A table under a customer-managed key: DynamoDB checks the
		// caller's kms:DescribeKey on it, and creates a grant for itself on
		// the caller's behalf, which KMS authorizes as the caller's
		// kms:CreateGrant with kms:GrantIsForAWSResource and
		// kms:ViaService set ("How Amazon DynamoDB uses AWS KMS",
		// https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html,
		// and the key's kms:GrantIsForAWSResource condition key,
		// https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource).
		Create: join(calls(self, "dynamodb:CreateTable", "dynamodb:TagResource", "dynamodb:DescribeTable", "dynamodb:UpdateContinuousBackups",
			"dynamodb:DescribeContinuousBackups", "dynamodb:DescribeTimeToLive", "dynamodb:ListTagsOfResource"),
			calls(ref("serverSideEncryption.kmsKeyArn"), "kms:DescribeKey"),
			withContext(calls(ref("serverSideEncryption.kmsKeyArn"), "kms:CreateGrant"), grantFor("dynamodb"))),
		Read:   calls(self, "dynamodb:DescribeTable", "dynamodb:DescribeContinuousBackups", "dynamodb:DescribeTimeToLive", "dynamodb:ListTagsOfResource"),
		Update: calls(self, "dynamodb:UpdateTable", "dynamodb:DescribeTable"),
		UpdateWhen: map[string][]Call{
			"pointInTimeRecovery": calls(self, "dynamodb:UpdateContinuousBackups"),
			"tags":                calls(self, "dynamodb:TagResource", "dynamodb:UntagResource"),
			// A table moved under another key has DynamoDB grant itself
			// that key, on the caller's behalf, as at creation.
			"serverSideEncryption": join(calls(ref("serverSideEncryption.kmsKeyArn"), "kms:DescribeKey"),
				withContext(calls(ref("serverSideEncryption.kmsKeyArn"), "kms:CreateGrant"), grantFor("dynamodb"))),
		},
		Delete: calls(self, "dynamodb:DeleteTable", "dynamodb:DescribeTable"),
	},
	awstype.TableResourcePolicy: {
		Create: calls(ref("resourceArn"), "dynamodb:PutResourcePolicy", "dynamodb:GetResourcePolicy"),
		Read:   calls(ref("resourceArn"), "dynamodb:GetResourcePolicy"),
		Update: calls(ref("resourceArn"), "dynamodb:PutResourcePolicy"),
		Delete: calls(ref("resourceArn"), "dynamodb:DeleteResourcePolicy"),
	},
	awstype.ScalingTarget: {
		Create: calls(star, "application-autoscaling:RegisterScalableTarget", "application-autoscaling:DescribeScalableTargets", "application-autoscaling:TagResource"),
		Read:   calls(star, "application-autoscaling:DescribeScalableTargets", "application-autoscaling:ListTagsForResource"),
		Update: calls(star, "application-autoscaling:RegisterScalableTarget"),
		Delete: calls(star, "application-autoscaling:DeregisterScalableTarget"),
	},
	awstype.ScalingPolicy: {
		Create: calls(star, "application-autoscaling:PutScalingPolicy", "application-autoscaling:DescribeScalingPolicies"),
		Read:   calls(star, "application-autoscaling:DescribeScalingPolicies"),
		Update: calls(star, "application-autoscaling:PutScalingPolicy"),
		Delete: calls(star, "application-autoscaling:DeleteScalingPolicy"),
	},
	awstype.Bucket: {
		// Object Lock is enabled with the bucket: S3 checks the Object Lock
		// and versioning permissions on CreateBucket.
		Create: join(calls(self, "s3:CreateBucket", "s3:PutBucketObjectLockConfiguration", "s3:PutBucketVersioning", "s3:PutBucketTagging"), s3BucketReads),
		Read:   s3BucketReads,
		Update: calls(self, "s3:PutBucketTagging"),
		// forceDestroy: every version, locked ones by bypassing governance
		// retention, then the bucket.
		Delete: join(calls(self, "s3:ListBucketVersions", "s3:DeleteBucket"), calls(Target{Input: objectsOf}, "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention")),
	},
	awstype.BucketVersioning: bucketSetting("s3:PutBucketVersioning", "s3:GetBucketVersioning", "s3:PutBucketVersioning"),
	awstype.BucketEncryption: bucketSetting(
		"s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration"),
	awstype.BucketPublicAccessBlock: bucketSetting("s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock"),
	awstype.BucketOwnershipControls: bucketSetting("s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls", "s3:PutBucketOwnershipControls"),
	awstype.BucketPolicy:            bucketSetting("s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"),
	// S3 checks the caller on the source bucket only; the target bucket's
	// policy lets the logging service write.
	awstype.BucketLogging: bucketSetting("s3:PutBucketLogging", "s3:GetBucketLogging", "s3:PutBucketLogging"),
	awstype.BucketLifecycle: bucketSetting(
		"s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration"),
	// Object Lock cannot be switched off: its delete only forgets it.
	awstype.BucketObjectLock: bucketSetting(
		"s3:PutBucketObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration"),
	awstype.LogGroup: {
		Create: join(calls(self, "logs:CreateLogGroup", "logs:TagResource", "logs:PutRetentionPolicy", "logs:ListTagsForResource"), calls(star, "logs:DescribeLogGroups")),
		Read:   join(calls(star, "logs:DescribeLogGroups"), calls(self, "logs:ListTagsForResource")),
		Update: calls(self, "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:AssociateKmsKey", "logs:DisassociateKmsKey",
			"logs:TagResource", "logs:UntagResource"),
		Delete: calls(self, "logs:DeleteLogGroup"),
	},
	awstype.Function: {
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
	awstype.MetricAlarm: {
		Create: calls(self, "cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"),
		Read:   calls(self, "cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"),
		Update: calls(self, "cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:UntagResource"),
		Delete: calls(self, "cloudwatch:DeleteAlarms"),
	},
	awstype.Dashboard: {
		Create: calls(self, "cloudwatch:PutDashboard", "cloudwatch:GetDashboard"), Read: calls(self, "cloudwatch:GetDashboard"),
		Update: calls(self, "cloudwatch:PutDashboard"), Delete: calls(self, "cloudwatch:DeleteDashboards"),
	},
	awstype.Topic: {
		Create: calls(self, "sns:CreateTopic", "sns:TagResource", "sns:SetTopicAttributes", "sns:GetTopicAttributes", "sns:ListTagsForResource"),
		Read:   calls(self, "sns:GetTopicAttributes", "sns:ListTagsForResource"),
		Update: calls(self, "sns:SetTopicAttributes", "sns:TagResource", "sns:UntagResource"),
		Delete: calls(self, "sns:DeleteTopic"),
	},
	awstype.TopicSubscription: {
		Create: calls(ref("topic"), "sns:Subscribe", "sns:GetSubscriptionAttributes"), Read: calls(ref("topic"), "sns:GetSubscriptionAttributes"),
		Update: calls(ref("topic"), "sns:SetSubscriptionAttributes"), Delete: calls(ref("topic"), "sns:Unsubscribe"),
	},
}

// Invokes are the provider's data sources the programs call, with their API
// calls (getRegion is answered from the provider's configuration).
var Invokes = map[string][]Call{
	awstype.GetAvailabilityZones: calls(star, "ec2:DescribeAvailabilityZones"),
	awstype.GetCallerIdentity:    calls(star, "sts:GetCallerIdentity"),
	awstype.GetRegion:            nil,
}

// objectsOf stands for a bucket's objects ("<bucket ARN>/*").
const objectsOf = "\x00objects"

// callsOf lists the calls of op on a resource of type typ.
// updateCalls are the calls of an update that changes these inputs.
func updateCalls(typ string, olds, news resource.PropertyMap) []Call {
	row := Calls[typ]
	list := row.Update
	for _, key := range sortedKeys(row.UpdateWhen) {
		k := resource.PropertyKey(key)
		if !olds[k].DeepEquals(news[k]) {
			list = append(slices.Clone(list), row.UpdateWhen[key]...)
		}
	}
	return list
}

func sortedKeys(m map[string][]Call) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func callsOf(typ string, op Op) ([]Call, bool) {
	row, ok := Calls[typ]
	if !ok {
		return nil, false
	}
	switch op {
	case OpCreate:
		return row.Create, true
	case OpRead:
		return row.Read, true
	case OpUpdate:
		return row.Update, true
	}
	return row.Delete, true
}

// CallTypes lists the types the table covers, sorted.
func CallTypes() []string {
	out := make([]string, 0, len(Calls))
	for t := range Calls {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// input reads a string input by its path ("serverSideEncryption.kmsKeyArn"),
// through secrets; "" when it is not a string.
func input(in resource.PropertyMap, path string) string {
	v := resource.NewObjectProperty(in)
	for _, key := range strings.Split(path, ".") {
		for v.IsSecret() {
			v = v.SecretValue().Element
		}
		if !v.IsObject() {
			return ""
		}
		v = v.ObjectValue()[resource.PropertyKey(key)]
	}
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	if v.IsString() {
		return v.StringValue()
	}
	return ""
}

// strs reads a string or a list of strings.
func strs(in resource.PropertyMap, path string) []string {
	if s := input(in, path); s != "" {
		return []string{s}
	}
	v, ok := in[resource.PropertyKey(path)]
	if !ok || !v.IsArray() {
		return nil
	}
	var out []string
	for _, e := range v.ArrayValue() {
		if e.IsString() {
			out = append(out, e.StringValue())
		}
	}
	return out
}

// tagsOf reads a resource's tags input.
func tagsOf(in resource.PropertyMap) map[string]string {
	out := map[string]string{}
	v, ok := in["tags"]
	if !ok || !v.IsObject() {
		return out
	}
	for k, t := range v.ObjectValue() {
		if t.IsString() {
			out[string(k)] = t.StringValue()
		}
	}
	return out
}
