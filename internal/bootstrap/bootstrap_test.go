package bootstrap

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/datapolicy"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/iampolicy/validity"
	"github.com/acmepay/platform/pkg/naming"
	"github.com/acmepay/platform/pkg/profile"
)

// Accounts and names are written out here, from docs/environments.md and the
// environments file's pipeline block, not read back from the code.
var accounts = map[profile.Environment]string{profile.Dev: fixture.DevAccount, profile.Staging: fixture.StagingAccount, profile.Prod: fixture.ProdAccount}

var (
	tooling     = fixture.ToolingAccount
	stateBucket = "arn:aws:s3:::" + fixture.StateBucket
	stateKey    = "arn:aws:kms:us-east-1:" + fixture.ToolingAccount + ":key/0b5c-state"
	orgID       = fixture.OrgID
)

func account(t *testing.T, env profile.Environment) bootstrapiam.Account {
	t.Helper()
	a, err := Account(filepath.Join("..", ".."), string(env))
	require.NoError(t, err)
	return a
}

func tool(t *testing.T) bootstrapiam.Tooling {
	t.Helper()
	tl, err := Tooling(filepath.Join("..", ".."))
	require.NoError(t, err)
	return tl
}

// caller is a pipeline role as AWS sees it: its identity policies (the
// policy, or allow-all, plus the managed guardrails) and its boundary, in an
// organisation whose SCP applies to it.
type caller struct {
	arn      string
	identity []iampolicy.Document
	boundary *iampolicy.Document
	scp, rcp *iampolicy.Document
}

var allowAll = iampolicy.New(iampolicy.Statement{Sid: "AllowAll", Effect: iampolicy.Allow, Action: []string{"*"}, Resource: []string{"*"}})

func deployer(t *testing.T, a bootstrapiam.Account, tl bootstrapiam.Tooling) caller {
	policy := a.DeployerPolicy()
	b, scp, rcp := a.DeployerBoundary(), tl.ServiceControlPolicy(), tl.ResourceControlPolicy()
	return caller{arn: a.Role(bootstrapiam.DeployerRoleName), identity: append([]iampolicy.Document{policy, a.DeployerGuardrail()}, a.NetworkGuardrails()...), boundary: &b, scp: &scp, rcp: &rcp}
}

// request is one API call with what AWS sends with it.
type request struct {
	action, resource string
	ctx              map[string]string
	resourcePolicy   *iampolicy.Document
	resourceAccount  string
}

func (c caller) ask(t *testing.T, r request) iampolicy.Result {
	t.Helper()
	ctx := map[string]string{"aws:RequestedRegion": "us-east-1", "aws:SecureTransport": "true", "aws:PrincipalOrgID": orgID}
	for k, v := range r.ctx {
		ctx[k] = v
	}
	pol := iampolicy.Policies{Identity: c.identity, Boundary: c.boundary, Resource: r.resourcePolicy, Account: r.resourceAccount}
	if c.scp != nil {
		pol.SCPs = []iampolicy.Document{*c.scp}
	}
	if c.rcp != nil {
		pol.RCPs = []iampolicy.Document{*c.rcp}
	}
	got, err := iampolicy.Evaluate(iampolicy.Request{Principal: c.arn, Action: r.action, Resource: r.resource, Context: ctx}, pol)
	require.NoError(t, err)
	return got
}

func tags(prefix, env, project string) map[string]string {
	return map[string]string{prefix + "Environment": env, prefix + "Project": project}
}

// keyPolicyDelegating is the environment key's policy as far as the
// deployer is concerned: the account root delegates to IAM policies.
func keyPolicyDelegating(acct string) *iampolicy.Document {
	d := iampolicy.New(iampolicy.Statement{Effect: iampolicy.Allow, Principal: iampolicy.Principals{"AWS": {"arn:aws:iam::" + acct + ":root"}}, Action: []string{"kms:*"}, Resource: []string{"*"}})
	return &d
}

// The dangerous requests of the escalation review (bootstrapiam.Dangerous),
// for each environment, each denied to the deployer under its own
// documents and under an allow-all identity policy (so the deny comes from
// its boundary, its guardrails or the organisation's SCP, which it cannot
// change). docs/compliance.md lists the same verdicts.
func TestNoDeployerCanEscalateOrLeaveItsEnvironment(t *testing.T) {
	tl := tool(t)
	prodOnly := []string{"delete the table", "bypass the audit records' governance retention", "delete an audit record version",
		"delete the audit bucket", "schedule the environment key's deletion", "delete the function's log group"}
	for _, env := range profile.Environments() {
		t.Run(string(env), func(t *testing.T) {
			verdicts, err := account(t, env).Judge(tl)
			require.NoError(t, err)
			var names []string
			for _, v := range verdicts {
				names = append(names, v.Name)
				assert.NotEqual(t, iampolicy.Allowed, v.Own.Decision, "%s: %s on %s allowed by %s", v.Name, v.Action, v.Resource, v.Own.By)
				assert.NotEqual(t, iampolicy.Allowed, v.AllowAll.Decision, "%s (allow-all): allowed by %s", v.Name, v.AllowAll.By)
				// Under allow-all only an explicit deny, or the boundary's
				// ceiling, can have stopped it.
				assert.True(t, v.AllowAll.Decision == iampolicy.ExplicitDeny || strings.Contains(v.AllowAll.By, "boundary"), "%s: %s", v.Name, v.AllowAll.By)
				// The account's own documents hold by themselves: the
				// organisation's SCP is a second line, not the only one.
				assert.True(t, v.AccountOnly.Decision == iampolicy.ExplicitDeny || strings.Contains(v.AccountOnly.By, "boundary"),
					"%s, without the organisation's SCP: %s %s", v.Name, v.AccountOnly.Decision, v.AccountOnly.By)
			}
			assert.GreaterOrEqual(t, len(verdicts), 32)
			t.Logf("%s: %d dangerous requests denied three ways", env, len(verdicts))
			for _, name := range prodOnly {
				assert.Equal(t, env == profile.Prod, slices.Contains(names, name), "%s: %q is asked in prod only", env, name)
			}
		})
	}
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		maps.Copy(out, m)
	}
	return out
}

// In dev and staging the deployer still destroys its environment; in prod
// only the break-glass role does, and it can.
func TestProdDataIsDestroyedOnlyByTheBreakGlassRole(t *testing.T) {
	tl := tool(t)
	destroy := func(env profile.Environment) []request {
		acct := accounts[env]
		return []request{
			{action: "dynamodb:DeleteTable", resource: "arn:aws:dynamodb:us-east-1:" + acct + ":table/transactions-" + string(env) + "-" + fixture.DevSuffix},
			{action: "s3:BypassGovernanceRetention", resource: "arn:aws:s3:::audit-logs-" + string(env) + "-" + fixture.DevSuffix + "/audit/x.json"},
			{action: "s3:DeleteBucket", resource: "arn:aws:s3:::audit-logs-" + string(env) + "-" + fixture.DevSuffix},
			{action: "logs:DeleteLogGroup", resource: "arn:aws:logs:us-east-1:" + acct + ":log-group:/aws/lambda/payment-processor-" + string(env) + "-" + fixture.DevSuffix},
			{action: "kms:ScheduleKeyDeletion", resource: "arn:aws:kms:us-east-1:" + acct + ":key/env", ctx: tags("aws:ResourceTag/", string(env), "payments-platform"),
				resourcePolicy: keyPolicyDelegating(acct), resourceAccount: acct},
		}
	}
	for _, env := range []profile.Environment{profile.Dev, profile.Staging} {
		d := deployer(t, account(t, env), tl)
		for _, r := range destroy(env) {
			got := d.ask(t, r)
			assert.Equal(t, iampolicy.Allowed, got.Decision, "%s: the deployer destroys %s (%s): %s", env, r.resource, r.action, got.By)
		}
	}
	a := account(t, profile.Prod)
	b, scp := a.DeployerBoundary(), tl.ServiceControlPolicy()
	rcp := tl.ResourceControlPolicy()
	breakGlass := caller{arn: a.Role(bootstrapiam.BreakGlassRoleName), identity: append(a.BreakGlassGrants(), a.BreakGlassPolicy()), boundary: &b, scp: &scp, rcp: &rcp}
	prodDeployer := deployer(t, a, tl)
	for _, r := range destroy(profile.Prod) {
		got := prodDeployer.ask(t, r)
		assert.Equal(t, iampolicy.ExplicitDeny, got.Decision, "prod's deployer: %s on %s", r.action, r.resource)
		assert.Equal(t, "identity[1]/ProdDataIsDestroyedOnlyByBreakGlass", got.By)
		got = breakGlass.ask(t, r)
		assert.Equal(t, iampolicy.Allowed, got.Decision, "break-glass: %s on %s: %s", r.action, r.resource, got.By)
	}
	// The break-glass role, too, stays out of what bootstrap owns.
	got := breakGlass.ask(t, request{action: "iam:CreatePolicyVersion", resource: "arn:aws:iam::" + fixture.ProdAccount + ":policy/permissions-boundary-prod-" + fixture.ProdSuffix})
	assert.Equal(t, iampolicy.ExplicitDeny, got.Decision, got.By)
}

func TestBreakGlassTrustNeedsANamedPersonWithRecentMFA(t *testing.T) {
	a := account(t, profile.Prod)
	trust, err := a.BreakGlassTrust()
	require.NoError(t, err)
	named := "arn:aws:iam::" + fixture.ProdAccount + ":role/payments-oncall-lead"
	ask := func(principal string, ctx map[string]string) iampolicy.Decision {
		got, err := iampolicy.Evaluate(iampolicy.Request{Principal: principal, Action: "sts:AssumeRole", Resource: a.Role(bootstrapiam.BreakGlassRoleName), Context: ctx},
			iampolicy.Policies{Identity: []iampolicy.Document{allowAll}, Resource: &trust, Account: fixture.ProdAccount})
		require.NoError(t, err)
		return got.Decision
	}
	withMFA := map[string]string{"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "300"}
	assert.Equal(t, iampolicy.Allowed, ask(named, withMFA))
	assert.NotEqual(t, iampolicy.Allowed, ask(named, nil), "without MFA")
	assert.NotEqual(t, iampolicy.Allowed, ask(named, map[string]string{"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "7200"}), "MFA two hours old")
	assert.NotEqual(t, iampolicy.Allowed, ask("arn:aws:iam::"+fixture.ProdAccount+":role/payments-pipeline-deployer", withMFA), "the deployer")
	assert.NotEqual(t, iampolicy.Allowed, ask("arn:aws:iam::999988887777:role/payments-oncall-lead", withMFA), "the same name in another account")
	assert.Equal(t, 3600, bootstrapiam.BreakGlassSessionSeconds)

	dev := account(t, profile.Dev)
	assert.False(t, dev.HasBreakGlass(), "the environments file names no break-glass principal for dev")
	_, err = dev.BreakGlassTrust()
	assert.ErrorContains(t, err, "pipeline.breakGlassPrincipals.dev is empty")
}

// A token's sub under the repository's subject template names the GitHub
// environment and the workflow at its ref.
func TestTrustsNameTheEnvironmentAndForProdMainsWorkflows(t *testing.T) {
	sub := func(ghEnv, workflow, ref string) string {
		return "repo:acmepay/platform:environment:" + ghEnv + ":job_workflow_ref:acmepay/platform/.github/workflows/" + workflow + "@" + ref
	}
	ask := func(trust iampolicy.Document, acct, subject string) iampolicy.Decision {
		got, err := iampolicy.Evaluate(iampolicy.Request{
			Principal: "token.actions.githubusercontent.com", Action: "sts:AssumeRoleWithWebIdentity", Resource: "arn:aws:iam::" + acct + ":role/r",
			Context: map[string]string{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": subject},
		}, iampolicy.Policies{Resource: &trust, Account: acct})
		require.NoError(t, err)
		return got.Decision
	}
	// The OIDC provider is a federated principal: the trust alone decides.
	federated := func(trust iampolicy.Document, acct string) iampolicy.Document {
		for i := range trust.Statement {
			trust.Statement[i].Principal = iampolicy.Principals{"Service": {"token.actions.githubusercontent.com"}}
		}
		return trust
	}
	prod := account(t, profile.Prod)
	ro := federated(prod.ReadOnlyTrust(), fixture.ProdAccount)
	assert.Equal(t, iampolicy.Allowed, ask(ro, fixture.ProdAccount, sub("prod-readonly", "drift.yml", "refs/heads/main")))
	assert.Equal(t, iampolicy.Allowed, ask(ro, fixture.ProdAccount, sub("prod-readonly", "deploy-environment.yml", "refs/heads/main")))
	assert.NotEqual(t, iampolicy.Allowed, ask(ro, fixture.ProdAccount, sub("prod-readonly", "drift.yml", "refs/heads/feature")), "a branch's drift workflow")
	assert.NotEqual(t, iampolicy.Allowed, ask(ro, fixture.ProdAccount, sub("prod-readonly", "pull-request.yml", "refs/pull/7/merge")), "a pull request")
	assert.NotEqual(t, iampolicy.Allowed, ask(ro, fixture.ProdAccount, sub("prod", "drift.yml", "refs/heads/main")), "another GitHub environment")
	deployTrust := federated(prod.DeployerTrust(), fixture.ProdAccount)
	assert.Equal(t, iampolicy.Allowed, ask(deployTrust, fixture.ProdAccount, sub("prod", "deploy-environment.yml", "refs/heads/main")))
	assert.NotEqual(t, iampolicy.Allowed, ask(deployTrust, fixture.ProdAccount, sub("prod", "deploy-environment.yml", "refs/heads/hotfix")))
	assert.NotEqual(t, iampolicy.Allowed, ask(deployTrust, fixture.ProdAccount, sub("prod-readonly", "deploy-environment.yml", "refs/heads/main")))
	dev := account(t, profile.Dev)
	devRO := federated(dev.ReadOnlyTrust(), fixture.DevAccount)
	assert.Equal(t, iampolicy.Allowed, ask(devRO, fixture.DevAccount, sub("dev-readonly", "pull-request.yml", "refs/pull/7/merge")), "pull-request previews use dev's read-only role")
	assert.NotEqual(t, iampolicy.Allowed, ask(devRO, fixture.DevAccount, sub("prod-readonly", "pull-request.yml", "refs/pull/7/merge")))
}

// The state sits in the tooling account: each role's call needs its own
// policy (under its boundary and guardrails), the bucket's policy, the state
// key's policy and the organisation's RCP to agree.
func TestPipelineRolesReachTheirStateInTheToolingAccountOnly(t *testing.T) {
	tl := tool(t)
	bucketPolicy, keyPolicy, rcp, scp := tl.StateBucketPolicy(), tl.StateKeyPolicy(), tl.ResourceControlPolicy(), tl.ServiceControlPolicy()
	ask := func(c caller, action, resource string, ctx map[string]string) iampolicy.Result {
		t.Helper()
		res := &bucketPolicy
		if strings.HasPrefix(resource, "arn:aws:kms:") {
			res = &keyPolicy
		}
		// The caller's account is under the SCP, the tooling account's
		// resources under the RCP.
		pol := iampolicy.Policies{Identity: c.identity, Boundary: c.boundary, Resource: res, Account: tooling,
			SCPs: []iampolicy.Document{scp}, RCPs: []iampolicy.Document{rcp}}
		c2 := map[string]string{"aws:RequestedRegion": "us-east-1", "aws:SecureTransport": "true", "aws:PrincipalOrgID": orgID}
		for k, v := range ctx {
			c2[k] = v
		}
		out, err := iampolicy.Evaluate(iampolicy.Request{Principal: c.arn, Action: action, Resource: resource, Context: c2}, pol)
		require.NoError(t, err)
		return out
	}
	object := func(env, path string) string { return stateBucket + "/" + env + "/" + path }
	viaS3 := func(obj string) map[string]string {
		return map[string]string{"kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": obj}
	}
	for _, env := range profile.Environments() {
		a := account(t, env)
		d := deployer(t, a, tl)
		rp := a.ReadOnlyPolicy()
		ro := caller{arn: a.Role(bootstrapiam.ReadOnlyRoleName), identity: []iampolicy.Document{rp}}
		e := string(env)
		stack := object(e, ".pulumi/stacks/network/"+e+".json")
		lock := object(e, ".pulumi/locks/organization/network/"+e+"/x.json")
		for _, c := range []struct {
			who    caller
			action string
			res    string
			ctx    map[string]string
			want   bool
		}{
			{d, "s3:GetObject", stack, nil, true},
			{d, "s3:PutObject", stack, nil, true},
			{d, "s3:PutObject", lock, nil, true},
			{d, "s3:DeleteObject", lock, nil, true},
			{d, "s3:ListBucket", stateBucket, map[string]string{"s3:prefix": e + "/.pulumi/stacks/"}, true},
			{d, "kms:GenerateDataKey", stateKey, viaS3(stack), true},
			{d, "kms:Decrypt", stateKey, viaS3(stack), true},
			{ro, "s3:GetObject", stack, nil, true},
			{ro, "s3:ListBucket", stateBucket, map[string]string{"s3:prefix": e + "/.pulumi/"}, true},
			{ro, "kms:Decrypt", stateKey, viaS3(stack), true},
			{ro, "s3:PutObject", stack, nil, false},
			{ro, "s3:PutObject", lock, nil, false},
			{ro, "s3:DeleteObject", lock, nil, false},
			{ro, "kms:GenerateDataKey", stateKey, viaS3(lock), false},
			{d, "s3:GetObject", object("bootstrap", "x.json"), nil, false},
			{d, "s3:PutObject", object("bootstrap", "x.json"), nil, false},
			{d, "kms:Decrypt", stateKey, viaS3(object("bootstrap", "x.json")), false},
			{d, "kms:Decrypt", stateKey, nil, false},
			{d, "s3:GetObject", stack, map[string]string{"aws:SecureTransport": "false"}, false},
			{d, "s3:GetObject", stack, map[string]string{"aws:PrincipalOrgID": "o-elsewhere"}, false},
		} {
			got := ask(c.who, c.action, c.res, c.ctx)
			if c.want {
				assert.Equal(t, iampolicy.Allowed, got.Decision, "%s %s: %s on %s: %s", env, c.who.arn, c.action, c.res, got.By)
			} else {
				assert.NotEqual(t, iampolicy.Allowed, got.Decision, "%s %s: %s on %s", env, c.who.arn, c.action, c.res)
			}
		}
		for _, other := range profile.Environments() {
			if other == env {
				continue
			}
			o := string(other)
			for _, c := range []struct{ action, res string }{
				{"s3:GetObject", object(o, ".pulumi/stacks/network/"+o+".json")},
				{"s3:PutObject", object(o, ".pulumi/stacks/network/"+o+".json")},
				{"kms:Decrypt", stateKey},
			} {
				ctx := viaS3(c.res)
				if c.action == "kms:Decrypt" {
					ctx = viaS3(object(o, ".pulumi/stacks/network/"+o+".json"))
				}
				assert.NotEqual(t, iampolicy.Allowed, ask(d, c.action, c.res, ctx).Decision, "%s's deployer: %s on %s's state", env, c.action, other)
				assert.NotEqual(t, iampolicy.Allowed, ask(ro, c.action, c.res, ctx).Decision, "%s's read-only role: %s on %s's state", env, c.action, other)
			}
		}
	}
}

// The organisation's guardrails hold against an account administrator.
func TestGuardrailsHoldAgainstAnAccountAdministrator(t *testing.T) {
	tl := tool(t)
	scp := tl.ServiceControlPolicy()
	rcp := tl.ResourceControlPolicy()
	ask := func(principal, action, resource string, resourcePolicy *iampolicy.Document, ctx map[string]string) iampolicy.Result {
		c := map[string]string{"aws:RequestedRegion": "us-east-1", "aws:PrincipalOrgID": orgID}
		for k, v := range ctx {
			c[k] = v
		}
		got, err := iampolicy.Evaluate(iampolicy.Request{Principal: principal, Action: action, Resource: resource, Context: c},
			iampolicy.Policies{Identity: []iampolicy.Document{allowAll}, Resource: resourcePolicy, Account: fixture.ProdAccount, SCPs: []iampolicy.Document{scp}, RCPs: []iampolicy.Document{rcp}})
		require.NoError(t, err)
		return got
	}
	admin := "arn:aws:iam::" + fixture.ProdAccount + ":role/SomeAdministrator"
	for _, r := range []string{
		"arn:aws:iam::" + fixture.ProdAccount + ":policy/permissions-boundary-prod-" + fixture.ProdSuffix,
		"arn:aws:iam::" + fixture.ProdAccount + ":role/payments-pipeline-deployer",
		"arn:aws:iam::" + fixture.ProdAccount + ":policy/payments-pipeline-deployer-guardrail",
	} {
		got := ask(admin, "iam:CreatePolicyVersion", r, nil, nil)
		assert.Equal(t, iampolicy.ExplicitDeny, got.Decision, "an administrator changes %s", r)
		assert.Equal(t, "scp[0]/OnlyTheAdministratorChangesWhatBootstrapOwns", got.By)
		assert.Equal(t, iampolicy.Allowed, ask("arn:aws:iam::"+fixture.ProdAccount+":role/OrganizationAccountAccessRole", "iam:CreatePolicyVersion", r, nil, nil).Decision,
			"the bootstrap administrator changes %s", r)
		assert.Equal(t, iampolicy.Allowed, ask(admin, "iam:GetPolicy", r, nil, nil).Decision, "anyone may read it")
	}
	fn := "arn:aws:iam::" + fixture.ProdAccount + ":role/payments-workload/payment-processor-role-prod-" + fixture.ProdSuffix
	trustNamingAdmin := iampolicy.New(iampolicy.Statement{Effect: iampolicy.Allow, Principal: iampolicy.Principals{"AWS": {admin}}, Action: []string{"sts:AssumeRole"}})
	got := ask(admin, "sts:AssumeRole", fn, &trustNamingAdmin, nil)
	assert.Equal(t, iampolicy.ExplicitDeny, got.Decision, "a workload role whose trust was rewritten to name an administrator")
	assert.Equal(t, "rcp[0]/WorkloadRolesOnlyForAWSServices", got.By)
	lambdaTrust := iampolicy.ServiceTrust("lambda.amazonaws.com", fixture.ProdAccount)
	assert.Equal(t, iampolicy.Allowed, ask("lambda.amazonaws.com", "sts:AssumeRole", fn, &lambdaTrust, map[string]string{"aws:SourceAccount": fixture.ProdAccount}).Decision)
	openBucket := iampolicy.New(iampolicy.Statement{Effect: iampolicy.Allow, Principal: iampolicy.Everyone, Action: []string{"s3:GetObject"}, Resource: []string{"*"}})
	got = ask("arn:aws:iam::999988887777:role/outsider", "s3:GetObject", "arn:aws:s3:::audit-logs-prod-"+fixture.ProdSuffix+"/audit/x.json", &openBucket, map[string]string{"aws:PrincipalOrgID": "o-elsewhere"})
	assert.Equal(t, iampolicy.ExplicitDeny, got.Decision, "a bucket policy opened to everyone still keeps other organisations out")
}

// Every document the bootstrap writes passes AWS's validity rules, with
// the longest suffix and a long repository name: IAM, AWS Organizations,
// KMS and S3 would store each of them. The layers' resource policies are
// checked here too; the stand-in checks every document on each create.
func TestEveryDocumentPassesAWSsValidityRules(t *testing.T) {
	tl := tool(t)
	for _, env := range profile.Environments() {
		a := account(t, env)
		a.Profile.Suffix = "abcdefghijkl" // the longest suffix allowed
		a.Pipeline.Repository = "a-rather-long-organisation/a-rather-long-repository-name"
		files, err := Files(a)
		require.NoError(t, err)
		require.NoError(t, tl.Valid(files), env)
		var inline []iampolicy.Document
		for _, f := range files {
			if f.Kind == validity.InlinePolicy && strings.HasPrefix(f.Name, "deployer-") {
				inline = append(inline, f.Doc)
			}
		}
		require.NoError(t, validity.ValidateInlinePolicies("deployer", inline...))
		s, w := iampolicy.Scope{Region: "us-east-1", Account: accounts[env]}, a.Workload()
		bg := bootstrapiam.BreakGlassRole(a.Profile)
		for _, d := range []struct {
			kind validity.Kind
			doc  iampolicy.Document
		}{{validity.KeyPolicy, datapolicy.KeyPolicy(s, w.Names, bg)}, {validity.BucketPolicy, datapolicy.AuditBucketPolicy(w.Bucket(), bg)}} {
			assert.NoError(t, validity.Validate(d.kind, string(env), d.doc))
		}
		if bg != "" {
			assert.NoError(t, validity.Validate(validity.TablePolicy, string(env), datapolicy.TablePolicy(s, w.Table(), bg)))
		}
	}
	require.NoError(t, tl.Valid(ToolingFiles(tl)))
	// The published RCP only denies: AWS attaches RCPFullAWSAccess itself.
	for _, st := range tl.ResourceControlPolicy().Statement {
		assert.Equal(t, iampolicy.Deny, st.Effect, st.Sid)
	}
}

// A document AWS would refuse stops bootstrap:policies before any file is
// written, naming the document, the rule and the limit.
func TestADocumentAWSWouldRefuseIsRefusedBeforeAnythingIsWritten(t *testing.T) {
	a := account(t, profile.Prod)
	files, err := Files(a)
	require.NoError(t, err)
	big := iampolicy.New(iampolicy.Statement{Sid: "Huge", Effect: iampolicy.Allow, Action: []string{"s3:GetObject"}})
	for i := 0; i < 300; i++ {
		big.Statement[0].Resource = append(big.Statement[0].Resource, fmt.Sprintf("arn:aws:s3:::audit-logs-prod-"+fixture.ProdSuffix+"/%03d/*", i))
	}
	files = append(files, File{Name: "too-big.json", Kind: validity.ManagedPolicy, Doc: big})
	dir := filepath.Join(t.TempDir(), "out")
	var out strings.Builder
	err = writeValid(filepath.Join("..", ".."), dir, files, &out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "too-big.json (managed policy): the document fits its kind's size limit")
	assert.Contains(t, err.Error(), "over the limit of 6144")
	assert.NoDirExists(t, dir, "nothing is written before the refusal")
	assert.Empty(t, out.String())
}

// Every path the product takes is allowed with every document that applies
// attached together: identity, boundary, guardrails, trust, the resource's
// policy, the SCP and the RCP (bootstrapiam.Intended; docs/compliance.md
// lists the same proofs).
func TestEveryIntendedPathIsAllowedWithEveryGuardrailAttached(t *testing.T) {
	tl := tool(t)
	for _, env := range profile.Environments() {
		a := account(t, env)
		paths, err := tl.Intended(a)
		require.NoError(t, err)
		proofs, err := bootstrapiam.Prove(paths)
		require.NoError(t, err)
		groups := map[string]int{}
		for _, p := range proofs {
			groups[p.Group]++
			assert.Equal(t, iampolicy.Allowed, p.Result.Decision, "%s: %s: %s %s on %s: %s", env, p.Group, p.Name, p.Request.Action, p.Request.Resource, p.Result.By)
			assert.Len(t, p.Policies.RCPs, 1, "%s: the RCP is attached", p.Name)
			assert.Len(t, p.Policies.SCPs, 1, "%s: %s is in an environment's account, under the SCP", p.Name, p.Request.Principal)
		}
		for _, g := range []string{bootstrapiam.GroupDeployer, bootstrapiam.GroupReadOnly, bootstrapiam.GroupState, bootstrapiam.GroupAdministrator} {
			assert.Positive(t, groups[g], "%s: %s", env, g)
		}
		assert.Equal(t, env == profile.Prod, groups[bootstrapiam.GroupBreakGlassAssumption] > 0, "%s: break-glass assumption", env)
		assert.Equal(t, env == profile.Prod, groups[bootstrapiam.GroupBreakGlassWork] > 0, "%s: break-glass work", env)
		t.Logf("%s: %d intended paths proven allowed: %v", env, len(proofs), groups)
	}
}

// The finding: the SCP denied sts:AssumeRole on the break-glass role to the
// people named for it. Asked three ways: with every guardrail as published
// (allowed), with the SCP as it was (denied by it), and without MFA (denied
// by the trust).
func TestBreakGlassCanBeAssumedUnderTheSCP(t *testing.T) {
	tl := tool(t)
	a := account(t, profile.Prod)
	paths, err := tl.BreakGlassAssumptions(a)
	require.NoError(t, err)
	require.Len(t, paths, 1)
	assert.Equal(t, "arn:aws:iam::"+fixture.ProdAccount+":role/payments-oncall-lead", paths[0].Request.Principal)

	proofs, err := bootstrapiam.Prove(paths)
	require.NoError(t, err)
	assert.Equal(t, iampolicy.Allowed, proofs[0].Result.Decision, proofs[0].Result.By)
	assert.Equal(t, "resource/NamedPeopleWithMFAOnly", proofs[0].Result.By)

	old := tl.ServiceControlPolicy()
	for i, st := range old.Statement {
		old.Statement[i].NotAction = slices.DeleteFunc(slices.Clone(st.NotAction), func(a string) bool { return a == "sts:AssumeRole" })
	}
	withOld := paths[0]
	withOld.Policies.SCPs = []iampolicy.Document{old}
	got, err := iampolicy.Evaluate(withOld.Request, withOld.Policies)
	require.NoError(t, err)
	assert.Equal(t, iampolicy.ExplicitDeny, got.Decision)
	assert.Equal(t, "scp[0]/OnlyTheAdministratorChangesWhatBootstrapOwns", got.By)

	noMFA := paths[0]
	noMFA.Request.Context = map[string]string{"aws:RequestedRegion": "us-east-1", "aws:PrincipalOrgID": orgID}
	got, err = iampolicy.Evaluate(noMFA.Request, noMFA.Policies)
	require.NoError(t, err)
	assert.NotEqual(t, iampolicy.Allowed, got.Decision, "without MFA")
}

// An environments file naming a break-glass principal who could not assume
// the role is refused, naming the principal, the statement and the rule.
func TestABreakGlassPrincipalTheGuardrailsLockOutIsRefused(t *testing.T) {
	tl := tool(t)
	require.NoError(t, tl.CheckBreakGlass())
	deployer := "arn:aws:iam::" + fixture.ProdAccount + ":role/payments-pipeline-deployer"
	for i := range tl.Accounts {
		tl.Accounts[i].Pipeline.BreakGlass = map[profile.Environment][]string{profile.Prod: {"arn:aws:iam::" + fixture.ProdAccount + ":role/payments-oncall-lead", deployer}}
	}
	err := tl.CheckBreakGlass()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pipeline.breakGlassPrincipals.prod: "+deployer+" could not assume payments-break-glass in an incident: explicitDeny by boundary `NoRoleAssumption`")
	assert.Contains(t, err.Error(), "every break-glass principal must be able to assume the role with MFA")
	assert.Contains(t, err.Error(), deployer+" is a pipeline role")
	assert.NotContains(t, err.Error(), "payments-oncall-lead could not", "the named person still can")
}

// The deployer can create what each environment's plan creates: for every
// resource of the committed planned manifests, the call that creates it is
// allowed by the deployer's policy under its boundary and guardrails.
func TestTheDeployerCanCreateEveryPlannedResource(t *testing.T) {
	tl := tool(t)
	for _, env := range profile.Environments() {
		t.Run(string(env), func(t *testing.T) {
			a := account(t, env)
			m, err := manifest.ReadPlanned("../..", string(env))
			require.NoError(t, err)
			d := deployer(t, a, tl)
			p := a.Profile
			s := iampolicy.Scope{Region: p.Region, Account: p.AccountID}
			envTags := tags("aws:RequestTag/", string(env), "payments-platform")
			ec2 := func(kind string) string { return fmt.Sprintf("arn:aws:ec2:us-east-1:%s:%s/new", p.AccountID, kind) }
			// existing is the context of a call on a resource the layers
			// created earlier, carrying the environment's tags.
			existing := tags("aws:ResourceTag/", string(env), "payments-platform")
			boundaries := map[string]string{} // a role's boundary, by the role's name
			for _, l := range m.Layers {
				for _, r := range l.Resources {
					if r.Type == "aws:iam/role:Role" {
						boundaries[r.PhysicalName] = fmt.Sprint(r.Config["permissionsBoundary"])
					}
				}
			}
			// Planned manifests hold a role's name (or an unknown); a role the
			// layers create is on the workload path.
			roleOf := func(name string) string { return s.RoleAt("/payments-workload/", name) }
			bucketOf := func(r manifest.Resource) string { return iampolicy.Bucket(fmt.Sprint(r.Config["bucket"])) }
			asked := 0
			for _, l := range m.Layers {
				for _, r := range l.Resources {
					name := r.PhysicalName
					var calls []request
					call := func(action, resource string, ctx map[string]string) {
						calls = append(calls, request{action: action, resource: resource, ctx: ctx})
					}
					switch r.Type {
					case "aws:dynamodb/table:Table":
						call("dynamodb:CreateTable", s.Table(name), nil)
						call("dynamodb:UpdateContinuousBackups", s.Table(name), nil)
					case "aws:s3/bucketV2:BucketV2":
						call("s3:CreateBucket", iampolicy.Bucket(name), nil)
						call("s3:PutBucketObjectLockConfiguration", iampolicy.Bucket(name), nil)
						call("s3:PutLifecycleConfiguration", iampolicy.Bucket(name), nil)
						call("s3:PutBucketPolicy", iampolicy.Bucket(name), nil)
						call("s3:PutEncryptionConfiguration", iampolicy.Bucket(name), nil)
					case "aws:lambda/function:Function":
						call("lambda:CreateFunction", s.Function(name), nil)
						call("lambda:PutFunctionConcurrency", s.Function(name), nil)
						call("iam:PassRole", fmt.Sprint(r.Config["role"]), map[string]string{"iam:PassedToService": "lambda.amazonaws.com"})
					case "aws:cloudwatch/logGroup:LogGroup":
						call("logs:CreateLogGroup", s.LogGroup(name), nil)
						// The key comes with CreateLogGroup (kmsKeyId): AssociateKmsKey
						// only moves an existing group under another key.
						call("logs:PutRetentionPolicy", s.LogGroup(name), nil)
					case "aws:iam/role:Role":
						assert.Equal(t, "/payments-workload/", r.Config["path"], "%s: a role the layers create is on the workload path", r.LogicalName)
						call("iam:CreateRole", s.RoleAt(fmt.Sprint(r.Config["path"]), name), map[string]string{"iam:PermissionsBoundary": fmt.Sprint(r.Config["permissionsBoundary"])})
					case "aws:sns/topic:Topic":
						call("sns:CreateTopic", s.Topic(name), nil)
					case "aws:cloudwatch/metricAlarm:MetricAlarm":
						call("cloudwatch:PutMetricAlarm", s.Alarm(name), nil)
					case "aws:cloudwatch/dashboard:Dashboard":
						call("cloudwatch:PutDashboard", fmt.Sprintf("arn:aws:cloudwatch::%s:dashboard/%s", p.AccountID, name), nil)
					case "aws:kms/key:Key":
						call("kms:CreateKey", "*", envTags)
					case "aws:kms/alias:Alias":
						call("kms:CreateAlias", s.Alias(name), nil)
					case "aws:ec2/vpc:Vpc":
						call("ec2:CreateVpc", ec2("vpc"), envTags)
					case "aws:ec2/subnet:Subnet":
						call("ec2:CreateSubnet", ec2("subnet"), envTags)
						call("ec2:CreateSubnet", ec2("vpc"), merge(envTags, tags("aws:ResourceTag/", string(env), "payments-platform")))
					case "aws:ec2/natGateway:NatGateway":
						call("ec2:CreateNatGateway", ec2("natgateway"), envTags)
						call("ec2:CreateNatGateway", ec2("subnet"), merge(envTags, tags("aws:ResourceTag/", string(env), "payments-platform")))
					case "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
						// AWS made it untagged: the layer tags it, then strips its rules.
						call("ec2:CreateTags", ec2("security-group"), envTags)
						call("ec2:RevokeSecurityGroupIngress", ec2("security-group"), tags("aws:ResourceTag/", string(env), "payments-platform"))
					case "aws:appautoscaling/target:Target":
						call("application-autoscaling:RegisterScalableTarget", "*", nil)
					case "aws:appautoscaling/policy:Policy":
						call("application-autoscaling:PutScalingPolicy", "*", nil)
					case "aws:dynamodb/resourcePolicy:ResourcePolicy":
						call("dynamodb:PutResourcePolicy", fmt.Sprint(r.Config["resourceArn"]), nil)
					case "aws:ec2/internetGateway:InternetGateway":
						call("ec2:CreateInternetGateway", ec2("internet-gateway"), envTags)
						call("ec2:AttachInternetGateway", ec2("internet-gateway"), existing)
						call("ec2:AttachInternetGateway", ec2("vpc"), existing)
					case "aws:ec2/eip:Eip":
						call("ec2:AllocateAddress", ec2("elastic-ip"), envTags)
					case "aws:ec2/routeTable:RouteTable":
						call("ec2:CreateRouteTable", ec2("route-table"), envTags)
						call("ec2:CreateRouteTable", ec2("vpc"), merge(envTags, existing))
					case "aws:ec2/route:Route":
						call("ec2:CreateRoute", ec2("route-table"), existing)
					case "aws:ec2/routeTableAssociation:RouteTableAssociation":
						call("ec2:AssociateRouteTable", ec2("route-table"), existing)
						call("ec2:AssociateRouteTable", ec2("subnet"), existing)
					case "aws:ec2/vpcEndpoint:VpcEndpoint":
						call("ec2:CreateVpcEndpoint", ec2("vpc-endpoint"), envTags)
						call("ec2:CreateVpcEndpoint", ec2("vpc"), merge(envTags, existing))
						call("ec2:CreateVpcEndpoint", ec2("route-table"), merge(envTags, existing))
					case "aws:ec2/securityGroup:SecurityGroup":
						call("ec2:CreateSecurityGroup", ec2("security-group"), envTags)
						call("ec2:CreateSecurityGroup", ec2("vpc"), merge(envTags, existing))
					case "aws:ec2/flowLog:FlowLog":
						call("ec2:CreateFlowLogs", ec2("vpc-flow-log"), envTags)
						call("ec2:CreateFlowLogs", ec2("vpc"), merge(envTags, existing))
						call("iam:PassRole", fmt.Sprint(r.Config["iamRoleArn"]), map[string]string{"iam:PassedToService": "vpc-flow-logs.amazonaws.com"})
					case "aws:iam/rolePolicy:RolePolicy":
						role := fmt.Sprint(r.Config["role"])
						require.Contains(t, boundaries, role, "%s: its role is one the layers create", r.LogicalName)
						call("iam:PutRolePolicy", roleOf(role), map[string]string{"iam:PermissionsBoundary": boundaries[role]})
					case "aws:sns/topicSubscription:TopicSubscription":
						call("sns:Subscribe", fmt.Sprint(r.Config["topic"]), nil)
					case "aws:s3/bucketVersioningV2:BucketVersioningV2":
						call("s3:PutBucketVersioning", bucketOf(r), nil)
					case "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2":
						call("s3:PutEncryptionConfiguration", bucketOf(r), nil)
					case "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":
						call("s3:PutBucketPublicAccessBlock", bucketOf(r), nil)
					case "aws:s3/bucketOwnershipControls:BucketOwnershipControls":
						call("s3:PutBucketOwnershipControls", bucketOf(r), nil)
					case "aws:s3/bucketPolicy:BucketPolicy":
						call("s3:PutBucketPolicy", bucketOf(r), nil)
					case "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2":
						call("s3:PutLifecycleConfiguration", bucketOf(r), nil)
					case "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2":
						call("s3:PutBucketObjectLockConfiguration", bucketOf(r), nil)
					case "aws:s3/bucketLoggingV2:BucketLoggingV2":
						call("s3:PutBucketLogging", bucketOf(r), nil)
					default:
						if !strings.HasPrefix(r.Type, "aws:") {
							break
						}
						// A type the cases above do not state by hand is asked
						// the create calls its registry entry names on the
						// resource itself, as a create tagged for the
						// environment; the engine tier's deploys as the
						// deployer evaluate every call of every type.
						ty, ok := awstype.Of(r.Type)
						if !ok || ty.ARN == nil || len(ty.Calls.Create) == 0 {
							t.Errorf("%s %s: the planned manifest creates it, and neither this test nor its registry entry names an ARN and the calls that create it", r.Type, r.LogicalName)
							break
						}
						arn := ty.ARN(s, awstype.Named{Name: name, Input: func(key string) string { return fmt.Sprint(r.Config[key]) }})
						for _, c := range ty.Calls.Create {
							if c.On == (awstype.Target{}) {
								call(c.Action, arn, envTags)
							}
						}
					}
					for _, c := range calls {
						asked++
						got := d.ask(t, c)
						assert.Equal(t, iampolicy.Allowed, got.Decision, "%s %s: %s on %s: %s", r.Type, r.LogicalName, c.action, c.resource, got.By)
					}
				}
			}
			assert.GreaterOrEqual(t, asked, 30, "every environment creates at least 30 of these calls")
		})
	}
}

func TestReadOnlyRoleReadsConfigurationNeverData(t *testing.T) {
	a := account(t, profile.Prod)
	tl := tool(t)
	scp, rcp := tl.ServiceControlPolicy(), tl.ResourceControlPolicy()
	ro := caller{arn: a.Role(bootstrapiam.ReadOnlyRoleName), identity: []iampolicy.Document{a.ReadOnlyPolicy()}, scp: &scp, rcp: &rcp}
	table := "arn:aws:dynamodb:us-east-1:" + fixture.ProdAccount + ":table/transactions-prod-" + fixture.ProdSuffix
	group := "arn:aws:logs:us-east-1:" + fixture.ProdAccount + ":log-group:/aws/lambda/payment-processor-prod-" + fixture.ProdSuffix
	layerRole := "arn:aws:iam::" + fixture.ProdAccount + ":role/payments-workload/payment-processor-role-prod-" + fixture.ProdSuffix
	for _, c := range []struct{ action, resource string }{
		{"dynamodb:DescribeTable", table}, {"dynamodb:DescribeContinuousBackups", table},
		{"s3:GetBucketPolicy", "arn:aws:s3:::audit-logs-prod-" + fixture.ProdSuffix}, {"s3:GetBucketObjectLockConfiguration", "arn:aws:s3:::audit-logs-prod-" + fixture.ProdSuffix},
		{"lambda:GetFunction", "arn:aws:lambda:us-east-1:" + fixture.ProdAccount + ":function:payment-processor-prod-" + fixture.ProdSuffix},
		{"cloudwatch:DescribeAlarms", "*"}, {"logs:DescribeLogGroups", "*"}, {"iam:GetRolePolicy", layerRole},
		{"ssm:GetParameter", "arn:aws:ssm:us-east-1:" + fixture.ProdAccount + ":parameter/payments/bootstrap/version"},
		// HeadBucket, which the provider reads a bucket with: the keys, not the records.
		{"s3:ListBucket", "arn:aws:s3:::audit-logs-prod-" + fixture.ProdSuffix},
	} {
		got := ro.ask(t, request{action: c.action, resource: c.resource})
		assert.Equal(t, iampolicy.Allowed, got.Decision, "%s on %s: %s", c.action, c.resource, got.By)
	}
	for _, c := range []struct{ action, resource string }{
		{"dynamodb:GetItem", table}, {"dynamodb:Query", table}, {"dynamodb:Scan", table}, {"dynamodb:ExportTableToPointInTime", table},
		{"s3:GetObject", "arn:aws:s3:::audit-logs-prod-" + fixture.ProdSuffix + "/audit/x.json"}, {"s3:GetObjectVersion", "arn:aws:s3:::audit-logs-prod-" + fixture.ProdSuffix + "/audit/x.json"},
		{"s3:ListBucket", "arn:aws:s3:::audit-logs-dev-" + fixture.DevSuffix},
		{"logs:GetLogEvents", group + ":log-stream:x"}, {"logs:FilterLogEvents", group}, {"logs:StartQuery", group},
		{"secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:" + fixture.ProdAccount + ":secret:x"},
		{"ssm:GetParameter", "arn:aws:ssm:us-east-1:" + fixture.ProdAccount + ":parameter/x"},
		{"lambda:InvokeFunction", "arn:aws:lambda:us-east-1:" + fixture.ProdAccount + ":function:payment-processor-prod-" + fixture.ProdSuffix},
		{"dynamodb:PutItem", table}, {"iam:PutRolePolicy", layerRole},
	} {
		assert.NotEqual(t, iampolicy.Allowed, ro.ask(t, request{action: c.action, resource: c.resource}).Decision, "%s on %s must be denied", c.action, c.resource)
	}
}

// Prod's bucket, key and table carry, from their creation, policies under
// which nobody but the break-glass role weakens them afterwards: not the
// deployer even with an allow-all policy and no guardrail, nor an
// administrator of the account. The settings the deployer writes at
// creation (the policies themselves, point-in-time recovery, the lock and
// lifecycle) cannot be told apart from weakening them by IAM alone; the
// resources' own policies can, because they exist only after creation.
func TestProdsOwnPoliciesKeepEveryoneButTheBreakGlassRoleOut(t *testing.T) {
	var (
		acct       = fixture.ProdAccount
		breakGlass = "arn:aws:iam::" + fixture.ProdAccount + ":role/payments-break-glass"
		table      = "arn:aws:dynamodb:us-east-1:" + fixture.ProdAccount + ":table/transactions-prod-" + fixture.ProdSuffix
		bucket     = "arn:aws:s3:::audit-logs-prod-" + fixture.ProdSuffix
		key        = "arn:aws:kms:us-east-1:" + fixture.ProdAccount + ":key/env"
	)
	scope := iampolicy.Scope{Region: "us-east-1", Account: acct}
	names := naming.New("prod", fixture.ProdSuffix)
	p, err := profile.Planned(profile.Prod)
	require.NoError(t, err)
	require.Equal(t, breakGlass, bootstrapiam.BreakGlassRole(p))
	bucketPolicy := datapolicy.AuditBucketPolicy("audit-logs-prod-"+fixture.ProdSuffix, breakGlass)
	keyPolicy := datapolicy.KeyPolicy(scope, names, breakGlass)
	tablePolicy := datapolicy.TablePolicy(scope, "transactions-prod-"+fixture.ProdSuffix, breakGlass)
	cases := []struct {
		action, resource string
		policy           *iampolicy.Document
	}{
		{"s3:PutBucketPolicy", bucket, &bucketPolicy}, {"s3:DeleteBucketPolicy", bucket, &bucketPolicy},
		{"s3:PutLifecycleConfiguration", bucket, &bucketPolicy}, {"s3:PutBucketObjectLockConfiguration", bucket, &bucketPolicy},
		{"s3:PutBucketVersioning", bucket, &bucketPolicy}, {"s3:DeleteObjectVersion", bucket + "/audit/x.json", &bucketPolicy},
		{"s3:BypassGovernanceRetention", bucket + "/audit/x.json", &bucketPolicy}, {"s3:DeleteBucket", bucket, &bucketPolicy},
		{"s3:PutEncryptionConfiguration", bucket, &bucketPolicy},
		{"kms:PutKeyPolicy", key, &keyPolicy}, {"kms:ScheduleKeyDeletion", key, &keyPolicy}, {"kms:DisableKey", key, &keyPolicy},
		{"dynamodb:UpdateContinuousBackups", table, &tablePolicy}, {"dynamodb:DeleteTable", table, &tablePolicy},
		{"dynamodb:PutResourcePolicy", table, &tablePolicy},
	}
	ask := func(principal, action, resource string, policy *iampolicy.Document) iampolicy.Result {
		got, err := iampolicy.Evaluate(iampolicy.Request{Principal: principal, Action: action, Resource: resource,
			Context: map[string]string{"aws:SecureTransport": "true"}},
			iampolicy.Policies{Identity: []iampolicy.Document{allowAll}, Resource: policy, Account: acct})
		require.NoError(t, err)
		return got
	}
	for _, c := range cases {
		for _, who := range []string{"arn:aws:sts::" + fixture.ProdAccount + ":assumed-role/payments-pipeline-deployer/gh-1", "arn:aws:iam::" + fixture.ProdAccount + ":role/Admin"} {
			got := ask(who, c.action, c.resource, c.policy)
			assert.Equal(t, iampolicy.ExplicitDeny, got.Decision, "%s: %s on %s", who, c.action, c.resource)
			assert.Contains(t, got.By, "resource/OnlyBreakGlass")
		}
		got := ask("arn:aws:sts::"+fixture.ProdAccount+":assumed-role/payments-break-glass/alice", c.action, c.resource, c.policy)
		assert.Equal(t, iampolicy.Allowed, got.Decision, "the break-glass role: %s on %s: %s", c.action, c.resource, got.By)
	}
	// Dev has no break-glass role: its deployer destroys dev itself.
	dev, err := profile.Planned(profile.Dev)
	require.NoError(t, err)
	assert.Empty(t, bootstrapiam.BreakGlassRole(dev))
	assert.Len(t, datapolicy.AuditBucketPolicy("audit-logs-dev-"+fixture.DevSuffix, "").Statement, 1)
}

// Only S3's logging service writes the audit bucket's access logs, and only
// for this account's audit bucket.
func TestOnlyS3WritesTheAuditAccessLogs(t *testing.T) {
	a := account(t, profile.Prod)
	policy := bootstrapiam.AccessLogBucketPolicy(a)
	ask := func(principal string, ctx map[string]string) iampolicy.Decision {
		c := map[string]string{"aws:SecureTransport": "true"}
		for k, v := range ctx {
			c[k] = v
		}
		got, err := iampolicy.Evaluate(iampolicy.Request{Principal: principal, Action: "s3:PutObject",
			Resource: "arn:aws:s3:::audit-access-logs-prod-" + fixture.ProdSuffix + "/audit-logs/2026-12-01-00-00-00-ABC", Context: c},
			iampolicy.Policies{Resource: &policy, Account: fixture.ProdAccount})
		require.NoError(t, err)
		return got.Decision
	}
	fromAudit := map[string]string{"aws:SourceAccount": fixture.ProdAccount, "aws:SourceArn": "arn:aws:s3:::audit-logs-prod-" + fixture.ProdSuffix}
	assert.Equal(t, iampolicy.Allowed, ask("logging.s3.amazonaws.com", fromAudit))
	assert.NotEqual(t, iampolicy.Allowed, ask("logging.s3.amazonaws.com", map[string]string{"aws:SourceAccount": fixture.ProdAccount, "aws:SourceArn": "arn:aws:s3:::another-bucket"}))
	assert.NotEqual(t, iampolicy.Allowed, ask("logging.s3.amazonaws.com", map[string]string{"aws:SourceAccount": "999988887777", "aws:SourceArn": "arn:aws:s3:::audit-logs-prod-" + fixture.ProdSuffix}))
	assert.NotEqual(t, iampolicy.Allowed, ask("arn:aws:iam::"+fixture.ProdAccount+":role/payments-workload/payment-processor-role-prod-"+fixture.ProdSuffix, fromAudit), "the workload writes no access log")
}

// The deployment's preflight, run by the deployer (deploy:env) and by the
// read-only role (preview:env, drift:env), makes these calls before any
// layer runs: who the caller is, the bootstrap version, and the quotas a
// deployment needs (quota.AWS). Each is allowed to both roles with
// every policy that applies: identity, guardrails, the deployer's boundary
// and the organisation's SCP. A quota read in another region is not.
func TestThePreflightsReadsAreAllowedToBothPipelineRoles(t *testing.T) {
	tl := tool(t)
	scp := tl.ServiceControlPolicy()
	for _, env := range profile.Environments() {
		a := account(t, env)
		acct := a.Profile.AccountID
		fn := "arn:aws:lambda:us-east-1:" + acct + ":function:payment-processor-" + string(env) + "-" + fixture.DevSuffix
		quota := func(service, code string) string {
			return "arn:aws:servicequotas:us-east-1:" + acct + ":" + service + "/" + code
		}
		roles := map[string]caller{
			"deployer":  deployer(t, a, tl),
			"read-only": {arn: a.Role(bootstrapiam.ReadOnlyRoleName), identity: []iampolicy.Document{a.ReadOnlyPolicy()}, scp: &scp},
		}
		for name, role := range roles {
			for _, c := range []struct{ action, resource string }{
				{"sts:GetCallerIdentity", "*"},
				{"ssm:GetParameter", "arn:aws:ssm:us-east-1:" + acct + ":parameter/payments/bootstrap/version"},
				{"lambda:GetAccountSettings", "*"},
				{"lambda:GetFunctionConcurrency", fn},
				{"servicequotas:GetServiceQuota", quota("ec2", "L-0263D0A3")},
				{"servicequotas:GetServiceQuota", quota("vpc", "L-F678F1CE")},
				{"servicequotas:GetServiceQuota", quota("vpc", "L-FE5A380F")},
				{"servicequotas:GetAWSDefaultServiceQuota", "*"},
				{"ec2:DescribeAddresses", "*"}, {"ec2:DescribeVpcs", "*"}, {"ec2:DescribeSubnets", "*"}, {"ec2:DescribeNatGateways", "*"},
			} {
				got := role.ask(t, request{action: c.action, resource: c.resource})
				assert.Equal(t, iampolicy.Allowed, got.Decision, "%s %s: %s on %s: %s", env, name, c.action, c.resource, got.By)
			}
			// Another region's quotas are not read.
			for _, r := range []request{
				{action: "servicequotas:GetServiceQuota", resource: quota("ec2", "L-0263D0A3"), ctx: map[string]string{"aws:RequestedRegion": "eu-west-1"}},
				{action: "lambda:GetAccountSettings", resource: "*", ctx: map[string]string{"aws:RequestedRegion": "eu-west-1"}},
			} {
				assert.NotEqual(t, iampolicy.Allowed, role.ask(t, r).Decision, "%s %s: %s on %s", env, name, r.action, r.resource)
			}
		}
	}
}
