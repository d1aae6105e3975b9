// Package bootstrapiam holds the IAM documents of what an account's bootstrap
// owns and no deployment may change: the pipeline's deployer and read-only
// roles (their trust, policy, boundary and guardrail), the break-glass role,
// the workload permissions boundary, the tooling account's state bucket and
// key, and the organisation's guardrails (a service control policy and a
// resource control policy). The bootstrap project applies them; the tests and
// `bootstrap:policies` evaluate them. It has no Pulumi dependency.
package bootstrapiam

import (
	"fmt"
	"slices"

	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/tagging"
	"github.com/acmepay/platform/pkg/workload"
)

// Project is the bootstrap project's name and directory; ToolingStack is
// its stack in the tooling account (the others are named for their
// environments).
const (
	Project      = "bootstrap"
	ToolingStack = "tooling"
)

// The names of what bootstrap creates in every account.
const (
	DeployerRoleName      = "payments-pipeline-deployer"
	ReadOnlyRoleName      = "payments-pipeline-readonly"
	BreakGlassRoleName    = "payments-break-glass"
	DeployerBoundaryName  = "payments-pipeline-deployer-boundary"
	DeployerGuardrailName = "payments-pipeline-deployer-guardrail"
	ReadOnlyPolicyName    = "payments-pipeline-readonly"
	// VersionParameter is the SSM parameter holding the account's bootstrap
	// version, which every deployment's preflight reads.
	VersionParameter = "/payments/bootstrap/version"
	// BreakGlassSessionSeconds is the break-glass role's longest session.
	BreakGlassSessionSeconds = 3600
)

// Version is the bootstrap version this code writes into an account, and
// the one every deployment needs: a deployment refuses an account whose
// version is older (or missing). Raise it whenever a bootstrap change must
// reach an account before the layers' code that relies on it. Version 2
// grants the pipeline roles the quota reads of the deployment's preflight.
const Version = 2

// GitHubOIDCProvider is the host of GitHub Actions' OIDC tokens.
const GitHubOIDCProvider = "token.actions.githubusercontent.com"

// Account is one environment's account, as its bootstrap sees it.
type Account struct {
	Profile  profile.Profile
	Pipeline profile.Pipeline
	// home is the account of the environment review environments run
	// beside, for Reviews' account; nil otherwise.
	home *Account
}

func (a Account) scope() iampolicy.Scope {
	return iampolicy.Scope{Region: a.Profile.Region, Account: a.Profile.AccountID}
}

func (a Account) env() string { return string(a.Profile.Environment) }

// Workload names the environment's resources as the layers name them.
func (a Account) Workload() workload.Environment {
	return workload.Environment{Scope: a.scope(), Names: a.namer()}
}

// Role is the ARN of one of the account's roles.
func (a Account) Role(name string) string { return a.scope().Role(name) }

// OIDCProvider is the ARN of GitHub's OIDC provider in the account.
func (a Account) OIDCProvider() string {
	return fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", a.Profile.AccountID, GitHubOIDCProvider)
}

// VersionParameterArn is the ARN of the bootstrap version parameter.
func (a Account) VersionParameterArn() string {
	return fmt.Sprintf("arn:aws:ssm:%s:%s:parameter%s", a.Profile.Region, a.Profile.AccountID, VersionParameter)
}

// Owned are the ARNs of everything bootstrap owns in the account: no
// deployment may change any of them.
func (a Account) Owned() []string {
	s := a.scope()
	return append([]string{
		s.Role(DeployerRoleName), s.Role(ReadOnlyRoleName), s.Role(BreakGlassRoleName),
		s.Policy(DeployerBoundaryName), s.Policy(DeployerGuardrailName), s.Policy(NetworkGuardrailNames[0]), s.Policy(NetworkGuardrailNames[1]),
		s.Policy(ReadOnlyPolicyName), s.Policy(BreakGlassGrantsName + "-*"), a.Home().Workload().BoundaryArn(), a.OIDCProvider(),
	}, a.reviewOwned()...)
}

// layerRoles matches every role the layers create (names end in the
// environment and suffix) and no role bootstrap owns.
func (a Account) layerRoles() string {
	return a.Workload().RoleArn(fmt.Sprintf("*-%s-%s", a.env(), a.Profile.Suffix))
}

// workloadPath matches every role on the workload roles' path.
func (a Account) workloadPath() string { return a.Workload().RoleArn("*") }

// functionRoles matches the execution roles of the environment's functions
// (<kind>-role-<env>-<suffix>).
func (a Account) functionRoles() string {
	return a.Workload().RoleArn(fmt.Sprintf("*-role-%s-%s", a.env(), a.Profile.Suffix))
}

func (a Account) inRegion() iampolicy.Condition {
	return iampolicy.Condition{"StringEquals": {"aws:RequestedRegion": {a.Profile.Region}}}
}

// Workflow files whose jobs assume the roles. A job of a reusable workflow
// carries the reusable workflow's file in its job_workflow_ref.
const (
	DeployWorkflow       = ".github/workflows/deploy-environment.yml"
	DriftWorkflow        = ".github/workflows/drift.yml"
	PullRequestWorkflow  = ".github/workflows/pull-request.yml"
	MainRef              = "refs/heads/main"
	readOnlyEnvSuffix    = "-readonly"
	subjectClaimTemplate = "repo:%s:environment:%s:job_workflow_ref:%s"
)

// SubjectClaimKeys is the repository's OIDC subject template
// (docs/bootstrap.md sets it): with it, a token's sub names the repository,
// the GitHub environment and the workflow file at its ref, so a trust can
// require main's workflows.
var SubjectClaimKeys = []string{"repo", "context", "job_workflow_ref"}

// ReadOnlyEnvironment is the GitHub environment holding an environment's
// read-only role.
func ReadOnlyEnvironment(env profile.Environment) string { return string(env) + readOnlyEnvSuffix }

// Subject is the sub claim of a token issued to a job in a GitHub
// environment, running workflow at ref (patterns allowed).
func (a Account) Subject(githubEnvironment, workflow, ref string) string {
	return fmt.Sprintf(subjectClaimTemplate, a.Pipeline.Repository, githubEnvironment, a.Pipeline.Repository+"/"+workflow+"@"+ref)
}

func (a Account) githubTrust(subjects ...string) iampolicy.Document {
	return iampolicy.New(iampolicy.Statement{
		Sid:       "GitHubWorkflowsOnly",
		Effect:    iampolicy.Allow,
		Principal: iampolicy.Principals{"Federated": {a.OIDCProvider()}},
		Action:    []string{"sts:AssumeRoleWithWebIdentity"},
		Condition: iampolicy.Condition{
			"StringEquals": {GitHubOIDCProvider + ":aud": {"sts.amazonaws.com"}},
			"StringLike":   {GitHubOIDCProvider + ":sub": subjects},
		},
	})
}

// DeployerTrust lets only the deployment workflow on main, in the
// environment's GitHub environment (whose protection rules hold prod's
// approval), assume the deployer.
//
// The review role is assumed by the pull-request workflow in the GitHub
// environment "review", from any branch: a pull request's author can edit
// its workflow, so the trust cannot hold more than the repository and the
// environment; what keeps the role off everything but review environments
// is its policy, boundary and guardrails.
func (a Account) DeployerTrust() iampolicy.Document {
	if a.isReviews() {
		return a.githubTrust(a.Subject(profile.ReviewKey, PullRequestWorkflow, "*"))
	}
	return a.githubTrust(a.Subject(a.env(), DeployWorkflow, MainRef))
}

// ReadOnlyTrust: prod's read-only role (and its state, and the passphrase in
// its GitHub environment) is reachable only from main's drift check and
// deployment plan. A pull request's author can edit any workflow file, so no
// claim of a pull request's job protects anything: dev's and staging's
// read-only roles, which pull-request previews use, accept any workflow of
// the repository in their GitHub environment.
func (a Account) ReadOnlyTrust() iampolicy.Document {
	ghEnv := ReadOnlyEnvironment(a.Profile.Environment)
	if a.Profile.Production() {
		return a.githubTrust(a.Subject(ghEnv, DriftWorkflow, MainRef), a.Subject(ghEnv, DeployWorkflow, MainRef))
	}
	return a.githubTrust(a.Subject(ghEnv, "*", "*"))
}

// BreakGlassTrust lets only the principals the environments file names
// assume the break-glass role, with MFA used within the hour. The role's
// session lasts an hour at most (BreakGlassSessionSeconds).
func (a Account) BreakGlassTrust() (iampolicy.Document, error) {
	principals := a.Pipeline.BreakGlass[a.Profile.Environment]
	if len(principals) == 0 {
		return iampolicy.Document{}, fmt.Errorf("%s.breakGlassPrincipals.%s is empty: %s has no break-glass role", profile.PipelineKey, a.env(), a.env())
	}
	return iampolicy.New(iampolicy.Statement{
		Sid:       "NamedPeopleWithMFAOnly",
		Effect:    iampolicy.Allow,
		Principal: iampolicy.Principals{"AWS": principals},
		Action:    []string{"sts:AssumeRole"},
		Condition: iampolicy.Condition{
			"Bool":            {"aws:MultiFactorAuthPresent": {"true"}},
			"NumericLessThan": {"aws:MultiFactorAuthAge": {fmt.Sprint(BreakGlassSessionSeconds)}},
		},
	}), nil
}

// BreakGlassRole is the ARN of the environment's break-glass role, "" when
// the environments file names nobody for it.
func BreakGlassRole(p profile.Profile) string {
	pipe, err := profile.PlannedPipeline()
	if err != nil || len(pipe.BreakGlass[p.Environment]) == 0 {
		return ""
	}
	return iampolicy.Scope{Region: p.Region, Account: p.AccountID}.Role(BreakGlassRoleName)
}

// HasBreakGlass reports whether the environment has a break-glass role.
func (a Account) HasBreakGlass() bool { return len(a.Pipeline.BreakGlass[a.Profile.Environment]) > 0 }

// DeployerBoundary is the deployer's (and the break-glass role's)
// permissions boundary. Its allow statements are a coarse ceiling: the
// services the layers use, on this environment's names, in its region, plus
// the environment's state. Its denies hold whatever the role's policy says:
// nothing bootstrap owns is touched, no role is assumed, no role exists
// without the workload boundary, no boundary is removed, trust policies of
// the layers' roles only, and roles are passed only to their own service.
// It stays under IAM's 6,144-character limit; the rest of the deployer's
// ceiling is its guardrail policy, which this boundary keeps out of its
// reach.
func (a Account) DeployerBoundary() iampolicy.Document {
	s := a.scope()
	w := a.Workload()
	own := fmt.Sprintf("*-%s-%s", a.env(), a.Profile.Suffix)
	// Each service's part is written in pkg/awstype, beside its types.
	unnamed, named, resources := awstype.DeployerCeiling(s, own)
	return iampolicy.New(
		iampolicy.Statement{
			// These services' resources are reached by tags (KMS keys) or have
			// ids the names do not predict (EC2, scaling targets).
			Sid: "CeilingUnnamedResources", Effect: iampolicy.Allow, Resource: []string{"*"}, Condition: a.inRegion(),
			Action: slices.Concat(unnamed, []string{"sts:GetCallerIdentity",
				"lambda:GetAccountSettings", "servicequotas:GetAWSDefaultServiceQuota", "servicequotas:GetServiceQuota"}, a.sweepCeiling()),
		},
		iampolicy.Statement{
			Sid: "CeilingThisEnvironmentsNames", Effect: iampolicy.Allow,
			Action:   append(named, "ssm:GetParameter"),
			Resource: append(resources, a.VersionParameterArn(), iampolicy.Bucket(a.Pipeline.StateBucket), a.stateObjects()),
		},
		iampolicy.Statement{
			Sid: "CeilingTheLayersRoles", Effect: iampolicy.Allow, Action: []string{"iam:*"},
			Resource: []string{a.layerRoles(), awstype.DynamoDBAutoscalingRole(a.Profile.AccountID)},
		},
		iampolicy.Statement{
			Sid: "NothingBootstrapOwns", Effect: iampolicy.Deny, Resource: a.Owned(),
			Action: []string{"iam:*"},
		},
		iampolicy.Statement{
			// The audit trail of the audit trail: its access logs are
			// written by S3 alone, and the deployer cannot touch them.
			Sid: "NotTheAuditAccessLog", Effect: iampolicy.Deny, Action: []string{"s3:*"},
			Resource: []string{iampolicy.Bucket(w.AccessLogBucket()), iampolicy.Bucket(w.AccessLogBucket()) + "/*"},
		},
		iampolicy.Statement{
			Sid: "NoRoleAssumption", Effect: iampolicy.Deny, Resource: []string{"*"},
			Action: []string{"sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"},
		},
		iampolicy.Statement{
			// A role the deployer makes is recognisable: on the workload path.
			Sid: "NewRolesOnTheWorkloadPathOnly", Effect: iampolicy.Deny, Action: []string{"iam:CreateRole"}, NotResource: []string{a.workloadPath()},
		},
		iampolicy.Statement{
			Sid: "NoRoleWithoutTheWorkloadBoundary", Effect: iampolicy.Deny, Resource: []string{"*"},
			Action:    []string{"iam:AttachRolePolicy", "iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy"},
			Condition: iampolicy.Condition{"StringNotEquals": {"iam:PermissionsBoundary": {w.BoundaryArn()}}},
		},
		iampolicy.Statement{
			Sid: "NeverRemoveABoundary", Effect: iampolicy.Deny, Resource: []string{"*"},
			Action: []string{"iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary", "iam:PutUserPermissionsBoundary"},
		},
		iampolicy.Statement{
			Sid: "TrustOfTheLayersRolesOnly", Effect: iampolicy.Deny, NotResource: []string{a.layerRoles()},
			Action: []string{"iam:UpdateAssumeRolePolicy"},
		},
		iampolicy.Statement{
			// A role passed to another service would run other code with the
			// workload's access: function roles go to Lambda only, the
			// flow-log role to VPC Flow Logs only, no other role anywhere.
			Sid: "PassFunctionRolesToLambdaOnly", Effect: iampolicy.Deny, Action: []string{"iam:PassRole"}, Resource: []string{a.functionRoles()},
			Condition: iampolicy.Condition{"StringNotEquals": {"iam:PassedToService": {"lambda.amazonaws.com"}}},
		},
		iampolicy.Statement{
			Sid: "PassTheFlowLogRoleToFlowLogsOnly", Effect: iampolicy.Deny, Action: []string{"iam:PassRole"}, Resource: []string{w.RoleArn(w.FlowLogRole())},
			Condition: iampolicy.Condition{"StringNotEquals": {"iam:PassedToService": {"vpc-flow-logs.amazonaws.com"}}},
		},
		iampolicy.Statement{
			Sid: "PassNoOtherRole", Effect: iampolicy.Deny, Action: []string{"iam:PassRole"}, NotResource: []string{a.functionRoles(), w.RoleArn(w.FlowLogRole())},
		},
	)
}

// DeployerGuardrail is a deny-only managed policy attached to the deployer,
// which its boundary keeps out of its reach (NothingBootstrapOwns). It holds
// the denies the boundary has no room for: keys and network resources of
// this environment only, and in prod, none of what destroys payment data
// beyond recovery, which only the break-glass role may do.
func (a Account) DeployerGuardrail() iampolicy.Document {
	env := a.env()
	st := []iampolicy.Statement{
		{
			// A key's ARN is random, so keys are recognised by their tags. A
			// tag change is allowed only on a key already tagged for this
			// environment, so no other key can be claimed by tagging it.
			Sid: "OnlyThisEnvironmentsKeys", Effect: iampolicy.Deny, Resource: []string{fmt.Sprintf("arn:aws:kms:*:%s:key/*", a.Profile.AccountID)},
			Action: []string{
				"kms:CancelKeyDeletion", "kms:CreateGrant", "kms:Decrypt", "kms:DisableKey", "kms:DisableKeyRotation", "kms:EnableKey",
				"kms:EnableKeyRotation", "kms:Encrypt", "kms:GenerateDataKey", "kms:PutKeyPolicy", "kms:ReEncryptFrom", "kms:ReEncryptTo",
				"kms:RevokeGrant", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:UpdateKeyDescription",
			},
			Condition: iampolicy.Condition{a.notEquals(): {"aws:ResourceTag/" + tagging.KeyEnvironment: {env}}},
		},
		{
			Sid: "NewKeysOnlyTaggedForThisEnvironment", Effect: iampolicy.Deny, Resource: []string{"*"}, Action: []string{"kms:CreateKey"},
			Condition: iampolicy.Condition{a.notEquals(): {"aws:RequestTag/" + tagging.KeyEnvironment: {env}, "aws:RequestTag/" + tagging.KeyProject: {tagging.Project}}},
		},
	}
	st = append(st, iampolicy.Statement{
		// A grant lets whoever it names use the key, in any account. Only an
		// AWS service acting for this account (DynamoDB for the table)
		// creates grants, and only while it uses the key for a resource.
		Sid: "GrantsOnlyForAWSResources", Effect: iampolicy.Deny, Resource: []string{"*"}, Action: []string{"kms:CreateGrant"},
		Condition: iampolicy.Condition{"BoolIfExists": {"kms:GrantIsForAWSResource": {"false"}}},
	})
	st = append(st, iampolicy.Statement{
		// The deployer manages the table, the audit bucket and the log
		// groups; it never reads what they hold. Its own state, in the
		// tooling account, it must read.
		Sid: "NoPaymentDataReads", Effect: iampolicy.Deny, Action: PaymentDataReads, Resource: a.paymentData(),
	})
	if a.Profile.Production() {
		keys := fmt.Sprintf("arn:aws:kms:%s:%s:key/*", a.Profile.Region, a.Profile.AccountID)
		alias := a.Workload().KeyAlias()
		st = append(st,
			iampolicy.Statement{
				Sid: "ProdDataIsDestroyedOnlyByBreakGlass", Effect: iampolicy.Deny, Action: ProdDataDestruction, Resource: a.paymentData(),
			},
			iampolicy.Statement{
				// Locking the data away without destroying it: a key's policy
				// rewritten, a log group moved under another key, the network
				// evidence deleted.
				Sid: "ProdKeysAndEvidenceChangeOnlyByBreakGlass", Effect: iampolicy.Deny, Action: ProdKeysAndEvidence, Resource: a.paymentData(),
			},
			iampolicy.Statement{
				Sid: "ProdFlowLogsDeletedOnlyByBreakGlass", Effect: iampolicy.Deny, Action: []string{"ec2:DeleteFlowLogs"},
				Resource: []string{fmt.Sprintf("arn:aws:ec2:%s:%s:vpc-flow-log/*", a.Profile.Region, a.Profile.AccountID)},
			},
			iampolicy.Statement{
				// The table is moved under another key by UpdateTable, for which
				// no condition key names the new key; DynamoDB must then be
				// granted the new key on the deployer's behalf. Grants go only
				// to the key its alias names, and the alias stays on its key.
				Sid: "ProdGrantsOnlyOnTheEnvironmentKey", Effect: iampolicy.Deny, Action: []string{"kms:CreateGrant"}, Resource: []string{keys},
				Condition: iampolicy.Condition{"ForAllValues:StringNotEquals": {"kms:ResourceAliases": {alias}}},
			},
			iampolicy.Statement{
				Sid: "ProdKeyAliasStaysOnItsKey", Effect: iampolicy.Deny, Action: []string{"kms:DeleteAlias", "kms:UpdateAlias"},
				Resource: []string{a.scope().Alias(alias), keys},
			},
		)
	}
	return iampolicy.New(st...)
}

// ProdDataDestruction are the requests that destroy prod's payment data
// beyond recovery: denied outright to the deployer in prod, allowed to the
// break-glass role.
var ProdDataDestruction = []string{
	"dynamodb:DeleteBackup", "dynamodb:DeleteTable", "dynamodb:DeleteResourcePolicy",
	"kms:DisableKey", "kms:ScheduleKeyDeletion",
	"logs:DeleteLogGroup", "logs:DeleteRetentionPolicy",
	"s3:BypassGovernanceRetention", "s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:DeleteObject", "s3:DeleteObjectVersion",
}

// ProdKeysAndEvidence are the requests that would put prod's payment data
// out of the account's reach, or its logs under another key, without
// destroying them: denied to the deployer in prod, allowed to the
// break-glass role. (s3:PutEncryptionConfiguration on the audit bucket is
// denied by the bucket's own policy, written after the bucket's encryption.)
var ProdKeysAndEvidence = []string{"kms:PutKeyPolicy", "logs:AssociateKmsKey", "logs:DisassociateKmsKey"}

// PaymentDataReads read what the environment's table, audit bucket and
// logs hold.
var PaymentDataReads = []string{
	"dynamodb:BatchGetItem", "dynamodb:ExportTableToPointInTime", "dynamodb:GetItem", "dynamodb:PartiQLSelect",
	"dynamodb:Query", "dynamodb:Scan", "logs:FilterLogEvents", "logs:GetLogEvents", "logs:StartQuery",
	"s3:GetObject", "s3:GetObjectVersion",
}

// paymentData are the ARNs of the environment's payment data: its table,
// audit bucket and records, key, and log groups.
func (a Account) paymentData() []string {
	s, w := a.scope(), a.Workload()
	logs := fmt.Sprintf("arn:aws:logs:%s:%s:log-group:/aws/*-%s-%s", a.Profile.Region, a.Profile.AccountID, a.env(), a.Profile.Suffix)
	return []string{
		s.Table(w.Table()), s.Table(w.Table()) + "/*", iampolicy.Bucket(w.Bucket()), iampolicy.Bucket(w.Bucket()) + "/*",
		fmt.Sprintf("arn:aws:kms:%s:%s:key/*", a.Profile.Region, a.Profile.AccountID), logs, logs + ":*",
	}
}
