// Package workload is what the platform's workload roles may do: the payment
// function's execution role and the VPC flow-log role. Their inline policies
// and the environment's permissions boundary are built here from the same
// values, so the boundary is exactly the union of what the roles need, plus
// explicit denies that no identity policy can undo. It has no Pulumi
// dependency: the function's own code imports the actions it declares from
// here.
package workload

import (
	"fmt"
	"slices"
	"strings"

	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/naming"
)

// The calls the payment function makes, by client. compute/payment's client
// interfaces are tested against these lists.
var (
	TableActions      = []string{"dynamodb:GetItem", "dynamodb:PutItem"}
	AuditWriteActions = []string{"s3:PutObject"}
	// LogWriteActions write a function's own log streams.
	LogWriteActions = []string{"logs:CreateLogStream", "logs:PutLogEvents"}
	// FlowLogActions are what VPC Flow Logs calls with the flow-log role.
	FlowLogActions = []string{"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"}
	// KeyActions let DynamoDB and S3 use the environment's key on the
	// function's behalf: reading items and records encrypted under it, and
	// encrypting new ones.
	KeyActions = []string{"kms:Decrypt", "kms:GenerateDataKey"}
)

// Unscoped is a grant IAM offers only on Resource "*", with the reason.
type Unscoped struct {
	Sid     string
	Actions []string
	Reason  string
}

// UnscopedGrants are the only statements of the platform's workload roles on
// Resource "*". Every other grant names this environment's ARNs.
var UnscopedGrants = []Unscoped{
	{
		Sid: "VpcNetworkInterfacesHaveNoResourceLevelPermissions",
		Actions: []string{
			"ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
			"ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:UnassignPrivateIpAddresses",
		},
		Reason: "Lambda creates and removes the elastic network interfaces of a VPC function with the function's role; " +
			"EC2 authorises the Describe calls only on \"*\", and Create/Delete before the interface exists",
	},
	{
		Sid:     "TraceWritesHaveNoResourceLevelPermissions",
		Actions: []string{"xray:PutTelemetryRecords", "xray:PutTraceSegments"},
		Reason:  "X-Ray trace writes have no resource type in IAM: they can only be granted on \"*\"",
	},
}

// UnscopedActions lists every action of UnscopedGrants.
func UnscopedActions() []string {
	var out []string
	for _, u := range UnscopedGrants {
		out = append(out, u.Actions...)
	}
	return out
}

// Environment names the resources of one environment that workload roles
// reach. Every name comes from the environment's Namer.
type Environment struct {
	Scope iampolicy.Scope
	Names naming.Namer
	// KeyArn is the environment key's ARN where it is known (a deployed or
	// planned environment); the boundary does not need it.
	KeyArn string
}

// RolePath is the IAM path of every role the layers create: a role the
// deployer makes is recognisable by it, and the deployer may create roles
// nowhere else.
const RolePath = "/payments-workload/"

// RoleArn is the ARN of a workload role of the environment.
func (e Environment) RoleArn(name string) string { return e.Scope.RoleAt(RolePath, name) }

// AuditPrefix is where workload roles write audit records in the audit
// bucket.
const AuditPrefix = "audit/"

// KeyAliasesKey is the condition key holding every alias of the KMS key a
// request names.
const KeyAliasesKey = "kms:ResourceAliases"

// Table is the transactions table's name.
func (e Environment) Table() string {
	return e.must(e.Names.Name(naming.DynamoDB, naming.TransactionsTable))
}

// Bucket is the audit bucket's name.
func (e Environment) Bucket() string {
	return e.must(e.Names.Name(naming.S3Bucket, naming.AuditBucket))
}

// AccessLogBucket is the audit bucket's access-log bucket's name: the
// account's bootstrap owns it, where neither a workload nor the deployer
// can change it.
func (e Environment) AccessLogBucket() string {
	return e.must(e.bootstrapNames().Name(naming.S3Bucket, naming.AuditAccessLogs))
}

// bootstrapNames name what the account's bootstrap owns for the
// environment. Every review environment of an account shares one of each,
// named for the environments file's review block ("-review-").
func (e Environment) bootstrapNames() naming.Namer {
	if strings.HasPrefix(e.Names.Env(), naming.ReviewPrefix) {
		return naming.New(naming.ReviewOwner, e.Names.Suffix())
	}
	return e.Names
}

// AccessLogPrefix is where the audit bucket's access logs go in it.
const AccessLogPrefix = "audit-logs/"

// FlowLogGroup is the VPC flow-log group's name.
func (e Environment) FlowLogGroup() string {
	vpc := e.must(e.Names.Name(naming.Tag, naming.VPC))
	return e.must(e.Names.LogGroup(naming.FlowLogLogPath, vpc))
}

// FlowLogRole is the VPC flow-log role's name.
func (e Environment) FlowLogRole() string {
	return e.must(e.Names.Name(naming.IAMRole, naming.FlowLogRole))
}

// KeyAlias is the environment key's alias ("alias/payments-prod-pay01").
func (e Environment) KeyAlias() string {
	return "alias/" + e.must(e.Names.Name(naming.KMSAlias, naming.EnvironmentKey))
}

// FunctionLogGroups matches the log group of every function of the
// environment (/aws/lambda/<kind>-<env>-<suffix>).
func (e Environment) FunctionLogGroups() string {
	return fmt.Sprintf("%s/*-%s-%s", naming.LambdaLogPath, e.Names.Env(), e.Names.Suffix())
}

// BoundaryName is the name of the environment's permissions boundary.
func (e Environment) BoundaryName() string {
	return e.must(e.bootstrapNames().Name(naming.IAMPolicy, naming.PermissionsBoundary))
}

// BoundaryArn is the ARN of the environment's permissions boundary.
func (e Environment) BoundaryArn() string { return e.Scope.Policy(e.BoundaryName()) }

// must panics on a name the Namer refuses: the types above are constants
// whose names fit every limit for any valid suffix (the naming tests hold
// them to the longest one).
func (e Environment) must(name string, err error) string {
	if err != nil {
		panic(err)
	}
	return name
}

// Function is what one function's role reaches.
type Function struct {
	Table, Bucket, AuditPrefix, LogGroup, KeyArn string
}

// FunctionStatements are the statements of a function's execution policy.
func FunctionStatements(s iampolicy.Scope, f Function) []iampolicy.Statement {
	out := []iampolicy.Statement{
		{Sid: "TransactionsTable", Effect: iampolicy.Allow, Action: TableActions,
			Resource: []string{s.Table(f.Table), s.Indexes(f.Table)}},
		{Sid: "AuditRecords", Effect: iampolicy.Allow, Action: AuditWriteActions,
			Resource: []string{iampolicy.Object(f.Bucket, f.AuditPrefix)}},
		{Sid: "OwnLogGroup", Effect: iampolicy.Allow, Action: LogWriteActions,
			Resource: []string{s.LogGroup(f.LogGroup), s.LogStreams(f.LogGroup)}},
		{Sid: "EnvironmentKeyThroughDynamoDB", Effect: iampolicy.Allow, Action: KeyActions, Resource: []string{f.KeyArn},
			Condition: iampolicy.Condition{"StringEquals": {"kms:ViaService": {s.ServiceEndpoint("dynamodb")}}}},
		{Sid: "EnvironmentKeyThroughS3", Effect: iampolicy.Allow, Action: KeyActions, Resource: []string{f.KeyArn},
			Condition: iampolicy.Condition{"StringEquals": {"kms:ViaService": {s.ServiceEndpoint("s3")}}}},
	}
	for _, u := range UnscopedGrants {
		out = append(out, iampolicy.Statement{Sid: u.Sid, Effect: iampolicy.Allow, Action: u.Actions, Resource: []string{"*"}})
	}
	return out
}

// FlowLogStatements are the flow-log role's statements: its own log group.
func FlowLogStatements(s iampolicy.Scope, logGroup string) []iampolicy.Statement {
	return []iampolicy.Statement{{
		Sid: "WriteOwnLogGroupOnly", Effect: iampolicy.Allow, Action: FlowLogActions,
		Resource: []string{s.LogGroup(logGroup), s.LogStreams(logGroup)},
	}}
}

// Boundary is the environment's permissions boundary: the union of every
// workload role's grants, as allow statements (so no identity policy can
// reach beyond them), then the explicit denies.
//
// Bootstrap creates the boundary before any layer has created the
// environment's key, so the boundary names the key by its alias
// (kms:ResourceAliases, a multivalued key) rather than by its random ARN.
func Boundary(e Environment, auditPrefix string) iampolicy.Document {
	fn := FunctionStatements(e.Scope, Function{
		Table: e.Table(), Bucket: e.Bucket(), AuditPrefix: auditPrefix, LogGroup: e.FunctionLogGroups(), KeyArn: e.Scope.Key("*"),
	})
	var st []iampolicy.Statement
	for _, s := range append(fn, FlowLogStatements(e.Scope, e.FlowLogGroup())...) {
		s.Sid = "Ceiling" + s.Sid
		if slices.Equal(s.Resource, []string{e.Scope.Key("*")}) {
			op := "ForAnyValue:StringEquals"
			if e.Names.IsPattern() {
				op = "ForAnyValue:StringLike" // every review environment's alias
			}
			s.Condition[op] = map[string]iampolicy.Values{KeyAliasesKey: {e.KeyAlias()}}
		}
		st = append(st, s)
	}
	return iampolicy.New(append(st, Denies(e)...)...)
}

// Denied is one explicit deny of the boundary: what no workload role may
// ever do, whatever an identity policy grants.
type Denied struct {
	Sid       string
	Actions   []string
	Resources []string
	Condition iampolicy.Condition
}

// DeniedActions are the explicit denies, with the resources they cover.
func DeniedActions(e Environment) []Denied {
	all := []string{"*"}
	boundaries := e.Scope.Policy(naming.PermissionsBoundary + "-*")
	return []Denied{
		{Sid: "DenyOtherRegions", Actions: all, Resources: all,
			Condition: iampolicy.Condition{"StringNotEquals": {"aws:RequestedRegion": {e.Scope.Region}}}},
		{Sid: "DenyOtherAccounts", Actions: all, Resources: all,
			// Only where the request names a resource account: X-Ray and
			// network-interface calls carry none and must keep working.
			// (StringNotEqualsIfExists would do the opposite: an absent key
			// makes an IfExists condition true, so the deny would apply.)
			Condition: iampolicy.Condition{
				"StringNotEquals": {"aws:ResourceAccount": {e.Scope.Account}},
				"Null":            {"aws:ResourceAccount": {"false"}},
			}},
		{Sid: "DenyBoundaryChanges", Resources: []string{boundaries}, Actions: []string{
			"iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion",
			"iam:TagPolicy", "iam:UntagPolicy",
		}},
		{Sid: "DenyPrivilegeEscalation", Resources: all, Actions: []string{
			"iam:AddUserToGroup", "iam:AttachGroupPolicy", "iam:AttachRolePolicy", "iam:AttachUserPolicy",
			"iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:CreatePolicy", "iam:CreateRole", "iam:CreateUser",
			"iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary", "iam:PassRole",
			"iam:PutGroupPolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:PutUserPermissionsBoundary",
			"iam:PutUserPolicy", "iam:UpdateAssumeRolePolicy", "iam:UpdateLoginProfile",
			"sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity",
		}},
		{Sid: "DenyAuditRecordReadsAndChanges", Resources: all, Actions: []string{
			"s3:BypassGovernanceRetention", "s3:DeleteObject", "s3:DeleteObjectTagging", "s3:DeleteObjectVersion",
			"s3:GetObject", "s3:GetObjectVersion", "s3:PutObjectAcl", "s3:PutObjectLegalHold", "s3:PutObjectRetention",
			"s3:RestoreObject",
		}},
		{Sid: "DenyAuditBucketChanges", Resources: all, Actions: []string{
			"s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:PutBucketObjectLockConfiguration", "s3:PutBucketPolicy",
			"s3:PutBucketVersioning", "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration",
			"s3:PutBucketPublicAccessBlock", "s3:PutBucketOwnershipControls", "s3:PutBucketAcl",
		}},
		{Sid: "DenyTableReadsExportsAndDeletion", Resources: all, Actions: []string{
			"dynamodb:BatchWriteItem", "dynamodb:CreateBackup", "dynamodb:DeleteBackup", "dynamodb:DeleteItem",
			"dynamodb:DeleteTable", "dynamodb:ExportTableToPointInTime", "dynamodb:PartiQLDelete", "dynamodb:PartiQLSelect",
			"dynamodb:Query", "dynamodb:RestoreTableFromBackup", "dynamodb:RestoreTableToPointInTime", "dynamodb:Scan",
			"dynamodb:UpdateContinuousBackups", "dynamodb:UpdateTable",
		}},
		{Sid: "DenyLogDeletionAndRetentionChanges", Resources: all, Actions: []string{
			"logs:AssociateKmsKey", "logs:DeleteLogGroup", "logs:DeleteLogStream", "logs:DeleteRetentionPolicy",
			"logs:DisassociateKmsKey", "logs:PutRetentionPolicy",
		}},
		{Sid: "DenyCloudTrailChanges", Resources: all, Actions: []string{
			"cloudtrail:DeleteTrail", "cloudtrail:PutEventSelectors", "cloudtrail:PutInsightSelectors",
			"cloudtrail:StopLogging", "cloudtrail:UpdateTrail",
		}},
		{Sid: "DenyKeyChanges", Resources: all, Actions: []string{
			"kms:CreateGrant", "kms:DeleteAlias", "kms:DisableKey", "kms:DisableKeyRotation", "kms:PutKeyPolicy",
			"kms:ScheduleKeyDeletion", "kms:UpdateAlias", "kms:UpdateKeyDescription",
		}},
		{Sid: "DenyFunctionChanges", Resources: all, Actions: []string{
			"lambda:AddPermission", "lambda:CreateFunctionUrlConfig", "lambda:DeleteFunction",
			"lambda:DeleteFunctionConcurrency", "lambda:PublishVersion", "lambda:PutFunctionConcurrency",
			"lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:UpdateFunctionUrlConfig",
		}},
	}
}

// Denies are DeniedActions as statements.
func Denies(e Environment) []iampolicy.Statement {
	var out []iampolicy.Statement
	for _, d := range DeniedActions(e) {
		out = append(out, iampolicy.Statement{
			Sid: d.Sid, Effect: iampolicy.Deny, Action: slices.Sorted(slices.Values(d.Actions)), Resource: d.Resources, Condition: d.Condition,
		})
	}
	return out
}
