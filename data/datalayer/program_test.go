package datalayer

import (
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
	mode                 string
	rcu, wcu, maxR, maxW float64
	pitr                 bool
	expirationDays       float64
}

var environments = []expected{
	{stacktest.Env("dev"), "PAY_PER_REQUEST", 0, 0, 0, 0, false, 30},
	{stacktest.Env("staging"), "PROVISIONED", 5, 5, 50, 50, false, 90},
	{stacktest.Env("prod"), "PROVISIONED", 25, 25, 500, 500, true, 365},
}

// upstream is what the network layer of env exports: the key the data layer
// encrypts with.
func upstream(env string) map[string]map[string]any {
	return map[string]map[string]any{"organization/network/" + env: stacktest.NetworkOutputs(env, stacktest.Env(env).Account)}
}

func run(t *testing.T, env string, overrides map[string]string) *stacktest.Result {
	t.Helper()
	res, err := stacktest.Run(Program, stacktest.Options{Project: "data", Stack: env, Config: stacktest.StackConfig(t, "..", env, overrides),
		StackOutputs: upstream(env)})
	require.NoError(t, err)
	return res
}

func TestTransactionsTable(t *testing.T) {
	for _, want := range environments {
		t.Run(want.Name, func(t *testing.T) {
			res := run(t, want.Name, nil)
			table := res.MustOne(t, "aws:dynamodb/table:Table", "transactions")
			p := table.Plain()
			assert.Equal(t, "transactions-"+want.Name+"-"+fixture.DevSuffix, p["name"])
			assert.Equal(t, "transactionId", p["hashKey"])
			assert.Equal(t, want.mode, p["billingMode"])
			assert.Equal(t, map[string]any{"enabled": true, "kmsKeyArn": stacktest.KeyArn(want.Name, want.Account)}, p["serverSideEncryption"],
				"encrypted with the environment's key")
			assert.Equal(t, map[string]any{"enabled": want.pitr}, p["pointInTimeRecovery"], "PITR only in prod")
			assert.Equal(t, false, p["deletionProtectionEnabled"], "environments must be destroyable")

			indexes := p["globalSecondaryIndexes"].([]any)
			require.Len(t, indexes, 1)
			gsi := indexes[0].(map[string]any)
			assert.Equal(t, "merchantId", gsi["hashKey"])
			assert.Equal(t, "createdAt", gsi["rangeKey"])
			attrs := map[string]string{}
			for _, a := range p["attributes"].([]any) {
				m := a.(map[string]any)
				attrs[m["name"].(string)] = m["type"].(string)
			}
			assert.Equal(t, map[string]string{"transactionId": "S", "merchantId": "S", "createdAt": "S"}, attrs)

			if want.mode == "PAY_PER_REQUEST" {
				assert.NotContains(t, p, "readCapacity")
				assert.NotContains(t, p, "writeCapacity")
				assert.Empty(t, res.ByType("aws:appautoscaling/target:Target"))
				assert.Empty(t, res.ByType("aws:appautoscaling/policy:Policy"))
				return
			}
			assert.Equal(t, want.rcu, p["readCapacity"])
			assert.Equal(t, want.wcu, p["writeCapacity"])
			assert.Equal(t, want.rcu, gsi["readCapacity"])
			assert.Equal(t, want.wcu, gsi["writeCapacity"])
		})
	}
}

func TestAutoscalingOnTableAndIndex(t *testing.T) {
	for _, want := range environments[1:] {
		t.Run(want.Name, func(t *testing.T) {
			res := run(t, want.Name, nil)
			table := "table/transactions-" + want.Name + "-" + fixture.DevSuffix
			type target struct {
				min, max float64
			}
			wantTargets := map[string]target{
				table + " dynamodb:table:ReadCapacityUnits":                                   {want.rcu, want.maxR},
				table + " dynamodb:table:WriteCapacityUnits":                                  {want.wcu, want.maxW},
				table + "/index/merchantId-createdAt-index dynamodb:index:ReadCapacityUnits":  {want.rcu, want.maxR},
				table + "/index/merchantId-createdAt-index dynamodb:index:WriteCapacityUnits": {want.wcu, want.maxW},
			}
			got := map[string]target{}
			for _, tg := range res.ByType("aws:appautoscaling/target:Target") {
				p := tg.Plain()
				assert.Equal(t, "dynamodb", p["serviceNamespace"])
				got[tg.Str("resourceId")+" "+tg.Str("scalableDimension")] = target{p["minCapacity"].(float64), p["maxCapacity"].(float64)}
			}
			assert.Equal(t, wantTargets, got)

			policies := res.ByType("aws:appautoscaling/policy:Policy")
			require.Len(t, policies, 4)
			for _, pol := range policies {
				assert.Equal(t, "TargetTrackingScaling", pol.Str("policyType"))
				cfg := pol.Plain()["targetTrackingScalingPolicyConfiguration"].(map[string]any)
				assert.Equal(t, 70.0, cfg["targetValue"])
				metric := cfg["predefinedMetricSpecification"].(map[string]any)["predefinedMetricType"]
				assert.Contains(t, []any{"DynamoDBReadCapacityUtilization", "DynamoDBWriteCapacityUtilization"}, metric)
			}
		})
	}
}

func TestAuditBucket(t *testing.T) {
	for _, want := range environments {
		t.Run(want.Name, func(t *testing.T) {
			res := run(t, want.Name, nil)
			bucketName := "audit-logs-" + want.Name + "-" + fixture.DevSuffix
			bucket := res.MustOne(t, "aws:s3/bucketV2:BucketV2", "audit-logs")
			assert.Equal(t, bucketName, bucket.Str("bucket"))
			assert.Equal(t, true, bucket.Plain()["forceDestroy"])

			pab := res.MustOne(t, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "audit-logs").Plain()
			for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
				assert.Equal(t, true, pab[k], k)
			}
			own := res.MustOne(t, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "audit-logs").Plain()
			assert.Equal(t, map[string]any{"objectOwnership": "BucketOwnerEnforced"}, own["rule"])
			ver := res.MustOne(t, "aws:s3/bucketVersioningV2:BucketVersioningV2", "audit-logs").Plain()
			assert.Equal(t, "Enabled", ver["versioningConfiguration"].(map[string]any)["status"])
			enc := res.MustOne(t, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "audit-logs").Plain()
			rule := enc["rules"].([]any)[0].(map[string]any)
			assert.Equal(t, "aws:kms", rule["applyServerSideEncryptionByDefault"].(map[string]any)["sseAlgorithm"])

			logging := res.MustOne(t, "aws:s3/bucketLoggingV2:BucketLoggingV2", "audit-logs").Plain()
			assert.Equal(t, "audit-access-logs-"+want.Name+"-"+fixture.DevSuffix, logging["targetBucket"], "every access to an audit record is logged in the bootstrap's bucket")
			assert.Equal(t, "audit-logs/", logging["targetPrefix"])

			policy := stacktest.ParsePolicy(t, res.MustOne(t, "aws:s3/bucketPolicy:BucketPolicy", "audit-logs").Str("policy"))
			// Prod's bucket also keeps everyone but its break-glass role from
			// weakening the trail (evaluated in internal/bootstrap's tests).
			if want.Name == "prod" {
				require.Len(t, policy, 2)
				assert.Equal(t, "OnlyBreakGlassWeakensTheAuditTrail", policy[1].Sid)
				assert.Equal(t, iampolicy.Values{"arn:aws:iam::" + fixture.ProdAccount + ":role/payments-break-glass"}, policy[1].Condition["ArnNotEquals"]["aws:PrincipalArn"])
				assert.Len(t, res.ByType("aws:dynamodb/resourcePolicy:ResourcePolicy"), 1, "and its table a resource policy")
			} else {
				require.Len(t, policy, 1, "dev and staging have no break-glass role")
				assert.Empty(t, res.ByType("aws:dynamodb/resourcePolicy:ResourcePolicy"))
			}
			deny := policy[0]
			assert.Equal(t, "Deny", deny.Effect)
			assert.Equal(t, iampolicy.Condition{"Bool": {"aws:SecureTransport": {"false"}}}, deny.Condition)
			assert.ElementsMatch(t, []string{"arn:aws:s3:::" + bucketName, "arn:aws:s3:::" + bucketName + "/*"}, deny.Resource)

			lc := res.MustOne(t, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "audit-logs").Plain()
			rules := lc["rules"].([]any)
			require.Len(t, rules, 1)
			r := rules[0].(map[string]any)
			assert.Equal(t, "Enabled", r["status"])
			assert.Equal(t, want.expirationDays, r["expiration"].(map[string]any)["days"])
			assert.Equal(t, want.expirationDays, r["noncurrentVersionExpiration"].(map[string]any)["noncurrentDays"])
			assert.Equal(t, 7.0, r["abortIncompleteMultipartUpload"].(map[string]any)["daysAfterInitiation"])
		})
	}
}

func TestExports(t *testing.T) {
	res := run(t, "prod", nil)
	assert.Equal(t, "transactions-prod-"+fixture.ProdSuffix, res.Exports["tableName"])
	assert.Equal(t, "merchantId-createdAt-index", res.Exports["tableMerchantIndexName"])
	assert.Equal(t, "audit-logs-prod-"+fixture.ProdSuffix, res.Exports["auditBucketName"])
	assert.Equal(t, "audit/", res.Exports["auditPrefix"])
	assert.NotEmpty(t, res.Exports["tableArn"])
	assert.NotEmpty(t, res.Exports["auditBucketArn"])
}

func TestNamesTagsAndDestroyability(t *testing.T) {
	for _, want := range environments {
		t.Run(want.Name, func(t *testing.T) {
			stacktest.AssertConventions(t, run(t, want.Name, nil), stacktest.Conventions{
				Env: want.Name, Suffix: fixture.DevSuffix,
				Nameless: map[string]bool{"aws:appautoscaling/target:Target": true},
				Tags: map[string]string{
					"Environment": want.Name, "CostCenter": want.CostCenter, "DataClassification": want.DataClassification,
					"Project": "payments-platform", "Layer": "data", "ManagedBy": "pulumi",
				},
			})
		})
	}
}

func TestBadCapacityOverrideFailsBeforeAnyResource(t *testing.T) {
	res, err := stacktest.Run(Program, stacktest.Options{Project: "data", Stack: "prod",
		Config: stacktest.StackConfig(t, "..", "prod", map[string]string{"payments:tableReadCapacity": "0"}), StackOutputs: upstream("prod")})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `payments:tableReadCapacity = "0": allowed 1-40000`)
	stacktest.AssertRefusedBeforeAnyResource(t, res, err, "")
}
