package bootstrapiam

import (
	"fmt"
	"maps"
	"strings"

	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/tagging"
)

// Request is a request the pipeline's deployer must never be allowed, with
// what AWS sends with it: request and resource tags, the boundary and the
// service a role is passed to, and the resource's own policy (a role's
// trust, a key's policy).
type Request struct {
	Name             string
	Action, Resource string
	Context          map[string]string
	ResourcePolicy   *iampolicy.Document
	// ProdOnly: denied in prod; in dev and staging the deployer destroys
	// its environment itself.
	ProdOnly bool
}

// Dangerous lists the escalation review's requests for the account.
func (a Account) Dangerous() []Request {
	acct, env := a.Profile.AccountID, a.env()
	s := a.scope()
	w := a.Workload()
	session := fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/gh-run-1", acct, DeployerRoleName)
	trustNamingSession := iampolicy.New(iampolicy.Statement{Effect: iampolicy.Allow, Principal: iampolicy.Principals{"AWS": {session}}, Action: []string{"sts:AssumeRole"}})
	keyPolicy := iampolicy.New(iampolicy.Statement{Effect: iampolicy.Allow, Principal: iampolicy.Principals{"AWS": {s.AccountRoot()}}, Action: []string{"kms:*"}, Resource: []string{"*"}})
	otherTeam := tags("aws:ResourceTag/", "shared", "ledger")
	ours := tags("aws:RequestTag/", env, tagging.Project)
	ourResource := tags("aws:ResourceTag/", env, tagging.Project)
	ec2 := func(kind string) string { return s.Resource("ec2", kind, "x-0abc") }
	functionRole := w.RoleArn(fmt.Sprintf("payment-processor-role-%s-%s", env, a.Profile.Suffix))
	withBoundary := func(arn string) map[string]string { return map[string]string{"iam:PermissionsBoundary": arn} }
	out := []Request{
		{Name: "a new version of the workload boundary", Action: "iam:CreatePolicyVersion", Resource: w.BoundaryArn()},
		{Name: "delete the workload boundary", Action: "iam:DeletePolicy", Resource: w.BoundaryArn()},
		{Name: "a new version of its own boundary", Action: "iam:CreatePolicyVersion", Resource: s.Policy(DeployerBoundaryName)},
		{Name: "detach its guardrail", Action: "iam:DetachRolePolicy", Resource: s.Role(DeployerRoleName)},
		{Name: "delete its network guardrail", Action: "iam:DeletePolicy", Resource: s.Policy(NetworkGuardrailNames[1])},
		{Name: "rewrite its own inline policy", Action: "iam:PutRolePolicy", Resource: s.Role(DeployerRoleName), Context: withBoundary(w.BoundaryArn())},
		{Name: "rewrite the break-glass role's trust", Action: "iam:UpdateAssumeRolePolicy", Resource: s.Role(BreakGlassRoleName)},
		{Name: "rewrite the read-only role's trust", Action: "iam:UpdateAssumeRolePolicy", Resource: s.Role(ReadOnlyRoleName)},
		{Name: "rewrite another role's trust", Action: "iam:UpdateAssumeRolePolicy", Resource: s.Role("OrganizationAccountAccessRole")},
		{Name: "delete the GitHub OIDC provider", Action: "iam:DeleteOpenIDConnectProvider", Resource: a.OIDCProvider()},
		{Name: "create a role without a boundary", Action: "iam:CreateRole", Resource: functionRole},
		{Name: "create a role with another boundary", Action: "iam:CreateRole", Resource: functionRole, Context: withBoundary("arn:aws:iam::aws:policy/AdministratorAccess")},
		{Name: "create a role off the workload path", Action: "iam:CreateRole", Resource: s.Role(fmt.Sprintf("payment-processor-role-%s-%s", env, a.Profile.Suffix)),
			Context: withBoundary(w.BoundaryArn())},
		{Name: "remove a role's boundary", Action: "iam:DeleteRolePermissionsBoundary", Resource: functionRole},
		{Name: "assume a workload role whose trust names its own session", Action: "sts:AssumeRole", Resource: functionRole, ResourcePolicy: &trustNamingSession},
		{Name: "pass the function role to EC2", Action: "iam:PassRole", Resource: functionRole, Context: map[string]string{"iam:PassedToService": "ec2.amazonaws.com"}},
		{Name: "tag another team's key with this environment's tags", Action: "kms:TagResource", Resource: s.Key("other"), Context: merge(otherTeam, ours), ResourcePolicy: &keyPolicy},
		{Name: "schedule another team's key's deletion", Action: "kms:ScheduleKeyDeletion", Resource: s.Key("other"), Context: otherTeam, ResourcePolicy: &keyPolicy},
		{Name: "create a key not tagged for the environment", Action: "kms:CreateKey", Resource: "*"},
		{Name: "open another team's security group", Action: "ec2:AuthorizeSecurityGroupIngress", Resource: ec2("security-group"), Context: otherTeam},
		{Name: "route another team's traffic", Action: "ec2:CreateRoute", Resource: ec2("route-table"), Context: otherTeam},
		{Name: "delete another team's flow logs", Action: "ec2:DeleteFlowLogs", Resource: ec2("vpc-flow-log"), Context: otherTeam},
		{Name: "put a subnet in another team's VPC", Action: "ec2:CreateSubnet", Resource: ec2("vpc"), Context: merge(otherTeam, ours)},
		{Name: "create a VPC without the environment's tags", Action: "ec2:CreateVpc", Resource: ec2("vpc")},
		{Name: "re-tag another team's VPC as this environment's", Action: "ec2:CreateTags", Resource: ec2("vpc"), Context: merge(otherTeam, ours)},
		{Name: "rewrite the bootstrap version", Action: "ssm:PutParameter", Resource: a.VersionParameterArn()},
		{Name: "create a user", Action: "iam:CreateUser", Resource: fmt.Sprintf("arn:aws:iam::%s:user/backdoor", acct)},
		{Name: "delete the audit records' access logs", Action: "s3:DeleteObject", Resource: iampolicy.Object(w.AccessLogBucket(), "audit-logs/x")},
		{Name: "rewrite the access-log bucket's policy", Action: "s3:PutBucketPolicy", Resource: iampolicy.Bucket(w.AccessLogBucket())},
		{Name: "switch the access logs' expiry", Action: "s3:PutLifecycleConfiguration", Resource: iampolicy.Bucket(w.AccessLogBucket())},
		{Name: "read a transaction", Action: "dynamodb:GetItem", Resource: s.Table(w.Table())},
		{Name: "read an audit record", Action: "s3:GetObject", Resource: iampolicy.Object(w.Bucket(), "audit/x.json")},
		{Name: "work in another region", Action: "dynamodb:CreateTable", Resource: strings.Replace(s.Table(w.Table()), a.Profile.Region, otherRegion(a.Profile.Region), 1),
			Context: map[string]string{"aws:RequestedRegion": otherRegion(a.Profile.Region)}},
		{Name: "delete the table", Action: "dynamodb:DeleteTable", Resource: s.Table(w.Table()), ProdOnly: true},
		{Name: "bypass the audit records' governance retention", Action: "s3:BypassGovernanceRetention", Resource: iampolicy.Object(w.Bucket(), "audit/x.json"), ProdOnly: true},
		{Name: "delete an audit record version", Action: "s3:DeleteObjectVersion", Resource: iampolicy.Object(w.Bucket(), "audit/x.json"), ProdOnly: true},
		{Name: "delete the audit bucket", Action: "s3:DeleteBucket", Resource: iampolicy.Bucket(w.Bucket()), ProdOnly: true},
		{Name: "schedule the environment key's deletion", Action: "kms:ScheduleKeyDeletion", Resource: s.Key("env"), Context: ourResource, ResourcePolicy: &keyPolicy, ProdOnly: true},
		{Name: "delete the function's log group", Action: "logs:DeleteLogGroup", Resource: s.LogGroup(fmt.Sprintf("/aws/lambda/payment-processor-%s-%s", env, a.Profile.Suffix)), ProdOnly: true},
		{Name: "grant the environment key to another account", Action: "kms:CreateGrant", Resource: s.Key("env"),
			Context: merge(ourResource, map[string]string{"kms:GranteePrincipal": "arn:aws:iam::999988887777:root"}), ResourcePolicy: &keyPolicy},
		{Name: "rewrite a second prod key's policy", Action: "kms:PutKeyPolicy", Resource: s.Key("second"), Context: ourResource, ResourcePolicy: &keyPolicy, ProdOnly: true},
		{Name: "move prod's table under a second key (DynamoDB's grant on it)", Action: "kms:CreateGrant", Resource: s.Key("second"),
			Context: merge(ourResource, map[string]string{"kms:GrantIsForAWSResource": "true", "kms:ViaService": s.ServiceEndpoint("dynamodb")}), ResourcePolicy: &keyPolicy, ProdOnly: true},
		{Name: "move the environment key's alias onto a second key", Action: "kms:UpdateAlias", Resource: s.Alias(w.KeyAlias()), ProdOnly: true},
		{Name: "move prod's log group under a second key", Action: "logs:AssociateKmsKey", Resource: s.LogGroup(fmt.Sprintf("/aws/lambda/payment-processor-%s-%s", env, a.Profile.Suffix)), ProdOnly: true},
		{Name: "delete prod's flow log", Action: "ec2:DeleteFlowLogs", Resource: ec2("vpc-flow-log"), Context: ourResource, ProdOnly: true},
	}
	if !a.Profile.Production() {
		var kept []Request
		for _, r := range out {
			if !r.ProdOnly {
				kept = append(kept, r)
			}
		}
		out = kept
	}
	return out
}

// Verdict is a request evaluated as the deployer: under its own documents,
// and under an allow-all identity policy (what an escalation would give it),
// with its guardrails, its boundary, the resource's policy and the
// organisation's SCP and RCP; and under allow-all without them, which is
// what the account's own documents hold by themselves.
type Verdict struct {
	Request
	Own, AllowAll, AccountOnly iampolicy.Result
}

// AllowAll is an identity policy that allows everything.
var AllowAll = iampolicy.New(iampolicy.Statement{Sid: "AllowAll", Effect: iampolicy.Allow, Action: []string{"*"}, Resource: []string{"*"}})

// Judge evaluates every dangerous request of the account.
func (a Account) Judge(t Tooling) ([]Verdict, error) {
	var out []Verdict
	for _, r := range a.Dangerous() {
		v := Verdict{Request: r}
		for _, ask := range []struct {
			policy   iampolicy.Document
			attached Attached
			into     *iampolicy.Result
		}{{a.DeployerPolicy(), WithOrganisation, &v.Own}, {AllowAll, WithOrganisation, &v.AllowAll}, {AllowAll, AccountOnly, &v.AccountOnly}} {
			res, err := a.AsDeployer(t, ask.policy, r, ask.attached)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", r.Name, err)
			}
			*ask.into = res
		}
		out = append(out, v)
	}
	return out, nil
}

// Attached says which guardrails an evaluation attaches beside the
// account's own documents.
type Attached int

// The sets.
const (
	// AccountOnly: the account's own documents.
	AccountOnly Attached = iota
	// WithOrganisation: the account's documents and the organisation's SCP
	// and RCP.
	WithOrganisation
)

// AsDeployer evaluates a request as the deployer with the given inline
// policy, beside its guardrails, under its boundary and, WithOrganisation,
// the organisation's SCP and RCP, in an organisation whose principals carry
// its ID.
func (a Account) AsDeployer(t Tooling, policy iampolicy.Document, r Request, attached Attached) (iampolicy.Result, error) {
	ctx := map[string]string{"aws:RequestedRegion": a.Profile.Region, "aws:SecureTransport": "true", "aws:PrincipalOrgID": t.Pipeline.OrganizationID}
	for k, v := range r.Context {
		ctx[k] = v
	}
	boundary := a.DeployerBoundary()
	pol := iampolicy.Policies{
		Identity: append([]iampolicy.Document{policy, a.DeployerGuardrail()}, a.NetworkGuardrails()...),
		Boundary: &boundary, Resource: r.ResourcePolicy, Account: a.Profile.AccountID,
	}
	if attached == WithOrganisation {
		pol.SCPs = []iampolicy.Document{t.ServiceControlPolicy()}
		pol.RCPs = []iampolicy.Document{t.ResourceControlPolicy()}
	}
	return iampolicy.Evaluate(iampolicy.Request{Principal: a.Role(DeployerRoleName), Action: r.Action, Resource: r.Resource, Context: ctx}, pol)
}

// DocumentOf names the deployer's document a verdict's statement is in
// ("guardrail OnlyThisEnvironmentsKeys"), in the order AsDeployer passes
// them to the evaluator.
func DocumentOf(by string) string {
	for prefix, name := range map[string]string{
		"identity[0]/": "policy ", "identity[1]/": "guardrail ", "identity[2]/": "network guardrail (Environment) ",
		"identity[3]/": "network guardrail (Project) ", "boundary/": "boundary ", "scp[0]/": "SCP ", "rcp[0]/": "RCP ", "resource/": "resource policy ",
	} {
		if sid, ok := strings.CutPrefix(by, prefix); ok {
			return name + "`" + sid + "`"
		}
	}
	return by
}

func tags(prefix, env, project string) map[string]string {
	return map[string]string{prefix + tagging.KeyEnvironment: env, prefix + tagging.KeyProject: project}
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		maps.Copy(out, m)
	}
	return out
}

// otherRegion is a region that is not the environment's, for the request
// that must be denied outside it.
func otherRegion(region string) string {
	if region == "eu-west-1" {
		return "ap-south-1"
	}
	return "eu-west-1"
}
