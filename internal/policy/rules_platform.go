package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/acmepay/platform/internal/access"
	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/internal/proppath"
	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/naming"
	"github.com/acmepay/platform/pkg/tagging"
)

// keyRules are the environment key's rules.
func keyRules() []Rule {
	return []Rule{
		{
			ID: "KMS_CUSTOMER_MANAGED_KEY", Title: "The table, the audit bucket, the alarm topic and every log group are encrypted with the environment's customer-managed key",
			Equivalent: "Checkov CKV_AWS_119 (DynamoDB), CKV_AWS_145 (S3), CKV_AWS_26 (SNS), CKV_AWS_158 (log groups); AWS Config dynamodb-table-encrypted-kms",
			Fix:        "pass the network layer's environmentKeyArn to the component",
			Applies: ofType(awstype.Table, awstype.LogGroup, awstype.Topic,
				awstype.BucketEncryption),
			Check: evaluated(func(r manifest.Resource, e *Env) string {
				path := map[string]string{
					awstype.Table:            "serverSideEncryption.kmsKeyArn",
					awstype.LogGroup:         "kmsKeyId",
					awstype.Topic:            "kmsMasterKeyId",
					awstype.BucketEncryption: "rules.applyServerSideEncryptionByDefault.kmsMasterKeyId",
				}[r.Type]
				key, _ := proppath.Get(r.Config, path).(string)
				if _, ok := e.access.KeyPolicies[key]; !ok {
					return fmt.Sprintf("%s = %q is not the environment's customer-managed key (an AWS-managed key's policy cannot be narrowed)", path, key)
				}
				return ""
			}),
		},
		{
			ID: "ALARM_DELIVERY", Title: "Every alarm action's topic is under a key whose policy lets CloudWatch publish to it",
			Equivalent: "internal (evaluated); CloudWatch cannot publish to a topic under the AWS-managed SNS key, so such alarms are never delivered",
			Fix:        "encrypt the topic with the environment's key; its policy grants cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*",
			Applies:    ofType(awstype.MetricAlarm),
			Check: evaluated(func(r manifest.Resource, e *Env) string {
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
			}),
		},
	}
}

// networkRules are the network's, and the audit records' access log rules.
func networkRules() []Rule {
	bucket := ofType(awstype.Bucket)
	return []Rule{
		{
			ID: "VPC_FLOW_LOGS", Title: "VPCs send flow logs to CloudWatch Logs",
			Equivalent: "AWS Config vpc-flow-logs-enabled; Checkov CKV2_AWS_11; cdk-nag AwsSolutions-VPC7",
			Fix:        "set payments:flowLogs true for the environment",
			Applies:    ofType(awstype.Vpc),
			Check: func(r manifest.Resource, e *Env) string {
				for _, x := range e.resources {
					if x.Type == awstype.FlowLog && x.Config["trafficType"] == "ALL" {
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
			Applies:    ofType(awstype.Vpc),
			Check: func(r manifest.Resource, e *Env) string {
				for _, x := range e.resources {
					if x.Type == awstype.DefaultSecurityGroup {
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
				logging := e.configuring(awstype.BucketLogging, "bucket", r.PhysicalName)
				if len(logging) == 0 {
					return "no server access logging"
				}
				target, _ := logging[0].Config["targetBucket"].(string)
				if target == "" || target == r.PhysicalName {
					return "logs to itself or nowhere"
				}
				for _, y := range e.resources {
					if y.Type == awstype.Bucket && y.PhysicalName == target {
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
			Applies:    ofType(awstype.SecurityGroup),
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
	}
}

// conventionRules are the conventions every resource follows rules.
func conventionRules() []Rule {
	return []Rule{
		{
			ID: "REQUIRED_TAGS", Title: "Every taggable resource carries the six required tags with this environment's values",
			Equivalent: "AWS Config required-tags",
			Fix:        "create the resource inside a layer program (layer.Begin installs the tagging transformation)",
			Applies: func(r manifest.Resource) bool {
				return strings.HasPrefix(r.Type, "aws:") && !awstype.Untaggable(r.Type)
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
