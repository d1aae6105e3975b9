package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/internal/policy/report"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/profile"
)

// The committed planned manifests (kept current by the plan tests) are the
// realistic input; each case breaks one thing in a copy.
func load(t *testing.T, env string) manifest.Manifest {
	t.Helper()
	m, err := manifest.ReadPlanned("../..", env)
	require.NoError(t, err)
	return m
}

func waivers(t *testing.T) []Waiver {
	t.Helper()
	w, err := LoadWaivers(filepath.Join("../..", WaiversFile))
	require.NoError(t, err)
	return w
}

func find(m *manifest.Manifest, typ string) *manifest.Resource {
	for li := range m.Layers {
		for ri := range m.Layers[li].Resources {
			if m.Layers[li].Resources[ri].Type == typ {
				return &m.Layers[li].Resources[ri]
			}
		}
	}
	return nil
}

// findNamed is the resource of a type with a logical name.
func findNamed(m *manifest.Manifest, typ, name string) *manifest.Resource {
	for li := range m.Layers {
		for ri := range m.Layers[li].Resources {
			if r := &m.Layers[li].Resources[ri]; r.Type == typ && r.LogicalName == name {
				return r
			}
		}
	}
	return nil
}

func remove(m *manifest.Manifest, typ string) {
	for li := range m.Layers {
		var kept []manifest.Resource
		for _, r := range m.Layers[li].Resources {
			if r.Type != typ {
				kept = append(kept, r)
			}
		}
		m.Layers[li].Resources = kept
	}
}

func TestCleanEnvironmentsHaveOnlyWaivedFailures(t *testing.T) {
	want := map[string][]string{
		"dev":     {"DYNAMODB_DELETION_PROTECTION", "DYNAMODB_PITR", "VPC_FLOW_LOGS"},
		"staging": {"DYNAMODB_DELETION_PROTECTION", "DYNAMODB_PITR"},
		"prod":    {"DYNAMODB_DELETION_PROTECTION"},
	}
	for env, waived := range want {
		t.Run(env, func(t *testing.T) {
			r := Evaluate(load(t, env), waivers(t))
			require.NoError(t, r.Violations())
			var got []string
			for _, res := range r.Results {
				if res.Outcome == report.Waived {
					got = append(got, res.Rule)
					assert.NotEmpty(t, res.Waiver, "a waived result carries its reason")
				}
			}
			assert.ElementsMatch(t, waived, got)
			assert.Greater(t, r.Summary.Passed, 100)
		})
	}
}

func TestEveryRuleCatchesItsViolation(t *testing.T) {
	cases := map[string]func(m *manifest.Manifest){
		"S3_PUBLIC_ACCESS_BLOCK": func(m *manifest.Manifest) {
			find(m, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").Config["restrictPublicBuckets"] = false
		},
		"S3_TLS_ONLY": func(m *manifest.Manifest) { remove(m, "aws:s3/bucketPolicy:BucketPolicy") },
		"S3_ENCRYPTION": func(m *manifest.Manifest) {
			remove(m, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")
		},
		"S3_VERSIONING": func(m *manifest.Manifest) {
			find(m, "aws:s3/bucketVersioningV2:BucketVersioningV2").Config["versioningConfiguration"] = map[string]any{"status": "Suspended"}
		},
		"S3_LIFECYCLE": func(m *manifest.Manifest) {
			remove(m, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2")
		},
		"DYNAMODB_ENCRYPTION": func(m *manifest.Manifest) {
			find(m, "aws:dynamodb/table:Table").Config["serverSideEncryption"].(map[string]any)["enabled"] = false
		},
		"DYNAMODB_PITR": func(m *manifest.Manifest) {
			find(m, "aws:dynamodb/table:Table").Config["pointInTimeRecovery"] = map[string]any{"enabled": false}
		},
		"LAMBDA_ARM64": func(m *manifest.Manifest) {
			find(m, "aws:lambda/function:Function").Config["architectures"] = []any{"x86_64"}
		},
		"LAMBDA_IN_VPC": func(m *manifest.Manifest) { delete(find(m, "aws:lambda/function:Function").Config, "vpcConfig") },
		"LAMBDA_TRACING": func(m *manifest.Manifest) {
			find(m, "aws:lambda/function:Function").Config["tracingConfig"] = map[string]any{"mode": "PassThrough"}
		},
		"LAMBDA_LOG_RETENTION": func(m *manifest.Manifest) {
			for li := range m.Layers {
				for ri := range m.Layers[li].Resources {
					r := &m.Layers[li].Resources[ri]
					if r.Type == "aws:cloudwatch/logGroup:LogGroup" && strings.HasPrefix(r.PhysicalName, "/aws/lambda/") {
						delete(r.Config, "retentionInDays")
					}
				}
			}
		},
		"IAM_NO_WILDCARD_ACTION": func(m *manifest.Manifest) {
			r := find(m, "aws:iam/rolePolicy:RolePolicy")
			r.Config["policy"] = strings.Replace(r.Config["policy"].(string), `"logs:CreateLogStream"`, `"logs:*"`, 1)
		},
		"IAM_NO_WILDCARD_RESOURCE": func(m *manifest.Manifest) {
			r := find(m, "aws:iam/rolePolicy:RolePolicy")
			r.Config["policy"] = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:PutItem"],"Resource":["*"]}]}`
		},
		"IAM_PERMISSIONS_BOUNDARY": func(m *manifest.Manifest) { delete(find(m, "aws:iam/role:Role").Config, "permissionsBoundary") },
		"IAM_TRUST_SCOPED": func(m *manifest.Manifest) {
			find(m, "aws:iam/role:Role").Config["assumeRolePolicy"] = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com"]},"Action":["sts:AssumeRole"]}]}`
		},
		"VPC_FLOW_LOGS": func(m *manifest.Manifest) { remove(m, "aws:ec2/flowLog:FlowLog") },
		"S3_AUDIT_ACCESS_LOGGED": func(m *manifest.Manifest) {
			// Logging switched off: the access-log setting gone from the plan.
			for i := range m.Layers {
				var kept []manifest.Resource
				for _, r := range m.Layers[i].Resources {
					if r.Type != "aws:s3/bucketLoggingV2:BucketLoggingV2" {
						kept = append(kept, r)
					}
				}
				m.Layers[i].Resources = kept
			}
		},
		"S3_AUDIT_ACCESS_LOGGED/to itself, a bucket of the layers": func(m *manifest.Manifest) {
			find(m, "aws:s3/bucketLoggingV2:BucketLoggingV2").Config["targetBucket"] = find(m, "aws:s3/bucketV2:BucketV2").PhysicalName
		},
		"VPC_EGRESS_LIMITED": func(m *manifest.Manifest) {
			// The payment function's rule as it was: 443 to anywhere.
			sg := find(m, "aws:ec2/securityGroup:SecurityGroup")
			sg.Config["egress"] = []any{map[string]any{"protocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "cidrBlocks": []any{"0.0.0.0/0"}}}
		},
		"VPC_DEFAULT_SG_CLOSED": func(m *manifest.Manifest) {
			find(m, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup").Config["ingress"] = []any{map[string]any{"protocol": "-1"}}
		},
		"REQUIRED_TAGS":     func(m *manifest.Manifest) { delete(find(m, "aws:sns/topic:Topic").Tags, "CostCenter") },
		"NAMING_CONVENTION": func(m *manifest.Manifest) { find(m, "aws:cloudwatch/dashboard:Dashboard").PhysicalName = "payments" },
		"IAM_NO_WILDCARD_ACTION/NotAction": func(m *manifest.Manifest) {
			r := find(m, "aws:iam/rolePolicy:RolePolicy")
			r.Config["policy"] = strings.Replace(r.Config["policy"].(string), `"Action":["logs:CreateLogStream"`, `"NotAction":["iam:*"],"Action":["logs:CreateLogStream"`, 1)
		},
		"IAM_NO_WILDCARD_RESOURCE/every bucket": func(m *manifest.Manifest) {
			r := findNamed(m, "aws:iam/rolePolicy:RolePolicy", "payment-processor")
			r.Config["policy"] = strings.Replace(r.Config["policy"].(string), `"arn:aws:s3:::audit-logs-prod-`+fixture.ProdSuffix+`/audit/*"`, `"arn:aws:s3:::*"`, 1)
		},
		"IAM_NO_WILDCARD_RESOURCE/NotResource": func(m *manifest.Manifest) {
			r := find(m, "aws:iam/rolePolicy:RolePolicy")
			r.Config["policy"] = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject"],"NotResource":["arn:aws:s3:::other-bucket/*"]}]}`
		},
		"IAM_BOUNDARY_CEILING": func(m *manifest.Manifest) {
			// An account whose network stack still holds the boundary it
			// managed before bootstrap owned it, with the content this
			// platform once had: allow everything, deny a few. A boundary
			// found in the stacks is what the account holds, so it is judged.
			m.Layers[0].Resources = append(m.Layers[0].Resources, manifest.Resource{
				Type: "aws:iam/policy:Policy", LogicalName: "permissions-boundary", PhysicalName: "permissions-boundary-prod-" + fixture.ProdSuffix,
				Tags: find(m, "aws:kms/key:Key").Tags,
				Config: map[string]any{"policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*"],"Resource":["*"]},` +
					`{"Effect":"Deny","Action":["iam:PutRolePolicy"],"Resource":["*"]}]}`},
			})
		},
		"IAM_WITHIN_BOUNDARY": func(m *manifest.Manifest) {
			r := findNamed(m, "aws:iam/rolePolicy:RolePolicy", "payment-processor")
			r.Config["policy"] = strings.Replace(r.Config["policy"].(string), `"Action":["dynamodb:GetItem","dynamodb:PutItem"]`, `"Action":["dynamodb:GetItem","dynamodb:PutItem","dynamodb:Scan"]`, 1)
		},
		"KMS_CUSTOMER_MANAGED_KEY": func(m *manifest.Manifest) {
			delete(find(m, "aws:dynamodb/table:Table").Config["serverSideEncryption"].(map[string]any), "kmsKeyArn")
		},
		"ALARM_DELIVERY": func(m *manifest.Manifest) {
			k := find(m, "aws:kms/key:Key")
			k.Config["policy"] = strings.Replace(k.Config["policy"].(string), `"cloudwatch.amazonaws.com"`, `"events.amazonaws.com"`, 1)
		},
		"ALARM_DELIVERY/AWS-managed topic key": func(m *manifest.Manifest) {
			find(m, "aws:sns/topic:Topic").Config["kmsMasterKeyId"] = "alias/aws/sns"
		},
		"S3_OBJECT_LOCK": func(m *manifest.Manifest) {
			remove(m, "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2")
		},
		"S3_OBJECT_LOCK/shorter than kept": func(m *manifest.Manifest) {
			find(m, "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2").Config["rule"].(map[string]any)["defaultRetention"].(map[string]any)["days"] = 30.0
		},
		"LAMBDA_RESERVED_CONCURRENCY": func(m *manifest.Manifest) {
			delete(find(m, "aws:lambda/function:Function").Config, "reservedConcurrentExecutions")
		},
		"DESTROYABLE": func(m *manifest.Manifest) { find(m, "aws:s3/bucketV2:BucketV2").RetainOnDelete = true },
	}
	// A break that is two violations at once: each named rule must fail too.
	also := map[string][]string{
		"IAM_NO_WILDCARD_ACTION":                {"IAM_WITHIN_BOUNDARY"}, // logs:* is beyond the boundary as well
		"IAM_NO_WILDCARD_RESOURCE":              {"IAM_WITHIN_BOUNDARY"}, // so is PutItem on "*"
		"IAM_NO_WILDCARD_RESOURCE/every bucket": {"IAM_WITHIN_BOUNDARY"},
		"IAM_PERMISSIONS_BOUNDARY":              {"IAM_BOUNDARY_CEILING"},
		"ALARM_DELIVERY/AWS-managed topic key":  {"KMS_CUSTOMER_MANAGED_KEY"},
	}
	covered := map[string]bool{"DYNAMODB_DELETION_PROTECTION": true} // fails on the clean tree (waived), see above
	for name, breakIt := range cases {
		rule, _, _ := strings.Cut(name, "/")
		covered[rule] = true
		t.Run(name, func(t *testing.T) {
			m := load(t, "prod")
			breakIt(&m)
			r := Evaluate(m, waivers(t))
			err := r.Violations()
			require.Error(t, err)
			assert.Contains(t, err.Error(), rule+" on urn:pulumi:prod::")
			assert.Contains(t, err.Error(), "fix: ")
			failed := map[string]bool{}
			for _, res := range r.Results {
				if res.Outcome == report.Fail {
					failed[res.Rule] = true
				}
			}
			want := map[string]bool{rule: true}
			for _, other := range also[name] {
				want[other] = true
			}
			assert.Equal(t, want, failed, "only the broken rules fail")
		})
	}
	for _, rule := range Rules() {
		assert.True(t, covered[rule.ID], "rule %s has no violation test", rule.ID)
	}
}

func TestWaiversFileIsChecked(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "w.yaml")
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	for body, want := range map[string]string{
		"waivers:\n  - {rule: NO_SUCH_RULE, environments: [dev], reason: r, approvedBy: a}\n":   "unknown rule",
		"waivers:\n  - {rule: VPC_FLOW_LOGS, environments: [], reason: r, approvedBy: a}\n":     "names no environment or tier",
		"waivers:\n  - {rule: VPC_FLOW_LOGS, tiers: [dev], reason: r, approvedBy: a}\n":         `tier "dev": allowed development, pre-production or production`,
		"waivers:\n  - {rule: VPC_FLOW_LOGS, environments: [dev], reason: '', approvedBy: a}\n": "has no reason",
		"waivers:\n  - {rule: VPC_FLOW_LOGS, environments: [qa], reason: r, approvedBy: a}\n":   `unknown environment "qa"`,
		"waivers:\n  - {rule: VPC_FLOW_LOGS, environments: [pr-7], reason: r, approvedBy: a}\n": `environment "pr-7" is one review environment: name them all as review`,
		"waivers:\n  - {rule: VPC_FLOW_LOGS, environments: [dev], reason: r}\n":                 "has no approver",
	} {
		_, err := LoadWaivers(write(body))
		require.Error(t, err)
		assert.Contains(t, err.Error(), want)
	}
}

func TestAWaiverAppliesOnlyToItsEnvironments(t *testing.T) {
	m := load(t, "prod")
	remove(&m, "aws:ec2/flowLog:FlowLog") // waived in dev only
	err := Evaluate(m, waivers(t)).Violations()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "VPC_FLOW_LOGS")
}

// A waiver naming "review" applies to every review environment, and only
// to them of the environments it does not name.
func TestAReviewWaiverAppliesToEveryReviewEnvironment(t *testing.T) {
	m := load(t, "prod")
	remove(&m, "aws:ec2/flowLog:FlowLog")
	only := []Waiver{{Rule: "VPC_FLOW_LOGS", Environments: []string{"review"}, Reason: "r", ApprovedBy: "a"}}
	flowLogs := func(r report.Report) string {
		for _, res := range r.Results {
			if res.Rule == "VPC_FLOW_LOGS" {
				return res.Outcome
			}
		}
		t.Fatal("no VPC_FLOW_LOGS result")
		return ""
	}
	assert.Equal(t, report.Fail, flowLogs(Evaluate(m, only)), "prod is not a review environment")
	m.Environment = "pr-4821"
	assert.Equal(t, report.Waived, flowLogs(Evaluate(m, only)), "pr-4821 is")
}

// A waiver naming a tier covers every environment of it, a new one
// included, and no other.
func TestATierWaiverCoversEveryEnvironmentOfTheTier(t *testing.T) {
	m := load(t, "prod")
	remove(&m, "aws:ec2/flowLog:FlowLog")
	tier := []Waiver{{Rule: "VPC_FLOW_LOGS", Tiers: []string{"development"}, Reason: "r", ApprovedBy: "a"}}
	flowLogs := func() string {
		for _, res := range Evaluate(m, tier).Results {
			if res.Rule == "VPC_FLOW_LOGS" {
				return res.Outcome
			}
		}
		return ""
	}
	assert.Equal(t, report.Fail, flowLogs(), "prod is production")
	m.Environment, m.Settings.Tier = "qa", profile.Development
	assert.Equal(t, report.Waived, flowLogs(), "a development environment the waiver does not name")
	assert.Equal(t, "every development environment", tier[0].Where())
}

func TestComplianceDocIsCurrent(t *testing.T) {
	want := Markdown(waivers(t))
	got, err := os.ReadFile(filepath.Join("../..", DocPath))
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "%s is stale: run `go run mage.go docs:compliance` and commit the result", DocPath)
}

// The page's pipeline table says what the evaluation says, read back as a
// reader would: prod's table is destroyed only by the break-glass role, and
// no deployer can touch the workload boundary.
func TestTheCompliancePageSaysWhatDeniesThePipeline(t *testing.T) {
	page := string(Markdown(nil))
	assert.Contains(t, page, "| delete the table | `dynamodb:DeleteTable` | not asked | not asked | guardrail `ProdDataIsDestroyedOnlyByBreakGlass` |")
	assert.Contains(t, page, "| a new version of the workload boundary | `iam:CreatePolicyVersion` | boundary `NothingBootstrapOwns` | boundary `NothingBootstrapOwns` | boundary `NothingBootstrapOwns` |")
	assert.NotContains(t, page, "**allowed**")
}
