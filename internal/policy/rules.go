package policy

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/acmepay/platform/internal/access"
	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/internal/proppath"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/naming"
	"github.com/acmepay/platform/pkg/tagging"
	"github.com/acmepay/platform/pkg/workload"
)

// Rule is one compliance rule.
type Rule struct {
	ID string
	// Title says what must hold.
	Title string
	// Equivalent names the matching Checkov / cdk-nag / AWS Config rules.
	Equivalent string
	// Fix says how to comply.
	Fix string
	// Applies selects the resources the rule checks.
	Applies func(r manifest.Resource) bool
	// Check returns "" when the resource complies, else what is wrong.
	Check func(r manifest.Resource, env *Env) string
}

// Env is what a rule may look up beyond the resource itself.
type Env struct {
	Manifest  manifest.Manifest
	resources []manifest.Resource
	// access answers who may do what, by evaluating the environment's
	// documents; accessErr says why it could not be built.
	access    *access.Environment
	accessErr error
}

func newEnv(m manifest.Manifest) *Env {
	e := &Env{Manifest: m}
	for _, l := range m.Layers {
		e.resources = append(e.resources, l.Resources...)
	}
	e.access, e.accessErr = access.FromManifest(m)
	return e
}

// decide asks one access question of the environment's documents; problem
// is set when the question could not be answered.
func (e *Env) decide(q access.Question) (got iampolicy.Result, problem string) {
	if e.accessErr != nil {
		return got, e.accessErr.Error()
	}
	got, err := e.access.Ask(q)
	if err != nil {
		return got, err.Error()
	}
	return got, ""
}

// names are the environment's names as the access questions use them.
func (e *Env) names() access.Names {
	w := e.workload()
	key := ""
	for k := range e.access.KeyPolicies {
		key = k
	}
	return access.NamesFor(w.Scope, e.Manifest.Environment, e.Manifest.Settings.Suffix, key)
}

// topic finds a topic of the environment by its ARN.
func (e *Env) topic(arn string) *manifest.Resource {
	for i, r := range e.resources {
		if r.Type == "aws:sns/topic:Topic" && (iampolicy.Scope{Region: e.Manifest.Region, Account: e.Manifest.Account}).Topic(r.PhysicalName) == arn {
			return &e.resources[i]
		}
	}
	return nil
}

// workload names the environment's resources as the layers name them.
func (e *Env) workload() workload.Environment {
	return workload.Environment{
		Scope: iampolicy.Scope{Region: e.Manifest.Region, Account: e.Manifest.Account},
		Names: naming.New(e.Manifest.Environment, e.Manifest.Settings.Suffix),
	}
}

// configuring returns the resources of type typ whose "bucket" (or other
// key) setting names target.
func (e *Env) configuring(typ, key, target string) []manifest.Resource {
	var out []manifest.Resource
	for _, r := range e.resources {
		if r.Type == typ && r.Config[key] == target {
			out = append(out, r)
		}
	}
	return out
}

func ofType(types ...string) func(manifest.Resource) bool {
	return func(r manifest.Resource) bool { return slices.Contains(types, r.Type) }
}

// bucketSetting checks that one of the bucket's settings resources of type
// typ satisfies ok.
func bucketSetting(typ string, ok func(config map[string]any) bool, problem string) func(manifest.Resource, *Env) string {
	return func(r manifest.Resource, e *Env) string {
		for _, c := range e.configuring(typ, "bucket", r.PhysicalName) {
			if ok(c.Config) {
				return ""
			}
		}
		return problem
	}
}

// settingIs checks that the setting at path has the value want.
func settingIs(path string, want any, problem string) func(manifest.Resource, *Env) string {
	return func(r manifest.Resource, _ *Env) string {
		if proppath.Get(r.Config, path) != want {
			return problem
		}
		return ""
	}
}

func statements(doc any) ([]iampolicy.Statement, error) {
	text, ok := doc.(string)
	if !ok {
		return nil, fmt.Errorf("policy document is not known")
	}
	d, err := iampolicy.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("policy document is not valid: %w", err)
	}
	return d.Statement, nil
}

// scopedToEnvironment reports whether a resource pattern names one of this
// environment's resources before its first wildcard, so the wildcard can
// only reach within it ("table/transactions-prod-pay01/index/*"), never
// across resources ("arn:aws:s3:::*", "table/*").
func scopedToEnvironment(resource string, e *Env) bool {
	head, _, wild := strings.Cut(strings.ReplaceAll(resource, "?", "*"), "*")
	return !wild || strings.Contains(head, "-"+e.Manifest.Environment+"-"+e.Manifest.Settings.Suffix)
}

// everyStatement is a check that each statement of the policy document in a
// resource's input field must pass; it reports the first statement that does
// not.
func everyStatement(field string, check func(s iampolicy.Statement, e *Env) string) func(manifest.Resource, *Env) string {
	return func(r manifest.Resource, e *Env) string {
		st, err := statements(r.Config[field])
		if err != nil {
			return err.Error()
		}
		for _, s := range st {
			if problem := check(s, e); problem != "" {
				return problem
			}
		}
		return ""
	}
}

// Rules lists every rule, in report order.
func Rules() []Rule {
	bucket := ofType("aws:s3/bucketV2:BucketV2")
	return []Rule{
		{
			ID: "S3_PUBLIC_ACCESS_BLOCK", Title: "S3 buckets block all four kinds of public access",
			Equivalent: "Checkov CKV_AWS_53-56; AWS Config s3-bucket-level-public-access-prohibited; cdk-nag AwsSolutions-S1/S2",
			Fix:        "give the bucket a BucketPublicAccessBlock with all four settings true (component.AuditBucket does)",
			Applies:    bucket,
			Check: func(r manifest.Resource, e *Env) string {
				blocks := e.configuring("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "bucket", r.PhysicalName)
				if len(blocks) == 0 {
					return "no public access block"
				}
				for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
					if blocks[0].Config[k] != true {
						return k + " is not true"
					}
				}
				return ""
			},
		},
		{
			ID: "S3_TLS_ONLY", Title: "S3 bucket policies deny requests without TLS",
			Equivalent: "AWS Config s3-bucket-ssl-requests-only; cdk-nag AwsSolutions-S10; Checkov CKV_AWS_379",
			Fix:        "attach a bucket policy denying s3:* when aws:SecureTransport is false",
			Applies:    bucket,
			Check: func(r manifest.Resource, e *Env) string {
				for _, p := range e.configuring("aws:s3/bucketPolicy:BucketPolicy", "bucket", r.PhysicalName) {
					st, err := statements(p.Config["policy"])
					if err != nil {
						return err.Error()
					}
					for _, s := range st {
						if s.Effect == "Deny" && s.Condition["Bool"]["aws:SecureTransport"].Only() == "false" {
							return ""
						}
					}
				}
				return "no statement denying insecure transport"
			},
		},
		{
			ID: "S3_ENCRYPTION", Title: "S3 buckets encrypt objects by default",
			Equivalent: "AWS Config s3-bucket-server-side-encryption-enabled; Checkov CKV_AWS_145",
			Fix:        "add a server-side encryption configuration (aws:kms)",
			Applies:    bucket,
			Check: bucketSetting("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
				func(c map[string]any) bool {
					return proppath.Get(c, "rules.applyServerSideEncryptionByDefault.sseAlgorithm") != nil
				},
				"no default encryption"),
		},
		{
			ID: "S3_VERSIONING", Title: "S3 buckets are versioned",
			Equivalent: "AWS Config s3-bucket-versioning-enabled; Checkov CKV_AWS_21",
			Fix:        "enable versioning with a BucketVersioningV2 resource",
			Applies:    bucket,
			Check: bucketSetting("aws:s3/bucketVersioningV2:BucketVersioningV2",
				func(c map[string]any) bool { return proppath.Get(c, "versioningConfiguration.status") == "Enabled" },
				"versioning is not enabled"),
		},
		{
			ID: "S3_LIFECYCLE", Title: "S3 buckets expire current and noncurrent objects",
			Equivalent: "AWS Config s3-lifecycle-policy-check; Checkov CKV2_AWS_61",
			Fix:        "add a lifecycle rule with expiration and noncurrent-version expiration",
			Applies:    bucket,
			Check: bucketSetting("aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
				func(c map[string]any) bool {
					return proppath.Get(c, "rules.expiration.days") != nil && proppath.Get(c, "rules.noncurrentVersionExpiration.noncurrentDays") != nil
				},
				"no lifecycle expiring current and noncurrent objects"),
		},
		{
			ID: "DYNAMODB_ENCRYPTION", Title: "DynamoDB tables use server-side encryption",
			Equivalent: "AWS Config dynamodb-table-encrypted-kms; Checkov CKV_AWS_119",
			Fix:        "set serverSideEncryption.enabled",
			Applies:    ofType("aws:dynamodb/table:Table"),
			Check:      settingIs("serverSideEncryption.enabled", true, "server-side encryption is not enabled"),
		},
		{
			ID: "DYNAMODB_PITR", Title: "DynamoDB tables have point-in-time recovery",
			Equivalent: "AWS Config dynamodb-pitr-enabled; Checkov CKV_AWS_28; cdk-nag AwsSolutions-DDB3",
			Fix:        "set payments:pointInTimeRecovery true for the environment",
			Applies:    ofType("aws:dynamodb/table:Table"),
			Check:      settingIs("pointInTimeRecovery.enabled", true, "point-in-time recovery is off"),
		},
		{
			ID: "DYNAMODB_DELETION_PROTECTION", Title: "DynamoDB tables have deletion protection",
			Equivalent: "AWS Config dynamodb-table-deletion-protection-enabled",
			Fix:        "set deletionProtectionEnabled (conflicts with the destroyability requirement)",
			Applies:    ofType("aws:dynamodb/table:Table"),
			Check:      settingIs("deletionProtectionEnabled", true, "deletion protection is off"),
		},
		{
			ID: "LAMBDA_ARM64", Title: "Lambda functions run on arm64 (Graviton)",
			Equivalent: "internal (cost, and docs/environments.md)",
			Fix:        "set architectures to [arm64]",
			Applies:    ofType("aws:lambda/function:Function"),
			Check: func(r manifest.Resource, _ *Env) string {
				if a, ok := r.Config["architectures"].([]any); !ok || len(a) != 1 || a[0] != "arm64" {
					return fmt.Sprintf("architectures = %v", r.Config["architectures"])
				}
				return ""
			},
		},
		{
			ID: "LAMBDA_IN_VPC", Title: "Lambda functions run inside the VPC",
			Equivalent: "AWS Config lambda-inside-vpc; Checkov CKV_AWS_117",
			Fix:        "set vpcConfig with the private subnets and a security group",
			Applies:    ofType("aws:lambda/function:Function"),
			Check: func(r manifest.Resource, _ *Env) string {
				subnets, _ := proppath.Get(r.Config, "vpcConfig.subnetIds").([]any)
				groups, _ := proppath.Get(r.Config, "vpcConfig.securityGroupIds").([]any)
				if len(subnets) == 0 || len(groups) == 0 {
					return "no VPC configuration"
				}
				return ""
			},
		},
		{
			ID: "LAMBDA_TRACING", Title: "Lambda functions have active X-Ray tracing",
			Equivalent: "Checkov CKV_AWS_50",
			Fix:        "set tracingConfig.mode to Active",
			Applies:    ofType("aws:lambda/function:Function"),
			Check:      settingIs("tracingConfig.mode", "Active", "tracing is not active"),
		},
		{
			ID: "LAMBDA_LOG_RETENTION", Title: "Lambda functions log to a stack-owned log group with a retention period",
			Equivalent: "AWS Config cw-loggroup-retention-period-check; Checkov CKV_AWS_338 (threshold differs)",
			Fix:        "create the /aws/lambda/<function> log group explicitly with retentionInDays",
			Applies:    ofType("aws:lambda/function:Function"),
			Check: func(r manifest.Resource, e *Env) string {
				group := "/aws/lambda/" + r.PhysicalName
				groups := e.configuring("aws:cloudwatch/logGroup:LogGroup", "name", group)
				if len(groups) == 0 {
					return "no log group " + group + " in the stack"
				}
				if n, ok := groups[0].Config["retentionInDays"].(float64); !ok || n <= 0 {
					return "log group " + group + " never expires"
				}
				return ""
			},
		},
		{
			ID: "IAM_NO_WILDCARD_ACTION", Title: "IAM identity policies grant no wildcard actions",
			Equivalent: "Checkov CKV_AWS_63/CKV_AWS_355; cdk-nag AwsSolutions-IAM5",
			Fix:        "list the exact actions the code calls",
			Applies:    ofType("aws:iam/rolePolicy:RolePolicy"),
			Check: everyStatement("policy", func(s iampolicy.Statement, _ *Env) string {
				if s.Effect != iampolicy.Allow {
					return ""
				}
				if len(s.NotAction) > 0 {
					return "allows every action but " + strings.Join(s.NotAction, ", ") + " (NotAction)"
				}
				for _, a := range s.Action {
					if strings.ContainsAny(a, "*?") {
						return "allows " + a
					}
				}
				return ""
			}),
		},
		{
			ID: "IAM_NO_WILDCARD_RESOURCE", Title: `IAM identity policies grant only on this environment's resources: no wildcard reaching across resources, no NotResource, Resource "*" only for the documented exceptions`,
			Equivalent: "Checkov CKV_AWS_355; cdk-nag AwsSolutions-IAM5",
			Fix:        "scope the statement to this environment's ARNs; only ENI and X-Ray actions may use \"*\"",
			Applies:    ofType("aws:iam/rolePolicy:RolePolicy"),
			Check: everyStatement("policy", func(s iampolicy.Statement, e *Env) string {
				if s.Effect != iampolicy.Allow {
					return ""
				}
				if len(s.NotResource) > 0 {
					return "allows on every resource but " + strings.Join(s.NotResource, ", ") + " (NotResource)"
				}
				for _, r := range s.Resource {
					if r == "*" {
						for _, a := range s.Action {
							if !slices.Contains(workload.UnscopedActions(), a) {
								return a + ` on Resource "*"`
							}
						}
						continue
					}
					if !scopedToEnvironment(r, e) {
						return "resource pattern " + r + " reaches beyond this environment's resources"
					}
				}
				return ""
			}),
		},
		{
			ID: "IAM_PERMISSIONS_BOUNDARY", Title: "Every IAM role carries the environment's permissions boundary",
			Equivalent: "internal (docs/architecture.md); AWS Config iam-role-managed-policy-check is the closest managed rule",
			Fix:        "set permissionsBoundary to the network layer's permissionsBoundaryArn",
			Applies:    ofType("aws:iam/role:Role"),
			Check: func(r manifest.Resource, e *Env) string {
				want := e.workload().BoundaryArn()
				if r.Config["permissionsBoundary"] != want {
					return fmt.Sprintf("permissionsBoundary = %v, want %s", r.Config["permissionsBoundary"], want)
				}
				return ""
			},
		},
		{
			ID: "IAM_TRUST_SCOPED", Title: "Role trust policies allow one AWS service, on behalf of this account only",
			Equivalent: "AWS confused-deputy guidance; cdk-nag AwsSolutions-IAM4 (related)",
			Fix:        "use iampolicy.ServiceTrust: a service principal and aws:SourceAccount",
			Applies:    ofType("aws:iam/role:Role"),
			Check: everyStatement("assumeRolePolicy", func(s iampolicy.Statement, e *Env) string {
				if len(s.Principal["Service"]) != 1 || len(s.Principal) != 1 {
					return "trusts more than one service principal"
				}
				if s.Condition["StringEquals"]["aws:SourceAccount"].Only() != e.Manifest.Account {
					return "no aws:SourceAccount condition for " + e.Manifest.Account
				}
				return ""
			}),
		},
		{
			ID: "IAM_BOUNDARY_CEILING", Title: "Every role's permissions boundary denies the dangerous requests even under an allow-all identity policy",
			Equivalent: "internal (evaluated with AWS's policy evaluation logic); no managed rule evaluates boundary content",
			Fix:        "keep the boundary built by workload.Boundary: its allow-list and explicit denies",
			Applies:    ofType("aws:iam/role:Role"),
			Check: func(r manifest.Resource, e *Env) string {
				if e.accessErr != nil {
					return e.accessErr.Error()
				}
				if role := e.access.Roles[r.PhysicalName]; role == nil || role.Boundary == nil {
					return "the role's boundary is not a policy of this environment"
				}
				for _, c := range access.DangerousFor(e.names(), r.PhysicalName) {
					got, problem := e.decide(c.Question)
					if problem != "" {
						return problem
					}
					if got.Decision == iampolicy.Allowed {
						return fmt.Sprintf("under an allow-all policy the role may %s on %s (%s)", c.Action, c.Resource, got.By)
					}
				}
				return ""
			},
		},
		{
			ID: "IAM_WITHIN_BOUNDARY", Title: "Every grant of a role's own policies is within its permissions boundary",
			Equivalent: "internal (evaluated); AWS silently drops what a boundary does not allow",
			Fix:        "grant only what workload.Boundary allows, or widen the boundary in pkg/workload with a reviewed reason",
			Applies:    ofType("aws:iam/role:Role"),
			Check: func(r manifest.Resource, e *Env) string {
				if e.accessErr != nil {
					return e.accessErr.Error()
				}
				role := e.access.Roles[r.PhysicalName]
				if role == nil {
					return "no policies found for the role"
				}
				for _, doc := range role.Identity {
					for _, st := range doc.Statement {
						if st.Effect != iampolicy.Allow {
							continue
						}
						ctx := map[string]string{}
						for _, kv := range st.Condition {
							for k, v := range kv {
								if len(v) > 0 {
									ctx[k] = v[0] // one value that satisfies the statement
								}
							}
						}
						for _, action := range st.Action {
							for _, resource := range st.Resource {
								q := access.Question{Role: r.PhysicalName, Action: action, Resource: resource, Context: maps.Clone(ctx)}
								if resource == "*" {
									// Unscoped calls name no resource account.
									q.Context["aws:ResourceAccount"] = ""
								}
								got, problem := e.decide(q)
								if problem != "" {
									return problem
								}
								if got.Decision != iampolicy.Allowed {
									return fmt.Sprintf("role %s asks for %s on %s, which its boundary does not allow (%s)", r.PhysicalName, action, resource, got.By)
								}
							}
						}
					}
				}
				return ""
			},
		},
		{
			ID: "KMS_CUSTOMER_MANAGED_KEY", Title: "The table, the audit bucket, the alarm topic and every log group are encrypted with the environment's customer-managed key",
			Equivalent: "Checkov CKV_AWS_119 (DynamoDB), CKV_AWS_145 (S3), CKV_AWS_26 (SNS), CKV_AWS_158 (log groups); AWS Config dynamodb-table-encrypted-kms",
			Fix:        "pass the network layer's environmentKeyArn to the component",
			Applies: ofType("aws:dynamodb/table:Table", "aws:cloudwatch/logGroup:LogGroup", "aws:sns/topic:Topic",
				"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"),
			Check: func(r manifest.Resource, e *Env) string {
				path := map[string]string{
					"aws:dynamodb/table:Table":         "serverSideEncryption.kmsKeyArn",
					"aws:cloudwatch/logGroup:LogGroup": "kmsKeyId",
					"aws:sns/topic:Topic":              "kmsMasterKeyId",
					"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": "rules.applyServerSideEncryptionByDefault.kmsMasterKeyId",
				}[r.Type]
				key, _ := proppath.Get(r.Config, path).(string)
				if e.accessErr != nil {
					return e.accessErr.Error()
				}
				if _, ok := e.access.KeyPolicies[key]; !ok {
					return fmt.Sprintf("%s = %q is not the environment's customer-managed key (an AWS-managed key's policy cannot be narrowed)", path, key)
				}
				return ""
			},
		},
		{
			ID: "ALARM_DELIVERY", Title: "Every alarm action's topic is under a key whose policy lets CloudWatch publish to it",
			Equivalent: "internal (evaluated); CloudWatch cannot publish to a topic under the AWS-managed SNS key, so such alarms are never delivered",
			Fix:        "encrypt the topic with the environment's key; its policy grants cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*",
			Applies:    ofType("aws:cloudwatch/metricAlarm:MetricAlarm"),
			Check: func(r manifest.Resource, e *Env) string {
				if e.accessErr != nil {
					return e.accessErr.Error()
				}
				actions, _ := r.Config["alarmActions"].([]any)
				if len(actions) == 0 {
					return "no alarm action"
				}
				for _, a := range actions {
					topic := e.topic(fmt.Sprint(a))
					if topic == nil {
						return fmt.Sprintf("alarm action %v is not a topic of this environment", a)
					}
					key, _ := topic.Config["kmsMasterKeyId"].(string)
					for _, action := range []string{"kms:Decrypt", "kms:GenerateDataKey"} {
						got, problem := e.decide(access.Question{Service: "cloudwatch.amazonaws.com", Action: action, Resource: key,
							Context: map[string]string{"aws:SourceAccount": e.Manifest.Account}})
						if problem != "" {
							return problem
						}
						if got.Decision != iampolicy.Allowed {
							return fmt.Sprintf("CloudWatch may not %s with the key %s of topic %s: the alarm would never be delivered", action, key, topic.PhysicalName)
						}
					}
				}
				return ""
			},
		},
		{
			ID: "S3_OBJECT_LOCK", Title: "Audit records are locked (Object Lock) for at least as long as they are kept",
			Equivalent: "AWS Config s3-bucket-default-lock-enabled; Checkov CKV_AWS_143",
			Fix:        "give the bucket a BucketObjectLockConfigurationV2 whose default retention covers the lifecycle expiration",
			Applies:    bucket,
			Check: func(r manifest.Resource, e *Env) string {
				locks := e.configuring("aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2", "bucket", r.PhysicalName)
				if len(locks) == 0 {
					return "no object lock configuration"
				}
				days, _ := proppath.Get(locks[0].Config, "rule.defaultRetention.days").(float64)
				mode, _ := proppath.Get(locks[0].Config, "rule.defaultRetention.mode").(string)
				if mode != "GOVERNANCE" && mode != "COMPLIANCE" {
					return fmt.Sprintf("default retention mode %q", mode)
				}
				for _, l := range e.configuring("aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "bucket", r.PhysicalName) {
					if expire, _ := proppath.Get(l.Config, "rules.expiration.days").(float64); days < expire {
						return fmt.Sprintf("records are kept %.0f days but locked only %.0f", expire, days)
					}
				}
				return ""
			},
		},
		{
			ID: "LAMBDA_RESERVED_CONCURRENCY", Title: "Lambda functions have a reserved concurrency, so a runaway caller cannot starve the account",
			Equivalent: "Checkov CKV_AWS_115",
			Fix:        "set payments:lambdaReservedConcurrency for the environment",
			Applies:    ofType("aws:lambda/function:Function"),
			Check: func(r manifest.Resource, _ *Env) string {
				if n, _ := r.Config["reservedConcurrentExecutions"].(float64); n < 1 {
					return fmt.Sprintf("reservedConcurrentExecutions = %v", r.Config["reservedConcurrentExecutions"])
				}
				return ""
			},
		},
		{
			ID: "VPC_FLOW_LOGS", Title: "VPCs send flow logs to CloudWatch Logs",
			Equivalent: "AWS Config vpc-flow-logs-enabled; Checkov CKV2_AWS_11; cdk-nag AwsSolutions-VPC7",
			Fix:        "set payments:flowLogs true for the environment",
			Applies:    ofType("aws:ec2/vpc:Vpc"),
			Check: func(r manifest.Resource, e *Env) string {
				for _, x := range e.resources {
					if x.Type == "aws:ec2/flowLog:FlowLog" && x.Config["trafficType"] == "ALL" {
						return ""
					}
				}
				return "no flow log"
			},
		},
		{
			ID: "VPC_DEFAULT_SG_CLOSED", Title: "The default security group has no rules",
			Equivalent: "AWS Config vpc-default-security-group-closed; Checkov CKV2_AWS_12",
			Fix:        "manage the DefaultSecurityGroup with no ingress and no egress",
			Applies:    ofType("aws:ec2/vpc:Vpc"),
			Check: func(r manifest.Resource, e *Env) string {
				for _, x := range e.resources {
					if x.Type == "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup" {
						if in, _ := x.Config["ingress"].([]any); len(in) > 0 {
							return "default security group has ingress rules"
						}
						if out, _ := x.Config["egress"].([]any); len(out) > 0 {
							return "default security group has egress rules"
						}
						return ""
					}
				}
				return "the default security group is not managed (AWS leaves it open within the group)"
			},
		},
		{
			ID: "S3_AUDIT_ACCESS_LOGGED", Title: "Every access to the audit records is logged, to a bucket no layer manages",
			Equivalent: "PCI DSS 10.2.1 (audit logs capture all access to audit logs); AWS Config s3-bucket-logging-enabled; Checkov CKV_AWS_18",
			Fix:        "log the audit bucket's server access to the account's bootstrap access-log bucket (audit-access-logs-<env>-<suffix>)",
			Applies:    bucket,
			Check: func(r manifest.Resource, e *Env) string {
				logging := e.configuring("aws:s3/bucketLoggingV2:BucketLoggingV2", "bucket", r.PhysicalName)
				if len(logging) == 0 {
					return "no server access logging"
				}
				target, _ := logging[0].Config["targetBucket"].(string)
				if target == "" || target == r.PhysicalName {
					return "logs to itself or nowhere"
				}
				for _, y := range e.resources {
					if y.Type == "aws:s3/bucketV2:BucketV2" && y.PhysicalName == target {
						return "logs to " + target + ", a bucket the layers manage and so the deployer can change"
					}
				}
				return ""
			},
		},
		{
			ID: "VPC_EGRESS_LIMITED", Title: "Security groups allow no egress to the internet: only to prefix lists or the VPC",
			Equivalent: "PCI DSS 1.3.2 (outbound traffic from the cardholder data environment restricted to what is needed); Checkov CKV_AWS_382",
			Fix:        "allow egress to the gateway endpoints' prefix lists (network's gatewayPrefixListIds), or add an interface endpoint for another AWS service",
			Applies:    ofType("aws:ec2/securityGroup:SecurityGroup"),
			Check: func(r manifest.Resource, _ *Env) string {
				rules, _ := r.Config["egress"].([]any)
				for _, x := range rules {
					rule, _ := x.(map[string]any)
					for _, key := range []string{"cidrBlocks", "ipv6CidrBlocks"} {
						cidrs, _ := rule[key].([]any)
						for _, c := range cidrs {
							if c == "0.0.0.0/0" || c == "::/0" {
								return fmt.Sprintf("egress to %v on ports %v-%v reaches the internet", c, rule["fromPort"], rule["toPort"])
							}
						}
					}
				}
				return ""
			},
		},
		{
			ID: "REQUIRED_TAGS", Title: "Every taggable resource carries the six required tags with this environment's values",
			Equivalent: "AWS Config required-tags",
			Fix:        "create the resource inside a layer program (layer.Begin installs the tagging transformation)",
			Applies: func(r manifest.Resource) bool {
				return strings.HasPrefix(r.Type, "aws:") && !tagging.Untaggable[r.Type]
			},
			Check: func(r manifest.Resource, e *Env) string {
				want := map[string]string{
					tagging.KeyEnvironment:        e.Manifest.Environment,
					tagging.KeyCostCenter:         e.Manifest.Settings.CostCenter,
					tagging.KeyDataClassification: e.Manifest.Settings.DataClassification,
					tagging.KeyProject:            tagging.Project,
					tagging.KeyManagedBy:          tagging.ManagedByPulumi,
				}
				var missing []string
				for k, v := range want {
					if r.Tags[k] != v {
						missing = append(missing, fmt.Sprintf("%s=%q", k, r.Tags[k]))
					}
				}
				if r.Tags[tagging.KeyLayer] == "" {
					missing = append(missing, "Layer")
				}
				if len(missing) > 0 {
					slices.Sort(missing)
					return "wrong or missing tags: " + strings.Join(missing, ", ")
				}
				return ""
			},
		},
		{
			ID: "NAMING_CONVENTION", Title: "Physical names follow {type}-{environment}-{suffix}",
			Equivalent: "internal (docs/architecture.md)",
			Fix:        "name the resource with naming.Namer",
			Applies:    func(r manifest.Resource) bool { return strings.HasPrefix(r.Type, "aws:") && r.PhysicalName != "" },
			Check: func(r manifest.Resource, e *Env) string {
				// A log group's path and a KMS alias's prefix stand before the name.
				if !naming.Convention(e.Manifest.Environment, e.Manifest.Settings.Suffix).MatchString(r.PhysicalName) {
					return r.PhysicalName + " does not follow the convention"
				}
				return ""
			},
		},
		{
			ID: "DESTROYABLE", Title: "No resource is protected or retained on delete",
			Equivalent: "internal (docs/operations.md, section Destroy)",
			Fix:        "remove protect / retainOnDelete from the resource options",
			Applies:    func(manifest.Resource) bool { return true },
			Check: func(r manifest.Resource, _ *Env) string {
				switch {
				case r.Protect:
					return "protected"
				case r.RetainOnDelete:
					return "retained on delete"
				}
				return ""
			},
		},
	}
}
