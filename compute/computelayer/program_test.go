package computelayer

import (
	"crypto/sha256"
	"encoding/base64"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/stacktest"
)

// This layer's rows of the environment table (docs/environments.md),
// written out; what every layer expects is stacktest.Environments.
type expected struct {
	stacktest.Environment
	memory, retention float64
	reserved          float64
}

var environments = []expected{
	{stacktest.Env("dev"), 512, 30, 5},
	{stacktest.Env("staging"), 1024, 90, 20},
	{stacktest.Env("prod"), 2048, 365, 200},
}

var keyArn = stacktest.KeyArn

// upstream returns what the network and data stacks of env export, as a
// deployed environment would.
func upstream(env, account string) map[string]map[string]any {
	return map[string]map[string]any{
		"organization/network/" + env: stacktest.NetworkOutputs(env, account),
		"organization/data/" + env: {
			"tableName": "transactions-" + env + "-" + fixture.DevSuffix, "tableArn": "arn:aws:dynamodb:us-east-1:" + account + ":table/transactions-" + env + "-" + fixture.DevSuffix,
			"tableMerchantIndexName": "merchantId-createdAt-index",
			"auditBucketName":        "audit-logs-" + env + "-" + fixture.DevSuffix, "auditBucketArn": "arn:aws:s3:::audit-logs-" + env + "-" + fixture.DevSuffix,
			"auditPrefix": "audit/",
		},
	}
}

func run(t *testing.T, want expected) *stacktest.Result {
	t.Helper()
	res, err := stacktest.Run(Program, stacktest.Options{
		Project: "compute", Stack: want.Name,
		Config:       stacktest.StackConfig(t, "..", want.Name, nil),
		StackOutputs: upstream(want.Name, want.Account),
	})
	require.NoError(t, err)
	return res
}

func TestFunctionPerEnvironment(t *testing.T) {
	for _, want := range environments {
		t.Run(want.Name, func(t *testing.T) {
			res := run(t, want)
			fn := res.MustOne(t, "aws:lambda/function:Function", "payment-processor")
			p := fn.Plain()
			name := "payment-processor-" + want.Name + "-" + fixture.DevSuffix
			assert.Equal(t, name, p["name"])
			assert.Equal(t, []any{"arm64"}, p["architectures"])
			assert.Equal(t, "provided.al2023", p["runtime"])
			assert.Equal(t, "bootstrap", p["handler"])
			assert.Equal(t, want.memory, p["memorySize"])
			assert.Equal(t, want.reserved, p["reservedConcurrentExecutions"])
			assert.Equal(t, map[string]any{"mode": "Active"}, p["tracingConfig"])
			vpc := p["vpcConfig"].(map[string]any)
			assert.Equal(t, []any{"subnet-priv1", "subnet-priv2"}, vpc["subnetIds"], "runs in the private subnets read from network")
			assert.Equal(t, []any{"payment-processor-id"}, vpc["securityGroupIds"])
			assert.Equal(t, map[string]any{
				"TABLE_NAME":   "transactions-" + want.Name + "-" + fixture.DevSuffix,
				"AUDIT_BUCKET": "audit-logs-" + want.Name + "-" + fixture.DevSuffix,
				"AUDIT_PREFIX": "audit/",
				"ENVIRONMENT":  want.Name,
			}, p["environment"].(map[string]any)["variables"])
			assert.Equal(t, "/aws/lambda/"+name, p["loggingConfig"].(map[string]any)["logGroup"])

			group := res.MustOne(t, "aws:cloudwatch/logGroup:LogGroup", "payment-processor")
			assert.Equal(t, "/aws/lambda/"+name, group.Str("name"))
			assert.Equal(t, want.retention, group.Plain()["retentionInDays"])
			assert.Equal(t, keyArn(want.Name, want.Account), group.Str("kmsKeyId"), "the log group is under the environment's key")

			// The archive deployed is the one whose hash is declared.
			archive := fn.Inputs["code"]
			require.True(t, archive.IsArchive(), "code is an archive")
			data, err := os.ReadFile(archive.ArchiveValue().Path)
			require.NoError(t, err)
			sum := sha256.Sum256(data)
			assert.Equal(t, base64.StdEncoding.EncodeToString(sum[:]), p["sourceCodeHash"])
		})
	}
}

// The function reaches S3 and DynamoDB through the gateway endpoints'
// prefix lists (network's outputs), on 443, and nothing else: no CIDR, so
// no host on the internet.
func TestSecurityGroupIsEgressOnlyToTheGatewayEndpoints(t *testing.T) {
	for _, want := range environments {
		res := run(t, want)
		sg := res.MustOne(t, "aws:ec2/securityGroup:SecurityGroup", "payment-processor").Plain()
		assert.Equal(t, "vpc-0abc", sg["vpcId"])
		assert.Empty(t, sg["ingress"])
		egress := sg["egress"].([]any)
		require.Len(t, egress, 1)
		rule := egress[0].(map[string]any)
		assert.Equal(t, "tcp", rule["protocol"])
		assert.Equal(t, 443.0, rule["fromPort"])
		assert.Equal(t, 443.0, rule["toPort"])
		assert.Equal(t, []any{"pl-63a5400a", "pl-02cd2c6b"}, rule["prefixListIds"], "%s: the S3 and DynamoDB endpoints' prefix lists", want.Name)
		assert.Empty(t, rule["cidrBlocks"], "%s: no CIDR, so no internet", want.Name)
		assert.Empty(t, rule["ipv6CidrBlocks"])
	}
}

// Actions IAM grants only on "*", written out here from the AWS
// documentation: Lambda's VPC network interfaces and X-Ray writes.
var wildcardResourceExceptions = map[string]bool{
	"ec2:CreateNetworkInterface": true, "ec2:DescribeNetworkInterfaces": true, "ec2:DeleteNetworkInterface": true,
	"ec2:AssignPrivateIpAddresses": true, "ec2:UnassignPrivateIpAddresses": true, "ec2:DescribeSubnets": true,
	"xray:PutTraceSegments": true, "xray:PutTelemetryRecords": true,
}

func TestExecutionRoleIsLeastPrivilege(t *testing.T) {
	for _, want := range environments {
		t.Run(want.Name, func(t *testing.T) {
			res := run(t, want)
			role := res.MustOne(t, "aws:iam/role:Role", "payment-processor")
			assert.Equal(t, "payment-processor-role-"+want.Name+"-"+fixture.DevSuffix, role.Str("name"))
			assert.Equal(t, "arn:aws:iam::"+want.Account+":policy/permissions-boundary-"+want.Name+"-"+fixture.DevSuffix, role.Str("permissionsBoundary"))

			trust := stacktest.ParsePolicy(t, role.Str("assumeRolePolicy"))
			require.Len(t, trust, 1)
			assert.Equal(t, "Allow", trust[0].Effect)
			assert.Len(t, trust[0].Principal, 1)
			assert.Equal(t, []string{"lambda.amazonaws.com"}, []string(trust[0].Principal["Service"]))
			assert.Equal(t, []string{"sts:AssumeRole"}, []string(trust[0].Action))
			assert.Equal(t, iampolicy.Condition{"StringEquals": {"aws:SourceAccount": {want.Account}}}, trust[0].Condition)

			policy := stacktest.ParsePolicy(t, res.MustOne(t, "aws:iam/rolePolicy:RolePolicy", "payment-processor").Str("policy"))
			table := "arn:aws:dynamodb:us-east-1:" + want.Account + ":table/transactions-" + want.Name + "-" + fixture.DevSuffix
			logGroup := "arn:aws:logs:us-east-1:" + want.Account + ":log-group:/aws/lambda/payment-processor-" + want.Name + "-" + fixture.DevSuffix
			allowedResources := map[string]bool{
				table: true, table + "/index/*": true,
				"arn:aws:s3:::audit-logs-" + want.Name + "-" + fixture.DevSuffix + "/audit/*": true,
				logGroup: true, logGroup + ":log-stream:*": true,
				keyArn(want.Name, want.Account): true,
			}
			granted := map[string][]string{}
			for _, s := range policy {
				assert.Equal(t, "Allow", s.Effect)
				for _, a := range s.Action {
					assert.NotContains(t, a, "*", "no wildcard actions")
				}
				for _, r := range s.Resource {
					if r == "*" {
						for _, a := range s.Action {
							assert.True(t, wildcardResourceExceptions[a], "%s on Resource * is not a documented exception", a)
						}
						continue
					}
					assert.True(t, allowedResources[r], "resource %s is outside this environment's function, table, bucket prefix and log group", r)
					assert.NotContains(t, r, "*:*:*", "no account or region wildcards")
					for _, other := range []string{"dev", "staging", "prod"} {
						if other != want.Name {
							assert.NotContains(t, r, "-"+other+"-", "resource of another environment")
						}
					}
				}
				for _, a := range s.Action {
					granted[a] = append(granted[a], s.Resource...)
				}
			}
			assert.ElementsMatch(t, []string{table, table + "/index/*"}, granted["dynamodb:PutItem"])
			assert.ElementsMatch(t, []string{table, table + "/index/*"}, granted["dynamodb:GetItem"])
			assert.Equal(t, []string{"arn:aws:s3:::audit-logs-" + want.Name + "-" + fixture.DevSuffix + "/audit/*"}, granted["s3:PutObject"])
			var dynamoActions, s3Actions []string
			for a := range granted {
				switch {
				case strings.HasPrefix(a, "dynamodb:"):
					dynamoActions = append(dynamoActions, a)
				case strings.HasPrefix(a, "s3:"):
					s3Actions = append(s3Actions, a)
				}
			}
			assert.ElementsMatch(t, []string{"dynamodb:GetItem", "dynamodb:PutItem"}, dynamoActions, "only the calls the function makes")
			assert.Equal(t, []string{"s3:PutObject"}, s3Actions)
			assert.Equal(t, []string{keyArn(want.Name, want.Account), keyArn(want.Name, want.Account)}, granted["kms:Decrypt"], "the key, through DynamoDB and through S3")
		})
	}
}

func TestReadsUpstreamLayersByStackReference(t *testing.T) {
	res := run(t, environments[0])
	var refs []string
	for _, r := range res.ByType("pulumi:pulumi:StackReference") {
		refs = append(refs, r.Name)
	}
	assert.ElementsMatch(t, []string{"organization/network/dev", "organization/data/dev"}, refs)

	fns := res.Exports["functions"].([]any)
	require.Len(t, fns, 1)
	fn := fns[0].(map[string]any)
	assert.Equal(t, "payment-processor-dev-"+fixture.DevSuffix, fn["name"])
	assert.Equal(t, "/aws/lambda/payment-processor-dev-"+fixture.DevSuffix, fn["logGroupName"])
	assert.Equal(t, 10.0, fn["timeoutSeconds"])
}

func TestMissingUpstreamOutputNamesStackAndKey(t *testing.T) {
	outputs := upstream("dev", stacktest.Env("dev").Account)
	delete(outputs["organization/data/dev"], "auditBucketName")
	res, err := stacktest.Run(Program, stacktest.Options{
		Project: "compute", Stack: "dev", Config: stacktest.StackConfig(t, "..", "dev", nil), StackOutputs: outputs,
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `stack organization/data/dev has no output "auditBucketName"`)
	assert.Empty(t, res.ByType("aws:lambda/function:Function"))
}

func TestNamesTagsAndDestroyability(t *testing.T) {
	for _, want := range environments {
		t.Run(want.Name, func(t *testing.T) {
			stacktest.AssertConventions(t, run(t, want), stacktest.Conventions{
				Env: want.Name, Suffix: fixture.DevSuffix,
				Tags: map[string]string{
					"Environment": want.Name, "CostCenter": want.CostCenter, "DataClassification": want.DataClassification,
					"Project": "payments-platform", "Layer": "compute", "ManagedBy": "pulumi",
				},
			})
		})
	}
}
