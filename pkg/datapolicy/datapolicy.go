// Package datapolicy writes the resource policies of an environment's
// payment data: its key, its table and its audit bucket. With a break-glass
// role (prod), each is written when its resource is created and forbids,
// from then on, what would destroy the data or put it out of reach to
// everyone but that role. It has no Pulumi dependency, so the bootstrap's
// and the policy's evaluations use the documents the layers write, and
// the payment function's code does not carry it.
package datapolicy

import (
	"fmt"

	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/naming"
)

// OnlyBreakGlass is the statement a resource's own policy carries, written
// when the resource is created, so that afterwards nobody but the
// break-glass role may make these requests: not the deployer, whatever its
// own documents say, nor any other principal of the account (the account's
// root aside, which no policy can stop; the organisation's SCP guards its
// administrators).
func OnlyBreakGlass(sid, breakGlassRole string, actions []string, resources ...string) iampolicy.Statement {
	return iampolicy.Statement{
		Sid: sid, Effect: iampolicy.Deny, Principal: iampolicy.Principals{"AWS": {"*"}}, Action: actions, Resource: resources,
		Condition: iampolicy.Condition{"ArnNotEquals": {"aws:PrincipalArn": {breakGlassRole}}},
	}
}

// KeyPolicy is the key's policy. The account statement lets IAM policies
// grant use of the key (the workload boundary and roles then decide); the
// service statements are what an AWS-managed key cannot give: CloudWatch
// publishing alarms to the encrypted topic, and CloudWatch Logs encrypting
// this environment's log groups.
func KeyPolicy(s iampolicy.Scope, names naming.Namer, breakGlassRole string) iampolicy.Document {
	logGroups := s.LogGroup(fmt.Sprintf("/aws/*-%s-%s", names.Env(), names.Suffix()))
	d := iampolicy.New(
		iampolicy.Statement{
			Sid: "EnableIAMPoliciesOfThisAccount", Effect: iampolicy.Allow,
			Principal: map[string]iampolicy.Strings{"AWS": {s.AccountRoot()}},
			Action:    []string{"kms:*"}, Resource: []string{"*"},
		},
		iampolicy.Statement{
			Sid: "CloudWatchAlarmsPublishToTheEncryptedTopic", Effect: iampolicy.Allow,
			Principal: map[string]iampolicy.Strings{"Service": {"cloudwatch.amazonaws.com"}},
			Action:    []string{"kms:Decrypt", "kms:GenerateDataKey*"}, Resource: []string{"*"},
			Condition: iampolicy.Condition{"StringEquals": {"aws:SourceAccount": {s.Account}}},
		},
		iampolicy.Statement{
			Sid: "CloudWatchLogsEncryptThisEnvironmentsLogGroups", Effect: iampolicy.Allow,
			Principal: map[string]iampolicy.Strings{"Service": {s.ServiceEndpoint("logs")}},
			Action:    []string{"kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"},
			Resource:  []string{"*"},
			Condition: iampolicy.Condition{"ArnLike": {"kms:EncryptionContext:aws:logs:arn": {logGroups}}},
		},
	)
	if breakGlassRole != "" {
		d.Statement = append(d.Statement, OnlyBreakGlass("OnlyBreakGlassDisablesOrDeletesTheKey", breakGlassRole, KeyProtectedActions, "*"))
	}
	return d
}

// KeyProtectedActions are what only the break-glass role may do to a key
// that has one: each makes everything encrypted under the key unreadable,
// or lets someone else decide that.
var KeyProtectedActions = []string{"kms:DisableKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"}

// TableProtectedActions are what only the break-glass role may do to a
// table that has one. Backups are resources of their own, which a table's
// policy does not cover: the deployer's prod guardrail denies their
// deletion.
var TableProtectedActions = []string{
	"dynamodb:DeleteResourcePolicy", "dynamodb:DeleteTable", "dynamodb:PutResourcePolicy", "dynamodb:UpdateContinuousBackups",
}

// TablePolicy is the table's resource policy with a break-glass role.
func TablePolicy(s iampolicy.Scope, table, breakGlassRole string) iampolicy.Document {
	return iampolicy.New(OnlyBreakGlass("OnlyBreakGlassDestroysTransactions", breakGlassRole, TableProtectedActions, s.Table(table)))
}

// AuditBucketPolicy denies every request to the bucket that is not over TLS and,
// with a break-glass role, every change that weakens the audit trail by
// anyone else.
func AuditBucketPolicy(bucket, breakGlassRole string) iampolicy.Document {
	d := iampolicy.New(iampolicy.Statement{
		Sid:       "DenyInsecureTransport",
		Effect:    "Deny",
		Principal: map[string]iampolicy.Strings{"AWS": {"*"}},
		Action:    []string{"s3:*"},
		Resource:  []string{iampolicy.Bucket(bucket), iampolicy.Bucket(bucket) + "/*"},
		Condition: iampolicy.Condition{"Bool": {"aws:SecureTransport": {"false"}}},
	})
	if breakGlassRole != "" {
		d.Statement = append(d.Statement, OnlyBreakGlass("OnlyBreakGlassWeakensTheAuditTrail", breakGlassRole, AuditTrailProtectedActions,
			iampolicy.Bucket(bucket), iampolicy.Bucket(bucket)+"/*"))
	}
	return d
}

// AuditTrailProtectedActions are what only the break-glass role may do to an
// audit bucket that has one.
var AuditTrailProtectedActions = []string{
	"s3:BypassGovernanceRetention", "s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:DeleteObjectVersion", "s3:PutBucketObjectLockConfiguration",
	"s3:PutBucketLogging", "s3:PutBucketPolicy", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration",
	"s3:PutObjectRetention",
}
