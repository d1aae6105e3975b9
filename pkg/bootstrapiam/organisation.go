package bootstrapiam

import (
	"fmt"
	"slices"
	"strings"

	"github.com/acmepay/platform/pkg/iampolicy"
)

// No IAM condition key limits what a trust policy says, a role's boundary
// cannot stop another account from assuming it, and an account's root can
// always rewrite a bucket or key policy. What must hold against an account
// administrator rests on the organisation's guardrails, which bootstrap
// hands to the organisation's administrator (docs/bootstrap.md):
//   - the service control policy, over the environments' accounts: only the
//     bootstrap administrator and the break-glass role touch what bootstrap
//     owns;
//   - the resource control policy: S3 and KMS resources only for the
//     organisation's principals and AWS services, and the workload roles
//     assumable only by AWS services.

// ServiceControlPolicy is attached to the organisational unit holding the
// three environments' accounts.
//
// It names what bootstrap owns in any account of the unit (the account
// `*`): the names are the same in every account but for the environment's
// own, so the document grows by an environment's workload boundary and
// access-log bucket only, not by every role and policy again (an SCP holds
// 5,120 characters).
func (t Tooling) ServiceControlPolicy() iampolicy.Document {
	var owned, admins []string
	for _, a := range t.Accounts {
		owned = appendAnyAccount(owned, a.Profile.AccountID, a.Owned()...)
		owned = appendAnyAccount(owned, a.Profile.AccountID, a.VersionParameterArn(), iampolicy.Bucket(a.Workload().AccessLogBucket()), iampolicy.Bucket(a.Workload().AccessLogBucket())+"/*")
	}
	admins = append(admins, fmt.Sprintf("arn:aws:iam::*:role/%s", t.Pipeline.AdminRole), fmt.Sprintf("arn:aws:iam::*:role/%s", BreakGlassRoleName))
	return iampolicy.New(
		iampolicy.Statement{Sid: "FullAWSAccess", Effect: iampolicy.Allow, Action: []string{"*"}, Resource: []string{"*"}},
		iampolicy.Statement{
			Sid: "OnlyTheAdministratorChangesWhatBootstrapOwns", Effect: iampolicy.Deny, Resource: owned,
			// Assuming a role changes nothing: the role's trust decides who
			// may, and nobody but the administrator may change a trust.
			// Without it nobody could assume the break-glass role in an
			// incident.
			NotAction: []string{"iam:Get*", "iam:List*", "ssm:GetParameter*", "ssm:DescribeParameters", "s3:Get*", "s3:List*", "sts:AssumeRole"},
			Condition: iampolicy.Condition{"ArnNotLike": {"aws:PrincipalArn": admins}},
		},
	)
}

// ResourceControlPolicy is attached to the same organisational unit, and to
// the tooling account. It only denies: AWS attaches its own RCPFullAWSAccess
// to every root, OU and account when RCPs are enabled, and a customer RCP
// may not allow (AWS Organizations, "RCP syntax").
func (t Tooling) ResourceControlPolicy() iampolicy.Document {
	var workloadRoles []string
	for _, a := range t.Accounts {
		workloadRoles = appendAnyAccount(workloadRoles, a.Profile.AccountID, a.workloadPath())
	}
	return iampolicy.New(
		iampolicy.Statement{
			Sid: "OnlyTheOrganisationReachesDataAndKeys", Effect: iampolicy.Deny, Principal: iampolicy.Everyone,
			Action: []string{"kms:*", "s3:*"}, Resource: []string{"*"},
			Condition: iampolicy.Condition{
				"StringNotEqualsIfExists": {"aws:PrincipalOrgID": {t.Pipeline.OrganizationID}},
				"BoolIfExists":            {"aws:PrincipalIsAWSService": {"false"}},
			},
		},
		iampolicy.Statement{
			Sid: "WorkloadRolesOnlyForAWSServices", Effect: iampolicy.Deny, Principal: iampolicy.Everyone,
			Action: []string{"sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"}, Resource: workloadRoles,
			Condition: iampolicy.Condition{"BoolIfExists": {"aws:PrincipalIsAWSService": {"false"}}},
		},
	)
}

// appendAnyAccount appends ARNs of an account with the account written as
// `*`, each once: the organisation's guardrails name what is alike in
// every account of their unit once.
func appendAnyAccount(list []string, account string, arns ...string) []string {
	for _, arn := range arns {
		arn = strings.Replace(arn, ":"+account+":", ":*:", 1)
		if !slices.Contains(list, arn) {
			list = append(list, arn)
		}
	}
	return list
}
