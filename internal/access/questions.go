package access

import (
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/naming"
	"github.com/acmepay/platform/pkg/workload"
)

// Check is a question with the answer a reviewer expects: allowed or not.
type Check struct {
	Question
	Allowed bool
}

// Names are the physical names and ARNs the questions of one environment
// use, from the same Namer the layers use.
type Names struct {
	workload.Environment
	FunctionRole, LogGroup, KeyArn string
}

// NamesFor returns the names of env's resources; keyArn is the key's ARN as
// the manifest records it.
func NamesFor(scope iampolicy.Scope, env, suffix, keyArn string) Names {
	n := naming.New(env, suffix)
	fn, _ := n.Name(naming.Lambda, "payment-processor")
	role, _ := n.Name(naming.IAMRole, "payment-processor-role")
	group, _ := n.LogGroup(naming.LambdaLogPath, fn)
	return Names{
		Environment:  workload.Environment{Scope: scope, Names: n, KeyArn: keyArn},
		FunctionRole: role, LogGroup: group, KeyArn: keyArn,
	}
}

// FunctionChecks are the access questions of the payment function's role, as
// deployed (its own policies and boundary): what it must be able to do, and
// what it must not. other is another environment's names (another account).
func FunctionChecks(n, other Names) []Check {
	s := n.Scope
	table, index := s.Table(n.Table()), s.Indexes(n.Table())
	audit := iampolicy.Bucket(n.Bucket()) + "/audit/2026/11/27/txn_0.json"
	group := s.LogGroup(n.LogGroup)
	stream := s.LogGroup(n.LogGroup) + ":log-stream:2026/11/27/[$LATEST]abc"
	viaDynamo := map[string]string{"kms:ViaService": s.ServiceEndpoint("dynamodb")}
	viaS3 := map[string]string{"kms:ViaService": s.ServiceEndpoint("s3")}
	foreign := map[string]string{"aws:ResourceAccount": other.Scope.Account}
	ask := func(action, resource string, ctx map[string]string) Question {
		return Question{Role: n.FunctionRole, Action: action, Resource: resource, Context: ctx}
	}
	may := func(action, resource string, ctx map[string]string) Check {
		return Check{ask(action, resource, ctx), true}
	}
	mayNot := func(action, resource string, ctx map[string]string) Check {
		return Check{ask(action, resource, ctx), false}
	}
	return []Check{
		// What the function does.
		may("dynamodb:PutItem", table, nil),
		may("dynamodb:GetItem", table, nil),
		may("dynamodb:GetItem", index, nil),
		may("s3:PutObject", audit, map[string]string{"aws:SecureTransport": "true"}),
		may("logs:CreateLogStream", group, nil),
		may("logs:PutLogEvents", stream, nil),
		may("xray:PutTraceSegments", "*", map[string]string{"aws:ResourceAccount": ""}),
		may("ec2:CreateNetworkInterface", "*", map[string]string{"aws:ResourceAccount": ""}),
		may("kms:Decrypt", n.KeyArn, viaDynamo),
		may("kms:GenerateDataKey", n.KeyArn, viaS3),
		// What it never may.
		mayNot("dynamodb:Scan", table, nil),
		mayNot("dynamodb:Query", index, nil),
		mayNot("dynamodb:DeleteItem", table, nil),
		mayNot("dynamodb:UpdateItem", table, nil),
		mayNot("dynamodb:BatchWriteItem", table, nil),
		mayNot("dynamodb:PutItem", table, map[string]string{"aws:RequestedRegion": "eu-west-1"}),
		mayNot("s3:GetObject", audit, nil),
		mayNot("s3:DeleteObject", audit, nil),
		mayNot("s3:PutObject", iampolicy.Bucket(n.Bucket())+"/other/x.json", nil),
		mayNot("s3:PutObject", audit, map[string]string{"aws:SecureTransport": "false"}),
		mayNot("s3:PutObjectRetention", audit, nil),
		mayNot("logs:PutLogEvents", s.LogStreams("/aws/lambda/other-function"), nil),
		mayNot("logs:DeleteLogGroup", group, nil),
		mayNot("kms:Decrypt", n.KeyArn, nil),
		mayNot("sts:AssumeRole", s.Role("payments-pipeline-deployer"), nil),
		mayNot("iam:PassRole", n.RoleArn(n.FunctionRole), nil),
		mayNot("lambda:InvokeFunction", s.Function("payment-processor-"+n.Names.Env()+"-"+n.Names.Suffix()), nil),
		// Another environment's resources (another account).
		mayNot("dynamodb:PutItem", other.Scope.Table(other.Table()), foreign),
		mayNot("dynamodb:GetItem", other.Scope.Table(other.Table()), foreign),
		mayNot("s3:PutObject", iampolicy.Bucket(other.Bucket())+"/audit/x.json", foreign),
		mayNot("kms:Decrypt", other.KeyArn, map[string]string{"kms:ViaService": s.ServiceEndpoint("dynamodb"), "aws:ResourceAccount": other.Scope.Account}),
	}
}

// DangerousChecks are requests that the function's role must be denied even
// with an allow-all identity policy: the boundary alone must stop them.
func DangerousChecks(n Names) []Check { return DangerousFor(n, n.FunctionRole) }

// DangerousFor asks the dangerous requests of any workload role.
func DangerousFor(n Names, role string) []Check {
	s := n.Scope
	table := s.Table(n.Table())
	bucket := iampolicy.Bucket(n.Bucket())
	audit := bucket + "/audit/2026/11/27/txn_0.json"
	group := s.LogGroup(n.LogGroup)
	trail := s.Trail("organization-trail")
	fn := s.Function("payment-processor-" + n.Names.Env() + "-" + n.Names.Suffix())
	d := func(action, resource string, ctx map[string]string) Check {
		return Check{Question{Role: role, AllowAll: true, Action: action, Resource: resource, Context: ctx}, false}
	}
	return []Check{
		d("s3:GetObject", audit, nil),
		d("s3:GetObjectVersion", audit, nil),
		d("s3:DeleteObject", audit, nil),
		d("s3:DeleteObjectVersion", audit, nil),
		d("s3:PutObject", bucket+"/other/overwrite.json", nil),
		d("s3:BypassGovernanceRetention", audit, nil),
		d("s3:PutObjectRetention", audit, nil),
		d("s3:PutBucketPolicy", bucket, nil),
		d("s3:PutLifecycleConfiguration", bucket, nil),
		d("s3:PutBucketVersioning", bucket, nil),
		d("s3:PutBucketObjectLockConfiguration", bucket, nil),
		d("s3:PutEncryptionConfiguration", bucket, nil),
		d("s3:DeleteBucket", bucket, nil),
		d("dynamodb:Scan", table, nil),
		d("dynamodb:Query", table, nil),
		d("dynamodb:ExportTableToPointInTime", table, nil),
		d("dynamodb:DeleteTable", table, nil),
		d("dynamodb:DeleteItem", table, nil),
		d("dynamodb:UpdateContinuousBackups", table, nil),
		d("dynamodb:CreateBackup", table, nil),
		d("logs:DeleteLogGroup", group, nil),
		d("logs:PutRetentionPolicy", group, nil),
		d("cloudtrail:StopLogging", trail, nil),
		d("cloudtrail:DeleteTrail", trail, nil),
		d("kms:ScheduleKeyDeletion", n.KeyArn, nil),
		d("kms:DisableKey", n.KeyArn, nil),
		d("kms:PutKeyPolicy", n.KeyArn, nil),
		d("kms:Decrypt", n.KeyArn, nil),
		d("sts:AssumeRole", s.Role("payments-pipeline-deployer"), nil),
		d("iam:CreatePolicyVersion", n.BoundaryArn(), nil),
		d("iam:DeleteRolePermissionsBoundary", n.RoleArn(n.FunctionRole), nil),
		d("iam:PutRolePolicy", n.RoleArn(n.FunctionRole), nil),
		d("iam:CreateRole", s.Role("escalated"), nil),
		d("lambda:UpdateFunctionCode", fn, nil),
		d("lambda:UpdateFunctionConfiguration", fn, nil),
		d("dynamodb:PutItem", table, map[string]string{"aws:RequestedRegion": "eu-west-1"}),
		d("secretsmanager:GetSecretValue", s.Secret("any"), nil),
		d("ec2:CreateVpc", "*", nil),
	}
}
