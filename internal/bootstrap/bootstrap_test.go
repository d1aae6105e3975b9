package bootstrap

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/profile"
)

func parse(t *testing.T, text string) []iampolicy.Statement {
	t.Helper()
	d, err := iampolicy.Parse(text)
	require.NoError(t, err)
	return d.Statement
}

func prod(t *testing.T) profile.Profile {
	p, err := profile.Default(profile.Prod)
	require.NoError(t, err)
	p.Suffix = "pay01"
	return p
}

// The deployer's documents, evaluated the way AWS evaluates them. Expected
// answers are written out; names are prod's.
const (
	account          = "345678901234"
	workloadBoundary = "arn:aws:iam::345678901234:policy/permissions-boundary-prod-pay01"
	deployer         = "arn:aws:iam::345678901234:role/payments-pipeline-deployer"
	layerRole        = "arn:aws:iam::345678901234:role/payment-processor-role-prod-pay01"
)

func ask(t *testing.T, identity iampolicy.Document, boundary *iampolicy.Document, action, resource string, ctx map[string]string) iampolicy.Decision {
	t.Helper()
	c := map[string]string{"aws:RequestedRegion": "us-east-1"}
	for k, v := range ctx {
		c[k] = v
	}
	pol := iampolicy.Policies{Identity: []iampolicy.Document{identity}, Boundary: boundary, Account: account}
	if strings.HasPrefix(resource, "arn:aws:kms:") {
		// A key is reached only through its key policy; the environment
		// key's delegates to the account's IAM policies.
		keyPolicy := iampolicy.New(iampolicy.Statement{Effect: "Allow", Principal: map[string]iampolicy.Strings{"AWS": {"arn:aws:iam::" + account + ":root"}},
			Action: []string{"kms:*"}, Resource: []string{"*"}})
		pol.Resource = &keyPolicy
	}
	got, err := iampolicy.Evaluate(iampolicy.Request{Principal: deployer, Action: action, Resource: resource, Context: c}, pol)
	require.NoError(t, err)
	return got.Decision
}

func TestDeployerCannotGiveAWorkloadRoleMoreThanItsBoundary(t *testing.T) {
	p := prod(t)
	policy, boundary := DeployerPolicy(p), DeployerBoundary(p)
	// What an escalation or a careless edit of the deployer's policy gives it.
	allowAll := iampolicy.New(iampolicy.Statement{Effect: "Allow", Action: []string{"*"}, Resource: []string{"*"}})
	withBoundary := func(arn string) map[string]string { return map[string]string{"iam:PermissionsBoundary": arn} }
	envKey := map[string]string{"aws:ResourceTag/Project": "payments-platform", "aws:ResourceTag/Environment": "prod"}
	cases := []struct {
		name             string
		action, resource string
		ctx              map[string]string
		policy, allowAll bool // the answer under the real policy, and under an allow-all one
	}{
		{"create a layer role with the workload boundary", "iam:CreateRole", layerRole, withBoundary(workloadBoundary), true, true},
		{"create a layer role without a boundary", "iam:CreateRole", layerRole, nil, false, false},
		{"create a role with another boundary", "iam:CreateRole", layerRole, withBoundary("arn:aws:iam::345678901234:policy/payments-pipeline-deployer-boundary"), false, false},
		{"put a policy on a role carrying the workload boundary", "iam:PutRolePolicy", layerRole, withBoundary(workloadBoundary), true, true},
		{"put a policy on a role without a boundary", "iam:PutRolePolicy", layerRole, nil, false, false},
		{"attach a managed policy to a role without a boundary", "iam:AttachRolePolicy", layerRole, nil, false, false},
		{"swap a role's boundary for another", "iam:PutRolePermissionsBoundary", layerRole, withBoundary("arn:aws:iam::aws:policy/AdministratorAccess"), false, false},
		{"remove a role's boundary", "iam:DeleteRolePermissionsBoundary", layerRole, nil, false, false},
		{"change its own boundary", "iam:CreatePolicyVersion", "arn:aws:iam::345678901234:policy/payments-pipeline-deployer-boundary", nil, false, false},
		{"change its own policy", "iam:PutRolePolicy", deployer, withBoundary(workloadBoundary), false, false},
		{"update a layer role's trust policy", "iam:UpdateAssumeRolePolicy", layerRole, nil, true, true},
		{"update its own trust policy", "iam:UpdateAssumeRolePolicy", deployer, nil, false, false},
		{"update another role's trust policy", "iam:UpdateAssumeRolePolicy", "arn:aws:iam::345678901234:role/OrganizationAccountAccessRole", nil, false, false},
		{"pass a layer role to Lambda", "iam:PassRole", layerRole, map[string]string{"iam:PassedToService": "lambda.amazonaws.com"}, true, true},
		{"pass a layer role to EC2", "iam:PassRole", layerRole, map[string]string{"iam:PassedToService": "ec2.amazonaws.com"}, false, false},
		{"schedule the environment key's deletion (destroy)", "kms:ScheduleKeyDeletion", "arn:aws:kms:us-east-1:345678901234:key/k", envKey, true, true},
		{"schedule another key's deletion", "kms:ScheduleKeyDeletion", "arn:aws:kms:us-east-1:345678901234:key/k", nil, false, false},
		{"empty the locked audit bucket on destroy", "s3:BypassGovernanceRetention", "arn:aws:s3:::audit-logs-prod-pay01/audit/x.json", nil, true, true},
		{"read an audit record", "s3:GetObject", "arn:aws:s3:::audit-logs-prod-pay01/audit/x.json", nil, false, false},
		{"scan the transactions", "dynamodb:Scan", "arn:aws:dynamodb:us-east-1:345678901234:table/transactions-prod-pay01", nil, false, false},
		{"delete another environment's table", "dynamodb:DeleteTable", "arn:aws:dynamodb:us-east-1:345678901234:table/transactions-dev-pay01", nil, false, false},
		{"create a user", "iam:CreateUser", "arn:aws:iam::345678901234:user/backdoor", nil, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := func(ok bool) iampolicy.Decision {
				if ok {
					return iampolicy.Allowed
				}
				return ""
			}
			got := ask(t, policy, &boundary, c.action, c.resource, c.ctx)
			if c.policy {
				assert.Equal(t, want(true), got, "the deployer's policy")
			} else {
				assert.NotEqual(t, iampolicy.Allowed, got, "the deployer's policy")
			}
			got = ask(t, allowAll, &boundary, c.action, c.resource, c.ctx)
			if c.allowAll {
				assert.Equal(t, want(true), got, "an allow-all policy under the deployer's boundary")
			} else {
				assert.NotEqual(t, iampolicy.Allowed, got, "an allow-all policy under the deployer's boundary")
			}
		})
	}
}

func TestReadOnlyRoleReadsConfigurationNeverData(t *testing.T) {
	policy := ReadOnlyPolicy(prod(t))
	table := "arn:aws:dynamodb:us-east-1:345678901234:table/transactions-prod-pay01"
	group := "arn:aws:logs:us-east-1:345678901234:log-group:/aws/lambda/payment-processor-prod-pay01"
	for _, c := range []struct{ action, resource string }{
		{"dynamodb:DescribeTable", table}, {"dynamodb:DescribeContinuousBackups", table},
		{"s3:GetBucketPolicy", "arn:aws:s3:::audit-logs-prod-pay01"}, {"s3:GetBucketObjectLockConfiguration", "arn:aws:s3:::audit-logs-prod-pay01"},
		{"lambda:GetFunctionConfiguration", "arn:aws:lambda:us-east-1:345678901234:function:payment-processor-prod-pay01"},
		{"kms:DescribeKey", "arn:aws:kms:us-east-1:345678901234:key/k"}, {"cloudwatch:DescribeAlarms", "*"},
		{"logs:DescribeLogGroups", "*"}, {"iam:GetRolePolicy", layerRole},
	} {
		assert.Equal(t, iampolicy.Allowed, ask(t, policy, nil, c.action, c.resource, nil), "%s on %s", c.action, c.resource)
	}
	for _, c := range []struct{ action, resource string }{
		{"dynamodb:GetItem", table}, {"dynamodb:Query", table}, {"dynamodb:Scan", table}, {"dynamodb:ExportTableToPointInTime", table},
		{"s3:GetObject", "arn:aws:s3:::audit-logs-prod-pay01/audit/x.json"}, {"s3:ListBucket", "arn:aws:s3:::audit-logs-prod-pay01"},
		{"logs:GetLogEvents", group + ":log-stream:x"}, {"logs:FilterLogEvents", group}, {"logs:StartQuery", group},
		{"kms:Decrypt", "arn:aws:kms:us-east-1:345678901234:key/k"},
		{"secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:345678901234:secret:x"},
		{"ssm:GetParameter", "arn:aws:ssm:us-east-1:345678901234:parameter/x"},
		{"lambda:InvokeFunction", "arn:aws:lambda:us-east-1:345678901234:function:payment-processor-prod-pay01"},
		{"dynamodb:PutItem", table}, {"iam:PutRolePolicy", layerRole},
	} {
		assert.NotEqual(t, iampolicy.Allowed, ask(t, policy, nil, c.action, c.resource, nil), "%s on %s must be denied", c.action, c.resource)
	}
}

func TestDeployerIsConfinedToItsEnvironment(t *testing.T) {
	st := parse(t, DeployerPolicy(prod(t)).JSON())
	for _, s := range st {
		for _, a := range s.Action {
			assert.NotContains(t, a, "*", "%s: wildcard action %s", s.Sid, a)
		}
		for _, r := range s.Resource {
			if r == "*" {
				if s.Sid != "Identity" && s.Effect == "Allow" {
					assert.Equal(t, "us-east-1", s.Condition["StringEquals"]["aws:RequestedRegion"], "%s: Resource * only within the region", s.Sid)
				}
				continue
			}
			assert.NotContains(t, r, "-dev-")
			assert.NotContains(t, r, "-staging-")
			if strings.HasPrefix(r, "arn:aws:iam::") || strings.Contains(r, ":us-east-1:") {
				assert.Contains(t, r, "345678901234", "%s: resource in another account", s.Sid)
			}
		}
	}
}

func TestTrustIsOneGitHubEnvironment(t *testing.T) {
	st := parse(t, Trust(prod(t), "acmepay/platform", "prod").JSON())
	require.Len(t, st, 1)
	assert.Equal(t, iampolicy.Strings{"arn:aws:iam::345678901234:oidc-provider/token.actions.githubusercontent.com"}, st[0].Principal["Federated"])
	assert.Equal(t, "repo:acmepay/platform:environment:prod", st[0].Condition["StringEquals"]["token.actions.githubusercontent.com:sub"])
	assert.Equal(t, "sts.amazonaws.com", st[0].Condition["StringEquals"]["token.actions.githubusercontent.com:aud"])
}

// IAM refuses a managed policy over 6,144 characters and a role's inline
// policies over 10,240 (whitespace not counted; the documents have none).
func TestDocumentsFitIAMsSizeLimits(t *testing.T) {
	p := prod(t)
	p.Suffix = "abcdefghijkl" // the longest suffix allowed
	for _, f := range Files(p, "a-rather-long-organisation/a-rather-long-repository-name") {
		limit := 6144
		if f.Name == "deployer-policy.json" {
			limit = 10240
		}
		assert.LessOrEqual(t, len(f.Doc.JSON()), limit, f.Name)
	}
}

func TestEachEnvironmentReachesOnlyItsStatePrefix(t *testing.T) {
	var envs []profile.Profile
	for _, e := range profile.Environments() {
		p, err := profile.Planned(e)
		require.NoError(t, err)
		envs = append(envs, p)
	}
	policy := StateBucketPolicy("acme-payments-pulumi-state", envs)
	ask := func(principal, action, resource string, ctx map[string]string) iampolicy.Decision {
		c := map[string]string{"aws:SecureTransport": "true"}
		for k, v := range ctx {
			c[k] = v
		}
		got, err := iampolicy.Evaluate(iampolicy.Request{Principal: principal, Action: action, Resource: resource, Context: c},
			iampolicy.Policies{Resource: &policy})
		require.NoError(t, err)
		return got.Decision
	}
	const bucket = "arn:aws:s3:::acme-payments-pulumi-state"
	devDeployer := "arn:aws:iam::123456789012:role/payments-pipeline-deployer"
	devReadOnly := "arn:aws:iam::123456789012:role/payments-pipeline-readonly"
	assert.Equal(t, iampolicy.Allowed, ask(devDeployer, "s3:PutObject", bucket+"/dev/.pulumi/stacks/network/dev.json", nil))
	assert.Equal(t, iampolicy.Allowed, ask(devReadOnly, "s3:GetObject", bucket+"/dev/.pulumi/stacks/network/dev.json", nil))
	assert.Equal(t, iampolicy.Allowed, ask(devReadOnly, "s3:PutObject", bucket+"/dev/.pulumi/locks/organization/network/dev/x.json", nil), "a refresh takes the stack's lock")
	assert.NotEqual(t, iampolicy.Allowed, ask(devReadOnly, "s3:PutObject", bucket+"/dev/.pulumi/stacks/network/dev.json", nil), "the read-only role never writes state")
	assert.Equal(t, iampolicy.Allowed, ask(devDeployer, "s3:PutObject", bucket+"/dev/.platform/locks/dev/x.json", nil), "a deploy takes the environment's lock")
	assert.Equal(t, iampolicy.Allowed, ask(devReadOnly, "s3:GetObject", bucket+"/dev/.platform/locks/dev/x.json", nil), "a drift check reads it")
	assert.NotEqual(t, iampolicy.Allowed, ask(devReadOnly, "s3:DeleteObject", bucket+"/dev/.platform/locks/dev/x.json", nil), "and never removes it")
	assert.NotEqual(t, iampolicy.Allowed, ask(devDeployer, "s3:GetObject", bucket+"/prod/.pulumi/stacks/network/prod.json", nil), "dev's roles never read prod's state")
	assert.NotEqual(t, iampolicy.Allowed, ask(devDeployer, "s3:ListBucket", bucket, map[string]string{"s3:prefix": "prod/"}))
	assert.Equal(t, iampolicy.Allowed, ask(devDeployer, "s3:ListBucket", bucket, map[string]string{"s3:prefix": "dev/.pulumi/"}))
	assert.Equal(t, iampolicy.ExplicitDeny, ask(devDeployer, "s3:GetObject", bucket+"/dev/x", map[string]string{"aws:SecureTransport": "false"}))
}

// The deployer can create what each environment's plan creates: for every
// resource of the committed planned manifests, the call that creates it is
// allowed by the deployer's policy under its boundary.
func TestTheDeployerCanCreateEveryPlannedResource(t *testing.T) {
	for _, env := range profile.Environments() {
		t.Run(string(env), func(t *testing.T) {
			p, err := profile.Planned(env)
			require.NoError(t, err)
			raw, err := os.ReadFile(filepath.Join("..", "..", "manifests", "planned", string(env)+".json"))
			require.NoError(t, err)
			var m manifest.Manifest
			require.NoError(t, json.Unmarshal(raw, &m))
			policy, boundary := DeployerPolicy(p), DeployerBoundary(p)
			s := iampolicy.Scope{Region: p.Region, Account: p.AccountID}
			envTags := map[string]string{"aws:RequestTag/Project": "payments-platform", "aws:RequestTag/Environment": string(env)}
			asked := 0
			for _, l := range m.Layers {
				for _, r := range l.Resources {
					name := r.PhysicalName
					var calls []struct {
						action, resource string
						ctx              map[string]string
					}
					call := func(action, resource string, ctx map[string]string) {
						calls = append(calls, struct {
							action, resource string
							ctx              map[string]string
						}{action, resource, ctx})
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
						call("logs:CreateLogGroup", s.LogGroup(name, false), nil)
						call("logs:PutRetentionPolicy", s.LogGroup(name, false), nil)
						call("logs:AssociateKmsKey", s.LogGroup(name, false), nil)
					case "aws:iam/role:Role":
						call("iam:CreateRole", s.Role(name), map[string]string{"iam:PermissionsBoundary": fmt.Sprint(r.Config["permissionsBoundary"])})
					case "aws:iam/policy:Policy":
						call("iam:CreatePolicy", s.Policy(name), nil)
					case "aws:sns/topic:Topic":
						call("sns:CreateTopic", fmt.Sprintf("arn:aws:sns:%s:%s:%s", p.Region, p.AccountID, name), nil)
					case "aws:cloudwatch/metricAlarm:MetricAlarm":
						call("cloudwatch:PutMetricAlarm", fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", p.Region, p.AccountID, name), nil)
					case "aws:cloudwatch/dashboard:Dashboard":
						call("cloudwatch:PutDashboard", fmt.Sprintf("arn:aws:cloudwatch::%s:dashboard/%s", p.AccountID, name), nil)
					case "aws:kms/key:Key":
						call("kms:CreateKey", "*", envTags)
					case "aws:kms/alias:Alias":
						call("kms:CreateAlias", fmt.Sprintf("arn:aws:kms:%s:%s:%s", p.Region, p.AccountID, name), nil)
					case "aws:ec2/vpc:Vpc":
						call("ec2:CreateVpc", "*", nil)
					case "aws:ec2/natGateway:NatGateway":
						call("ec2:CreateNatGateway", "*", nil)
					case "aws:appautoscaling/target:Target":
						call("application-autoscaling:RegisterScalableTarget", "*", nil)
					}
					for _, c := range calls {
						asked++
						assert.Equal(t, iampolicy.Allowed, ask(t, policy, &boundary, c.action, c.resource, c.ctx), "%s %s: %s on %s", r.Type, r.LogicalName, c.action, c.resource)
					}
				}
			}
			assert.GreaterOrEqual(t, asked, 26, "dev has the fewest resources: 26 calls")
		})
	}
}
