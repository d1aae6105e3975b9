package bootstrap

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/iampolicy/validity"
	"github.com/acmepay/platform/pkg/profile"
)

// reviewer is the review role as AWS sees it: its policy, guardrails and
// boundary, under the organisation's SCP and RCP.
func reviewer(t *testing.T, tl bootstrapiam.Tooling) caller {
	t.Helper()
	r, ok := account(t, profile.Dev).Reviews()
	require.True(t, ok, "dev's account holds the review role")
	b, scp, rcp := r.DeployerBoundary(), tl.ServiceControlPolicy(), tl.ResourceControlPolicy()
	return caller{
		arn:      "arn:aws:iam::" + fixture.DevAccount + ":role/payments-pipeline-review",
		identity: append([]iampolicy.Document{r.DeployerPolicy(), r.DeployerGuardrail()}, r.NetworkGuardrails()...),
		boundary: &b, scp: &scp, rcp: &rcp,
	}
}

// The review role deploys a review environment and reaches nothing of
// dev's: every request below is evaluated with its policy, guardrails,
// boundary, the SCP and the RCP attached, and, for the state, the tooling
// account's bucket policy. The names are written out.
func TestTheReviewRoleDeploysReviewEnvironmentsAndNothingOfDevs(t *testing.T) {
	tl := tool(t)
	rv := reviewer(t, tl)
	acct, sfx := fixture.DevAccount, fixture.DevSuffix
	arn := func(service, resource string) string {
		return "arn:aws:" + service + ":us-east-1:" + acct + ":" + resource
	}
	role := func(name string) string { return "arn:aws:iam::" + acct + ":role/" + name }
	workloadRole := func(name string) string { return role("payments-workload/" + name) }
	boundary := func(env string) map[string]string {
		return map[string]string{"iam:PermissionsBoundary": "arn:aws:iam::" + acct + ":policy/permissions-boundary-" + env + "-" + sfx}
	}
	bucketPolicy := tl.StateBucketPolicy()
	state := func(prefix, stack string) request {
		return request{action: "s3:PutObject", resource: stateBucket + "/" + prefix + "/.pulumi/stacks/data/" + stack + ".json",
			resourcePolicy: &bucketPolicy, resourceAccount: tooling}
	}
	pr := "pr-4821"
	allowed := map[string]request{
		"create its table":                 {action: "dynamodb:CreateTable", resource: arn("dynamodb", "table/transactions-"+pr+"-"+sfx)},
		"create its audit bucket":          {action: "s3:CreateBucket", resource: "arn:aws:s3:::audit-logs-" + pr + "-" + sfx},
		"create its function":              {action: "lambda:CreateFunction", resource: arn("lambda", "function:payment-processor-"+pr+"-"+sfx)},
		"create its function's role":       {action: "iam:CreateRole", resource: workloadRole("payment-processor-role-" + pr + "-" + sfx), ctx: boundary("review")},
		"create its key":                   {action: "kms:CreateKey", resource: "*", ctx: tags("aws:RequestTag/", pr, "payments-platform")},
		"create its VPC":                   {action: "ec2:CreateVpc", resource: arn("ec2", "vpc/*"), ctx: tags("aws:RequestTag/", pr, "payments-platform")},
		"delete its subnet":                {action: "ec2:DeleteSubnet", resource: arn("ec2", "subnet/subnet-1"), ctx: tags("aws:ResourceTag/", pr, "payments-platform")},
		"schedule its key's deletion":      {action: "kms:ScheduleKeyDeletion", resource: arn("kms", "key/k1"), ctx: tags("aws:ResourceTag/", pr, "payments-platform"), resourcePolicy: keyPolicyDelegating(acct), resourceAccount: acct},
		"delete its log group":             {action: "logs:DeleteLogGroup", resource: arn("logs", "log-group:/aws/lambda/payment-processor-"+pr+"-"+sfx)},
		"write its state":                  state("review", pr),
		"read the account's bootstrap":     {action: "ssm:GetParameter", resource: arn("ssm", "parameter/payments/bootstrap/version")},
		"delete another review's function": {action: "lambda:DeleteFunction", resource: arn("lambda", "function:payment-processor-pr-7-"+sfx)},
		"list what carries review tags":    {action: "tag:GetResources", resource: "*"},
	}
	for name, r := range allowed {
		got := rv.ask(t, r)
		assert.Equal(t, iampolicy.Allowed, got.Decision, "the review role may %s (%s on %s): %s %s", name, r.action, r.resource, got.Decision, got.By)
	}
	denied := map[string]request{
		"delete dev's table":                   {action: "dynamodb:DeleteTable", resource: arn("dynamodb", "table/transactions-dev-"+sfx)},
		"change dev's table":                   {action: "dynamodb:UpdateTable", resource: arn("dynamodb", "table/transactions-dev-"+sfx)},
		"rewrite dev's audit bucket policy":    {action: "s3:PutBucketPolicy", resource: "arn:aws:s3:::audit-logs-dev-" + sfx},
		"delete dev's audit records":           {action: "s3:DeleteObject", resource: "arn:aws:s3:::audit-logs-dev-" + sfx + "/audit/x.json"},
		"change dev's function's code":         {action: "lambda:UpdateFunctionCode", resource: arn("lambda", "function:payment-processor-dev-"+sfx)},
		"rewrite dev's function role":          {action: "iam:PutRolePolicy", resource: workloadRole("payment-processor-role-dev-" + sfx), ctx: boundary("dev")},
		"a role under dev's boundary":          {action: "iam:CreateRole", resource: workloadRole("payment-processor-role-" + pr + "-" + sfx), ctx: boundary("dev")},
		"delete dev's log group":               {action: "logs:DeleteLogGroup", resource: arn("logs", "log-group:/aws/lambda/payment-processor-dev-"+sfx)},
		"schedule dev's key's deletion":        {action: "kms:ScheduleKeyDeletion", resource: arn("kms", "key/k0"), ctx: tags("aws:ResourceTag/", "dev", "payments-platform"), resourcePolicy: keyPolicyDelegating(acct), resourceAccount: acct},
		"decrypt with dev's key":               {action: "kms:Decrypt", resource: arn("kms", "key/k0"), ctx: tags("aws:ResourceTag/", "dev", "payments-platform"), resourcePolicy: keyPolicyDelegating(acct), resourceAccount: acct},
		"delete dev's VPC":                     {action: "ec2:DeleteVpc", resource: arn("ec2", "vpc/vpc-dev"), ctx: tags("aws:ResourceTag/", "dev", "payments-platform")},
		"route dev's private subnets":          {action: "ec2:CreateRoute", resource: arn("ec2", "route-table/rtb-dev"), ctx: tags("aws:ResourceTag/", "dev", "payments-platform")},
		"delete dev's flow log":                {action: "ec2:DeleteFlowLogs", resource: arn("ec2", "vpc-flow-log/fl-dev"), ctx: tags("aws:ResourceTag/", "dev", "payments-platform")},
		"write dev's state":                    state("dev", "dev"),
		"rewrite dev's deployer":               {action: "iam:PutRolePolicy", resource: role("payments-pipeline-deployer")},
		"rewrite its own policy":               {action: "iam:PutRolePolicy", resource: role("payments-pipeline-review")},
		"a new version of the review boundary": {action: "iam:CreatePolicyVersion", resource: "arn:aws:iam::" + acct + ":policy/permissions-boundary-review-" + sfx},
		"assume dev's deployer":                {action: "sts:AssumeRole", resource: role("payments-pipeline-deployer")},
		"write the reviews' access logs":       {action: "s3:PutObject", resource: "arn:aws:s3:::audit-access-logs-review-" + sfx + "/audit-logs/x"},
	}
	for name, r := range denied {
		got := rv.ask(t, r)
		assert.NotEqual(t, iampolicy.Allowed, got.Decision, "the review role must not %s (%s on %s): allowed by %s", name, r.action, r.resource, got.By)
	}
	t.Logf("the review role: %d requests of a review environment allowed, %d on dev's resources denied", len(allowed), len(denied))

	// Dev's deployer, in turn, does not reach the review role or the
	// reviews' state.
	dev := deployer(t, account(t, profile.Dev), tl)
	for name, r := range map[string]request{
		"rewrite the review role":     {action: "iam:PutRolePolicy", resource: role("payments-pipeline-review")},
		"write a review's state":      state("review", pr),
		"version the review boundary": {action: "iam:CreatePolicyVersion", resource: "arn:aws:iam::" + acct + ":policy/permissions-boundary-review-" + sfx},
	} {
		got := dev.ask(t, r)
		assert.NotEqual(t, iampolicy.Allowed, got.Decision, "dev's deployer must not %s: allowed by %s", name, got.By)
	}
}

// Only the pull-request workflow in the GitHub environment "review"
// assumes the review role; a pull request's token does not assume dev's
// deployer.
func TestThePullRequestWorkflowAssumesTheReviewRoleAndNotDevsDeployer(t *testing.T) {
	dev := account(t, profile.Dev)
	r, ok := dev.Reviews()
	require.True(t, ok)
	sub := func(ghEnv, workflow, ref string) string {
		return "repo:acmepay/platform:environment:" + ghEnv + ":job_workflow_ref:acmepay/platform/.github/workflows/" + workflow + "@" + ref
	}
	ask := func(trust iampolicy.Document, subject string) iampolicy.Decision {
		for i := range trust.Statement {
			trust.Statement[i].Principal = iampolicy.Principals{"Service": {"token.actions.githubusercontent.com"}}
		}
		got, err := iampolicy.Evaluate(iampolicy.Request{
			Principal: "token.actions.githubusercontent.com", Action: "sts:AssumeRoleWithWebIdentity", Resource: "arn:aws:iam::" + fixture.DevAccount + ":role/r",
			Context: map[string]string{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": subject},
		}, iampolicy.Policies{Resource: &trust, Account: fixture.DevAccount})
		require.NoError(t, err)
		return got.Decision
	}
	pull := sub("review", "pull-request.yml", "refs/pull/4821/merge")
	assert.Equal(t, iampolicy.Allowed, ask(r.DeployerTrust(), pull))
	assert.NotEqual(t, iampolicy.Allowed, ask(dev.DeployerTrust(), pull), "a pull request never holds dev's deployer")
	assert.NotEqual(t, iampolicy.Allowed, ask(r.DeployerTrust(), sub("dev", "pull-request.yml", "refs/pull/4821/merge")), "another GitHub environment")
	assert.NotEqual(t, iampolicy.Allowed, ask(r.DeployerTrust(), sub("review", "drift.yml", "refs/heads/main")), "another workflow")
}

// The organisation's SCP names what bootstrap owns once for every account
// of its unit: another environment adds its workload boundary and its
// access-log bucket, not every role and policy again (an SCP holds 5,120
// characters; with the roles repeated per account, five environments and
// the review role's did not fit).
func TestTheSCPGrowsByAnEnvironmentsOwnNamesOnly(t *testing.T) {
	tl := tool(t)
	scp := tl.ServiceControlPolicy()
	for _, r := range scp.Statement[1].Resource {
		for _, acct := range accounts {
			assert.NotContains(t, r, acct, "the SCP names %s in any account", r)
		}
	}
	before := len(scp.Statement[1].Resource)
	qa := account(t, profile.Dev)
	qa.Profile.Environment, qa.Profile.AccountID = "qa", "999988887777"
	tl.Accounts = append(tl.Accounts, qa)
	after := tl.ServiceControlPolicy()
	assert.Equal(t, before+3, len(after.Statement[1].Resource), "qa's workload boundary and its access-log bucket (and its objects)")
	require.NoError(t, validity.Validate(validity.SCP, "service-control-policy.json", after))
}
