package policy

import (
	"fmt"

	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/internal/proppath"
	"github.com/acmepay/platform/pkg/awstype"
)

// s3Rules are the audit bucket's rules.
func s3Rules() []Rule {
	bucket := ofType(awstype.Bucket)
	return []Rule{
		{
			ID: "S3_PUBLIC_ACCESS_BLOCK", Title: "S3 buckets block all four kinds of public access",
			Equivalent: "Checkov CKV_AWS_53-56; AWS Config s3-bucket-level-public-access-prohibited; cdk-nag AwsSolutions-S1/S2",
			Fix:        "give the bucket a BucketPublicAccessBlock with all four settings true (component.AuditBucket does)",
			Applies:    bucket,
			Check: func(r manifest.Resource, e *Env) string {
				blocks := e.configuring(awstype.BucketPublicAccessBlock, "bucket", r.PhysicalName)
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
				for _, p := range e.configuring(awstype.BucketPolicy, "bucket", r.PhysicalName) {
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
			Check: bucketSetting(awstype.BucketEncryption,
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
			Check: bucketSetting(awstype.BucketVersioning,
				func(c map[string]any) bool { return proppath.Get(c, "versioningConfiguration.status") == "Enabled" },
				"versioning is not enabled"),
		},
		{
			ID: "S3_LIFECYCLE", Title: "S3 buckets expire current and noncurrent objects",
			Equivalent: "AWS Config s3-lifecycle-policy-check; Checkov CKV2_AWS_61",
			Fix:        "add a lifecycle rule with expiration and noncurrent-version expiration",
			Applies:    bucket,
			Check: bucketSetting(awstype.BucketLifecycle,
				func(c map[string]any) bool {
					return proppath.Get(c, "rules.expiration.days") != nil && proppath.Get(c, "rules.noncurrentVersionExpiration.noncurrentDays") != nil
				},
				"no lifecycle expiring current and noncurrent objects"),
		},
	}
}

// tableRules are the transactions table's rules.
func tableRules() []Rule {
	return []Rule{
		{
			ID: "DYNAMODB_ENCRYPTION", Title: "DynamoDB tables use server-side encryption",
			Equivalent: "AWS Config dynamodb-table-encrypted-kms; Checkov CKV_AWS_119",
			Fix:        "set serverSideEncryption.enabled",
			Applies:    ofType(awstype.Table),
			Check:      settingIs("serverSideEncryption.enabled", true, "server-side encryption is not enabled"),
		},
		{
			ID: "DYNAMODB_PITR", Title: "DynamoDB tables have point-in-time recovery",
			Equivalent: "AWS Config dynamodb-pitr-enabled; Checkov CKV_AWS_28; cdk-nag AwsSolutions-DDB3",
			Fix:        "set payments:pointInTimeRecovery true for the environment",
			Applies:    ofType(awstype.Table),
			Check:      settingIs("pointInTimeRecovery.enabled", true, "point-in-time recovery is off"),
		},
		{
			ID: "DYNAMODB_DELETION_PROTECTION", Title: "DynamoDB tables have deletion protection",
			Equivalent: "AWS Config dynamodb-table-deletion-protection-enabled",
			Fix:        "set deletionProtectionEnabled (conflicts with the destroyability requirement)",
			Applies:    ofType(awstype.Table),
			Check:      settingIs("deletionProtectionEnabled", true, "deletion protection is off"),
		},
	}
}

// retentionRules are the audit records' lock and the function's reserved capacity rules.
func retentionRules() []Rule {
	bucket := ofType(awstype.Bucket)
	return []Rule{
		{
			ID: "S3_OBJECT_LOCK", Title: "Audit records are locked (Object Lock) for at least as long as they are kept",
			Equivalent: "AWS Config s3-bucket-default-lock-enabled; Checkov CKV_AWS_143",
			Fix:        "give the bucket a BucketObjectLockConfigurationV2 whose default retention covers the lifecycle expiration",
			Applies:    bucket,
			Check: func(r manifest.Resource, e *Env) string {
				locks := e.configuring(awstype.BucketObjectLock, "bucket", r.PhysicalName)
				if len(locks) == 0 {
					return "no object lock configuration"
				}
				days, _ := proppath.Get(locks[0].Config, "rule.defaultRetention.days").(float64)
				mode, _ := proppath.Get(locks[0].Config, "rule.defaultRetention.mode").(string)
				if mode != "GOVERNANCE" && mode != "COMPLIANCE" {
					return fmt.Sprintf("default retention mode %q", mode)
				}
				for _, l := range e.configuring(awstype.BucketLifecycle, "bucket", r.PhysicalName) {
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
			Applies:    ofType(awstype.Function),
			Check: func(r manifest.Resource, _ *Env) string {
				if n, _ := r.Config["reservedConcurrentExecutions"].(float64); n < 1 {
					return fmt.Sprintf("reservedConcurrentExecutions = %v", r.Config["reservedConcurrentExecutions"])
				}
				return ""
			},
		},
	}
}
