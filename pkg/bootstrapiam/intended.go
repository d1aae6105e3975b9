package bootstrapiam

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/acmepay/platform/pkg/datapolicy"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/profile"
)

// A guardrail is right only when what it must stop is denied and what the
// product does is still allowed, with every document attached together. The
// escalation review (Dangerous) asks the first; Intended asks the second:
// each path the product takes, with the caller's identity policies and
// boundary, the resource's own policy (trust, key, bucket, table) as it
// stands when the call is made, and the organisation's SCP and RCP. A
// break-glass role nobody can assume during an incident is found here, not
// during the incident.

// Path is one request the product makes and AWS must allow.
type Path struct {
	// Group is what the path is part of ("break-glass assumption").
	Group    string
	Name     string
	Request  iampolicy.Request
	Policies iampolicy.Policies
	// Identities names the identity documents, in their order, where they
	// are not the deployer's (DocumentOf).
	Identities []string
}

// DocumentOf names the document a verdict's statement is in
// ("policy `AuditBucket`"), by the path's own identity documents.
func (p Path) DocumentOf(by string) string {
	for i, name := range p.Identities {
		if sid, ok := strings.CutPrefix(by, fmt.Sprintf("identity[%d]/", i)); ok {
			return name + " `" + sid + "`"
		}
	}
	return DocumentOf(by)
}

// Proof is a path and AWS's answer to it.
type Proof struct {
	Path
	Result iampolicy.Result
}

// The groups of intended paths.
const (
	GroupBreakGlassAssumption = "break-glass assumption"
	GroupBreakGlassWork       = "break-glass destroying and repairing prod"
	GroupDeployer             = "the deployer's deployment"
	GroupReadOnly             = "the read-only role's reads"
	GroupState                = "the pipeline's state calls"
	GroupAdministrator        = "the administrator's bootstrap"
)

// organisation attaches the organisation's guardrails: the SCP when the
// caller is a principal of one of the environments' accounts, the RCP on
// every resource of the organisation.
func (t Tooling) organisation(p iampolicy.Policies, caller string) iampolicy.Policies {
	for _, a := range t.Accounts {
		if strings.HasPrefix(caller, "arn:aws:iam::"+a.Profile.AccountID+":") || strings.HasPrefix(caller, "arn:aws:sts::"+a.Profile.AccountID+":") {
			p.SCPs = []iampolicy.Document{t.ServiceControlPolicy()}
		}
	}
	p.RCPs = []iampolicy.Document{t.ResourceControlPolicy()}
	return p
}

func (t Tooling) context(a Account, extra map[string]string) map[string]string {
	ctx := map[string]string{"aws:RequestedRegion": a.Profile.Region, "aws:SecureTransport": "true", "aws:PrincipalOrgID": t.Pipeline.OrganizationID}
	for k, v := range extra {
		ctx[k] = v
	}
	return ctx
}

// session is a role's session ARN, as STS names the caller.
func session(a Account, role, name string) string {
	return fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", a.Profile.AccountID, role, name)
}

// BreakGlassAssumptions are the named principals' assumptions of the
// environment's break-glass role, with MFA used five minutes ago. A
// principal is assumed to hold an identity policy that allows exactly this
// (its own account decides that); a pipeline role named as one holds its
// own documents.
func (t Tooling) BreakGlassAssumptions(a Account) ([]Path, error) {
	if !a.HasBreakGlass() {
		return nil, nil
	}
	trust, err := a.BreakGlassTrust()
	if err != nil {
		return nil, err
	}
	target := a.Role(BreakGlassRoleName)
	var out []Path
	for _, principal := range a.Pipeline.BreakGlass[a.Profile.Environment] {
		identity := []iampolicy.Document{iampolicy.New(iampolicy.Statement{Sid: "AssumeTheBreakGlassRole", Effect: iampolicy.Allow, Action: []string{"sts:AssumeRole"}, Resource: []string{target}})}
		var boundary *iampolicy.Document
		if own, b, ok := t.pipelineDocuments(principal); ok {
			identity, boundary = own, b
		}
		p := iampolicy.Policies{Identity: identity, Boundary: boundary, Resource: &trust, Account: a.Profile.AccountID}
		out = append(out, Path{
			Group: GroupBreakGlassAssumption, Name: principal + " assumes " + BreakGlassRoleName,
			Request: iampolicy.Request{Principal: principal, Action: "sts:AssumeRole", Resource: target,
				Context: t.context(a, map[string]string{"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "300"})},
			Policies: t.organisation(p, principal),
		})
	}
	return out, nil
}

// pipelineDocuments are the documents of a role bootstrap owns, when
// principal is one.
func (t Tooling) pipelineDocuments(principal string) ([]iampolicy.Document, *iampolicy.Document, bool) {
	for _, a := range t.Accounts {
		boundary := a.DeployerBoundary()
		switch principal {
		case a.Role(DeployerRoleName):
			return a.deployerIdentity(), &boundary, true
		case a.Role(ReadOnlyRoleName):
			return []iampolicy.Document{a.ReadOnlyPolicy()}, nil, true
		}
	}
	return nil, nil, false
}

// breakGlassPaths are the break-glass role's paths, its identity the
// deployer's grants and its own policy (each named "policy").
func (t Tooling) breakGlassPaths(a Account, work []call) []Path {
	paths := t.paths(a, GroupBreakGlassWork, session(a, BreakGlassRoleName, "incident-1"), a.breakGlassIdentity(), ptr(a.DeployerBoundary()), work)
	for i := range paths {
		paths[i].Identities = slices.Repeat([]string{"policy"}, len(paths[i].Policies.Identity))
	}
	return paths
}

// breakGlassIdentity is every identity policy of the break-glass role: the
// deployer's grants (managed) and its own (inline).
func (a Account) breakGlassIdentity() []iampolicy.Document {
	return append(a.BreakGlassGrants(), a.BreakGlassPolicy())
}

func (a Account) deployerIdentity() []iampolicy.Document {
	return append([]iampolicy.Document{a.DeployerPolicy(), a.DeployerGuardrail()}, a.NetworkGuardrails()...)
}

// call is one request of an intended path, before the caller's documents
// are attached.
type call struct {
	name, action, resource string
	ctx                    map[string]string
	multi                  map[string][]string
	resourcePolicy         *iampolicy.Document
	account                string
}

func (t Tooling) paths(a Account, group, principal string, identity []iampolicy.Document, boundary *iampolicy.Document, calls []call) []Path {
	out := make([]Path, 0, len(calls))
	for _, c := range calls {
		acct := c.account
		if acct == "" {
			acct = a.Profile.AccountID
		}
		p := iampolicy.Policies{Identity: identity, Boundary: boundary, Resource: c.resourcePolicy, Account: acct}
		out = append(out, Path{
			Group: group, Name: c.name,
			Request:  iampolicy.Request{Principal: principal, Action: c.action, Resource: c.resource, Context: t.context(a, c.ctx), Multi: c.multi},
			Policies: t.organisation(p, principal),
		})
	}
	return out
}

// Intended lists every intended path of the account's environment.
func (t Tooling) Intended(a Account) ([]Path, error) {
	out, err := t.BreakGlassAssumptions(a)
	if err != nil {
		return nil, err
	}
	s, w := a.scope(), a.Workload()
	env := a.env()
	bg := ""
	if a.HasBreakGlass() {
		bg = a.Role(BreakGlassRoleName)
	}
	ownTags := tags("aws:ResourceTag/", env, "payments-platform")
	requestTags := tags("aws:RequestTag/", env, "payments-platform")
	key := s.Key("0b5c-environment")
	keyPolicy := datapolicy.KeyPolicy(s, w.Names, bg)
	tablePolicy := datapolicy.TablePolicy(s, w.Table(), bg)
	bucketPolicy := datapolicy.AuditBucketPolicy(w.Bucket(), bg)
	if bg == "" {
		tablePolicy = iampolicy.Document{}
	}
	ifSet := func(d iampolicy.Document) *iampolicy.Document {
		if len(d.Statement) == 0 {
			return nil
		}
		return &d
	}
	aliases := map[string][]string{"kms:ResourceAliases": {w.KeyAlias()}}
	viaDynamo := map[string]string{"kms:GrantIsForAWSResource": "true", "kms:ViaService": s.ServiceEndpoint("dynamodb")}
	flowLog := s.Resource("ec2", "vpc-flow-log", "fl-0abc")
	functionLog := s.LogGroup(fmt.Sprintf("/aws/lambda/payment-processor-%s-%s", env, a.Profile.Suffix))
	functionRole := w.RoleArn(fmt.Sprintf("payment-processor-role-%s-%s", env, a.Profile.Suffix))

	deploys := []call{
		{name: "who am I", action: "sts:GetCallerIdentity", resource: "*"},
		{name: "read the bootstrap version", action: "ssm:GetParameter", resource: a.VersionParameterArn()},
		{name: "read the Lambda quota", action: "lambda:GetAccountSettings", resource: "*"},
		{name: "create the environment key", action: "kms:CreateKey", resource: "*", ctx: requestTags},
		{name: "name the environment key", action: "kms:CreateAlias", resource: s.Alias(w.KeyAlias())},
		{name: "DynamoDB grants itself the environment key for the table", action: "kms:CreateGrant", resource: key,
			ctx: merge(ownTags, viaDynamo), multi: aliases, resourcePolicy: &keyPolicy},
		{name: "describe the environment key", action: "kms:DescribeKey", resource: key, ctx: ownTags, resourcePolicy: &keyPolicy},
		{name: "create the table", action: "dynamodb:CreateTable", resource: s.Table(w.Table())},
		{name: "write the table's policy at creation", action: "dynamodb:PutResourcePolicy", resource: s.Table(w.Table())},
		{name: "change the table's capacity", action: "dynamodb:UpdateTable", resource: s.Table(w.Table()), resourcePolicy: ifSet(tablePolicy)},
		{name: "create the audit bucket", action: "s3:CreateBucket", resource: iampolicy.Bucket(w.Bucket())},
		{name: "encrypt the audit bucket at creation", action: "s3:PutEncryptionConfiguration", resource: iampolicy.Bucket(w.Bucket())},
		{name: "write the audit bucket's policy at creation", action: "s3:PutBucketPolicy", resource: iampolicy.Bucket(w.Bucket())},
		{name: "read the audit bucket's settings", action: "s3:GetEncryptionConfiguration", resource: iampolicy.Bucket(w.Bucket()), resourcePolicy: &bucketPolicy},
		{name: "create the function's log group", action: "logs:CreateLogGroup", resource: functionLog},
		{name: "set the log group's retention", action: "logs:PutRetentionPolicy", resource: functionLog},
		{name: "create the flow log", action: "ec2:CreateFlowLogs", resource: flowLog, ctx: requestTags},
		{name: "pass the flow-log role to VPC Flow Logs", action: "iam:PassRole", resource: w.RoleArn(w.FlowLogRole()),
			ctx: map[string]string{"iam:PassedToService": "vpc-flow-logs.amazonaws.com"}},
		{name: "create the function's role with the workload boundary", action: "iam:CreateRole", resource: functionRole,
			ctx: map[string]string{"iam:PermissionsBoundary": w.BoundaryArn()}},
		{name: "write the function role's policy", action: "iam:PutRolePolicy", resource: functionRole,
			ctx: map[string]string{"iam:PermissionsBoundary": w.BoundaryArn()}},
		{name: "pass the function's role to Lambda", action: "iam:PassRole", resource: functionRole,
			ctx: map[string]string{"iam:PassedToService": "lambda.amazonaws.com"}},
		{name: "create the function", action: "lambda:CreateFunction", resource: s.Function(fmt.Sprintf("payment-processor-%s-%s", env, a.Profile.Suffix))},
		{name: "create the alarm topic", action: "sns:CreateTopic", resource: s.Topic(fmt.Sprintf("alarms-%s-%s", env, a.Profile.Suffix))},
	}
	if !a.HasBreakGlass() {
		// Without a break-glass role the deployer destroys its environment.
		deploys = append(deploys,
			call{name: "delete the table", action: "dynamodb:DeleteTable", resource: s.Table(w.Table())},
			call{name: "empty the audit bucket", action: "s3:DeleteObjectVersion", resource: iampolicy.Bucket(w.Bucket()) + "/audit/x.json", resourcePolicy: &bucketPolicy},
			call{name: "delete the audit bucket", action: "s3:DeleteBucket", resource: iampolicy.Bucket(w.Bucket()), resourcePolicy: &bucketPolicy},
			call{name: "schedule the environment key's deletion", action: "kms:ScheduleKeyDeletion", resource: key, ctx: ownTags, resourcePolicy: &keyPolicy},
			call{name: "delete the flow log", action: "ec2:DeleteFlowLogs", resource: flowLog, ctx: ownTags},
			call{name: "delete the function's log group", action: "logs:DeleteLogGroup", resource: functionLog},
		)
	}
	out = append(out, t.paths(a, GroupDeployer, session(a, DeployerRoleName, "gh-run-1"), a.deployerIdentity(), ptr(a.DeployerBoundary()), deploys)...)

	if a.HasBreakGlass() {
		work := []call{
			{name: "delete the table", action: "dynamodb:DeleteTable", resource: s.Table(w.Table()), resourcePolicy: &tablePolicy},
			{name: "switch the table's point-in-time recovery", action: "dynamodb:UpdateContinuousBackups", resource: s.Table(w.Table()), resourcePolicy: &tablePolicy},
			{name: "bypass the audit records' governance retention", action: "s3:BypassGovernanceRetention", resource: iampolicy.Bucket(w.Bucket()) + "/audit/x.json", resourcePolicy: &bucketPolicy},
			{name: "delete an audit record version", action: "s3:DeleteObjectVersion", resource: iampolicy.Bucket(w.Bucket()) + "/audit/x.json", resourcePolicy: &bucketPolicy},
			{name: "delete the audit bucket", action: "s3:DeleteBucket", resource: iampolicy.Bucket(w.Bucket()), resourcePolicy: &bucketPolicy},
			{name: "change the audit bucket's encryption", action: "s3:PutEncryptionConfiguration", resource: iampolicy.Bucket(w.Bucket()), resourcePolicy: &bucketPolicy},
			{name: "rewrite the environment key's policy", action: "kms:PutKeyPolicy", resource: key, ctx: ownTags, resourcePolicy: &keyPolicy},
			{name: "schedule the environment key's deletion", action: "kms:ScheduleKeyDeletion", resource: key, ctx: ownTags, resourcePolicy: &keyPolicy},
			{name: "delete the key's alias", action: "kms:DeleteAlias", resource: s.Alias(w.KeyAlias())},
			{name: "move a log group under another key", action: "logs:AssociateKmsKey", resource: functionLog},
			{name: "delete the function's log group", action: "logs:DeleteLogGroup", resource: functionLog},
			{name: "delete the flow log", action: "ec2:DeleteFlowLogs", resource: flowLog, ctx: ownTags},
		}
		out = append(out, t.breakGlassPaths(a, work)...)
	}

	reads := []call{
		{name: "who am I", action: "sts:GetCallerIdentity", resource: "*"},
		{name: "read the bootstrap version", action: "ssm:GetParameter", resource: a.VersionParameterArn()},
		{name: "describe the table", action: "dynamodb:DescribeTable", resource: s.Table(w.Table()), resourcePolicy: ifSet(tablePolicy)},
		{name: "read the table's backups setting", action: "dynamodb:DescribeContinuousBackups", resource: s.Table(w.Table()), resourcePolicy: ifSet(tablePolicy)},
		{name: "read the audit bucket's policy", action: "s3:GetBucketPolicy", resource: iampolicy.Bucket(w.Bucket()), resourcePolicy: &bucketPolicy},
		{name: "head the audit bucket", action: "s3:ListBucket", resource: iampolicy.Bucket(w.Bucket()), resourcePolicy: &bucketPolicy},
		{name: "read the environment key", action: "kms:DescribeKey", resource: key, resourcePolicy: &keyPolicy},
		{name: "read the function", action: "lambda:GetFunction", resource: s.Function(fmt.Sprintf("payment-processor-%s-%s", env, a.Profile.Suffix))},
		{name: "read the function role's policy", action: "iam:GetRolePolicy", resource: functionRole},
		{name: "list the alarms", action: "cloudwatch:DescribeAlarms", resource: "*"},
		{name: "list the log groups", action: "logs:DescribeLogGroups", resource: "*"},
		{name: "read the flow logs", action: "ec2:DescribeFlowLogs", resource: "*"},
	}
	if bg != "" {
		// The provider reads the table's resource policy, which only an
		// environment with break-glass has, on every refresh.
		reads = append(reads, call{name: "read the table's resource policy", action: "dynamodb:GetResourcePolicy", resource: s.Table(w.Table()), resourcePolicy: &tablePolicy})
	}
	out = append(out, t.paths(a, GroupReadOnly, session(a, ReadOnlyRoleName, "gh-run-1"), []iampolicy.Document{a.ReadOnlyPolicy()}, nil, reads)...)

	out = append(out, t.statePaths(a)...)
	return append(out, t.administratorPaths(a)...), nil
}

// statePaths are the pipeline roles' paths to their environment's state in
// the tooling account.
func (t Tooling) statePaths(a Account) []Path {
	env := a.env()
	bucketP, keyP := t.StateBucketPolicy(), t.StateKeyPolicy()
	stack := iampolicy.Bucket(a.Pipeline.StateBucket) + "/" + StatePrefix(a.Profile.Environment) + "/.pulumi/stacks/network/" + env + ".json"
	lock := iampolicy.Bucket(a.Pipeline.StateBucket) + "/" + StatePrefix(a.Profile.Environment) + "/.pulumi/locks/organization/network/" + env + "/x.json"
	stateKey := fmt.Sprintf("arn:aws:kms:%s:%s:key/0b5c-state", a.Pipeline.Region, a.Pipeline.ToolingAccountID)
	via := func(object string) map[string]string {
		return map[string]string{"kms:ViaService": fmt.Sprintf("s3.%s.amazonaws.com", a.Pipeline.Region), "kms:EncryptionContext:aws:s3:arn": object}
	}
	tooling := a.Pipeline.ToolingAccountID
	listing := map[string]string{"s3:prefix": StatePrefix(a.Profile.Environment) + "/.pulumi/stacks/"}
	deployerState := []call{
		{name: "deployer: list its state", action: "s3:ListBucket", resource: iampolicy.Bucket(a.Pipeline.StateBucket), ctx: listing, resourcePolicy: &bucketP, account: tooling},
		{name: "deployer: read a stack", action: "s3:GetObject", resource: stack, resourcePolicy: &bucketP, account: tooling},
		{name: "deployer: write a stack", action: "s3:PutObject", resource: stack, resourcePolicy: &bucketP, account: tooling},
		{name: "deployer: take a lock", action: "s3:PutObject", resource: lock, resourcePolicy: &bucketP, account: tooling},
		{name: "deployer: release a lock", action: "s3:DeleteObject", resource: lock, resourcePolicy: &bucketP, account: tooling},
		{name: "deployer: encrypt a stack", action: "kms:GenerateDataKey", resource: stateKey, ctx: via(stack), resourcePolicy: &keyP, account: tooling},
		{name: "deployer: decrypt a stack", action: "kms:Decrypt", resource: stateKey, ctx: via(stack), resourcePolicy: &keyP, account: tooling},
	}
	out := t.paths(a, GroupState, session(a, DeployerRoleName, "gh-run-1"), a.deployerIdentity(), ptr(a.DeployerBoundary()), deployerState)
	readOnlyState := []call{
		{name: "read-only: list its state", action: "s3:ListBucket", resource: iampolicy.Bucket(a.Pipeline.StateBucket), ctx: listing, resourcePolicy: &bucketP, account: tooling},
		{name: "read-only: read a stack", action: "s3:GetObject", resource: stack, resourcePolicy: &bucketP, account: tooling},
		{name: "read-only: decrypt a stack", action: "kms:Decrypt", resource: stateKey, ctx: via(stack), resourcePolicy: &keyP, account: tooling},
	}
	return append(out, t.paths(a, GroupState, session(a, ReadOnlyRoleName, "gh-run-1"), []iampolicy.Document{a.ReadOnlyPolicy()}, nil, readOnlyState)...)

}

// administratorPaths are the bootstrap's own, as the organisation's
// administrator runs it.
func (t Tooling) administratorPaths(a Account) []Path {
	s, w := a.scope(), a.Workload()
	accessLogs := AccessLogBucketPolicy(a)
	admin := []call{
		{name: "create the deployer role", action: "iam:CreateRole", resource: s.Role(DeployerRoleName)},
		{name: "write the deployer's policy", action: "iam:PutRolePolicy", resource: s.Role(DeployerRoleName)},
		{name: "attach the deployer's guardrail", action: "iam:AttachRolePolicy", resource: s.Role(DeployerRoleName)},
		{name: "create the workload boundary", action: "iam:CreatePolicy", resource: w.BoundaryArn()},
		{name: "version the deployer's boundary", action: "iam:CreatePolicyVersion", resource: s.Policy(DeployerBoundaryName)},
		{name: "rewrite the break-glass role's trust", action: "iam:UpdateAssumeRolePolicy", resource: s.Role(BreakGlassRoleName)},
		{name: "create GitHub's OIDC provider", action: "iam:CreateOpenIDConnectProvider", resource: a.OIDCProvider()},
		{name: "write the bootstrap version", action: "ssm:PutParameter", resource: a.VersionParameterArn()},
		{name: "write the access-log bucket's policy", action: "s3:PutBucketPolicy", resource: iampolicy.Bucket(w.AccessLogBucket()), resourcePolicy: &accessLogs},
		{name: "delete the read-only role (bootstrap:destroy)", action: "iam:DeleteRole", resource: s.Role(ReadOnlyRoleName)},
	}
	return t.paths(a, GroupAdministrator, session(a, a.Pipeline.AdminRole, "admin"), []iampolicy.Document{AllowAll}, nil, admin)
}

func ptr(d iampolicy.Document) *iampolicy.Document { return &d }

// Prove evaluates every path.
func Prove(paths []Path) ([]Proof, error) {
	out := make([]Proof, 0, len(paths))
	for _, p := range paths {
		res, err := iampolicy.Evaluate(p.Request, p.Policies)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", p.Group, p.Name, err)
		}
		out = append(out, Proof{Path: p, Result: res})
	}
	return out, nil
}

// CheckBreakGlass refuses an environments file that names a break-glass
// principal who could not assume the break-glass role with every guardrail
// attached: the principal, the statement that stops it and the rule.
func (t Tooling) CheckBreakGlass() error {
	var errs []error
	for _, a := range t.Accounts {
		paths, err := t.BreakGlassAssumptions(a)
		if err != nil {
			return err
		}
		proofs, err := Prove(paths)
		if err != nil {
			return err
		}
		for _, p := range proofs {
			if p.Result.Decision != iampolicy.Allowed {
				errs = append(errs, fmt.Errorf("%s.breakGlassPrincipals.%s: %s could not assume %s in an incident: %s by %s "+
					"(every break-glass principal must be able to assume the role with MFA, with the SCP, the RCP, the role's trust and its own documents attached)",
					profile.PipelineKey, a.env(), p.Request.Principal, BreakGlassRoleName, p.Result.Decision, DocumentOf(p.Result.By)))
			}
		}
		for _, principal := range a.Pipeline.BreakGlass[a.Profile.Environment] {
			if slices.Contains(a.Owned(), principal) {
				errs = append(errs, fmt.Errorf("%s.breakGlassPrincipals.%s: %s is a pipeline role: break-glass is for named people, with MFA, which a workflow has not",
					profile.PipelineKey, a.env(), principal))
			}
		}
	}
	return errors.Join(errs...)
}
