package component

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/pkg/datapolicy"
	"github.com/acmepay/platform/pkg/naming"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/workload"
)

// AuditPrefix is where the payment function writes audit records (the
// workload roles' grants name the same prefix).
const AuditPrefix = workload.AuditPrefix

// AbortMultipartDays is when incomplete multipart uploads are cleaned up.
const AbortMultipartDays = 7

// AuditBucketArgs configures an AuditBucket.
type AuditBucketArgs struct {
	Names          naming.Namer
	ExpirationDays int
	// KeyArn is the environment's key, the bucket's default encryption.
	KeyArn string
	// BreakGlassRole, when set (prod), is the only principal that may later
	// weaken the audit trail: its policy, lock, versioning or lifecycle, the
	// records' versions or retention, the bucket itself.
	BreakGlassRole string
	// AccessLogBucket receives the bucket's server access logs: the
	// account's bootstrap owns it, where neither a workload nor the
	// deployer can change it.
	AccessLogBucket string
}

// ObjectLockMode is the audit records' retention mode. Governance: nobody can
// overwrite or delete a record before its retention ends, unless they hold
// s3:BypassGovernanceRetention, which the workload boundary denies and only
// the deployer has, for destroying the environment (forceDestroy empties a
// bucket of governance-locked objects; compliance mode would make an
// environment undestroyable for the whole retention period).
const ObjectLockMode = "GOVERNANCE"

// AuditBucket is the S3 bucket of audit records: private, encrypted with the
// environment's key, versioned, write-once (Object Lock for as long as the
// records are kept), TLS-only, expiring on the environment's schedule, and
// force-destroyable so an environment can be removed without manual steps.
type AuditBucket struct {
	pulumi.ResourceState

	Name   string
	Arn    pulumi.StringOutput
	Prefix string
}

// NewAuditBucket creates the bucket and its settings.
func NewAuditBucket(ctx *pulumi.Context, name string, args AuditBucketArgs, opts ...pulumi.ResourceOption) (*AuditBucket, error) {
	if err := args.validate(name); err != nil {
		return nil, err
	}
	bucketName, err := args.Names.Name(naming.S3Bucket, naming.AuditBucket)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", AuditBucketToken, name, err)
	}
	c := &AuditBucket{Name: bucketName, Prefix: AuditPrefix}
	if err := ctx.RegisterComponentResource(AuditBucketToken, name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)
	bucket, err := s3.NewBucketV2(ctx, name, &s3.BucketV2Args{
		Bucket:       pulumi.String(bucketName),
		ForceDestroy: pulumi.Bool(true),
		// Object Lock can only be switched on when a bucket is created.
		ObjectLockEnabled: pulumi.Bool(true),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("%s %s: bucket: %w", AuditBucketToken, name, err)
	}
	c.Arn = bucket.Arn
	after := pulumi.DependsOn([]pulumi.Resource{bucket})

	if err := blockPublicAccess(ctx, name, bucket, parent); err != nil {
		return nil, err
	}
	versioning, err := s3.NewBucketVersioningV2(ctx, name, &s3.BucketVersioningV2Args{
		Bucket:                  bucket.ID(),
		VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("%s %s: versioning: %w", AuditBucketToken, name, err)
	}
	encryption, err := encryptWith(ctx, name, bucket, args.KeyArn, parent)
	if err != nil {
		return nil, err
	}
	lock, lifecycle, err := retain(ctx, name, bucket, versioning, args.ExpirationDays, parent)
	if err != nil {
		return nil, err
	}
	// Every request on the audit records, allowed or denied, is logged
	// where this layer cannot reach.
	logging, err := s3.NewBucketLoggingV2(ctx, name, &s3.BucketLoggingV2Args{
		Bucket: bucket.ID(), TargetBucket: pulumi.String(args.AccessLogBucket), TargetPrefix: pulumi.String(workload.AccessLogPrefix),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("%s %s: access logging: %w", AuditBucketToken, name, err)
	}
	// The policy comes last: with a break-glass role it forbids the settings
	// above to anyone else once it exists.
	if _, err := s3.NewBucketPolicy(ctx, name, &s3.BucketPolicyArgs{
		Bucket: bucket.ID(),
		Policy: pulumi.String(datapolicy.AuditBucketPolicy(bucketName, args.BreakGlassRole).JSON()),
	}, parent, after, pulumi.DependsOn([]pulumi.Resource{versioning, encryption, lock, lifecycle, logging})); err != nil {
		return nil, fmt.Errorf("%s %s: policy: %w", AuditBucketToken, name, err)
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"name": pulumi.String(bucketName), "arn": bucket.Arn}); err != nil {
		return nil, err
	}
	return c, nil
}

// validate refuses arguments the bucket cannot be built from, before any
// resource is registered.
func (args AuditBucketArgs) validate(name string) error {
	if e := profile.AuditExpiration; args.ExpirationDays < e.Min || args.ExpirationDays > e.Max {
		return fmt.Errorf("%s %s: expiration %d days: allowed %d-%d", AuditBucketToken, name, args.ExpirationDays, e.Min, e.Max)
	}
	if args.KeyArn == "" {
		return fmt.Errorf("%s %s: the environment's key is required", AuditBucketToken, name)
	}
	if args.AccessLogBucket == "" {
		return fmt.Errorf("%s %s: an access-log bucket is required: every access to the audit records is logged", AuditBucketToken, name)
	}
	return nil
}

// blockPublicAccess blocks every kind of public access to the bucket, and
// makes the bucket owner own every object (no ACLs).
func blockPublicAccess(ctx *pulumi.Context, name string, bucket *s3.BucketV2, parent pulumi.ResourceOption) error {
	if _, err := s3.NewBucketPublicAccessBlock(ctx, name, &s3.BucketPublicAccessBlockArgs{
		Bucket:                bucket.ID(),
		BlockPublicAcls:       pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, parent); err != nil {
		return fmt.Errorf("%s %s: public access block: %w", AuditBucketToken, name, err)
	}
	if _, err := s3.NewBucketOwnershipControls(ctx, name, &s3.BucketOwnershipControlsArgs{
		Bucket: bucket.ID(),
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, parent); err != nil {
		return fmt.Errorf("%s %s: ownership: %w", AuditBucketToken, name, err)
	}
	return nil
}

// encryptWith encrypts the bucket's objects by default under the key.
func encryptWith(ctx *pulumi.Context, name string, bucket *s3.BucketV2, keyArn string, parent pulumi.ResourceOption) (*s3.BucketServerSideEncryptionConfigurationV2, error) {
	encryption, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name, &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{
			&s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
				ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
					SseAlgorithm:   pulumi.String("aws:kms"),
					KmsMasterKeyId: pulumi.String(keyArn),
				},
				BucketKeyEnabled: pulumi.Bool(true),
			},
		},
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("%s %s: encryption: %w", AuditBucketToken, name, err)
	}
	return encryption, nil
}

// retain locks every record for days and expires it, and its noncurrent
// versions, when they end; both wait for versioning.
func retain(ctx *pulumi.Context, name string, bucket *s3.BucketV2, versioning *s3.BucketVersioningV2, days int, parent pulumi.ResourceOption) (pulumi.Resource, pulumi.Resource, error) {
	// Every record is locked for as long as it is kept: the lifecycle below
	// expires it when its retention ends.
	lock, err := s3.NewBucketObjectLockConfigurationV2(ctx, name, &s3.BucketObjectLockConfigurationV2Args{
		Bucket:            bucket.ID(),
		ObjectLockEnabled: pulumi.String("Enabled"),
		Rule: &s3.BucketObjectLockConfigurationV2RuleArgs{
			DefaultRetention: &s3.BucketObjectLockConfigurationV2RuleDefaultRetentionArgs{
				Mode: pulumi.String(ObjectLockMode),
				Days: pulumi.Int(days),
			},
		},
	}, parent, pulumi.DependsOn([]pulumi.Resource{versioning}))
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: object lock: %w", AuditBucketToken, name, err)
	}
	// Lifecycle rules on a versioned bucket must wait for versioning.
	lifecycle, err := s3.NewBucketLifecycleConfigurationV2(ctx, name, &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{
			&s3.BucketLifecycleConfigurationV2RuleArgs{
				Id:     pulumi.String("expire-audit-records"),
				Status: pulumi.String("Enabled"),
				Filter: &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
				Expiration: &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{
					Days: pulumi.Int(days),
				},
				NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
					NoncurrentDays: pulumi.Int(days),
				},
				AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
					DaysAfterInitiation: pulumi.Int(AbortMultipartDays),
				},
			},
		},
	}, parent, pulumi.DependsOn([]pulumi.Resource{versioning}))
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: lifecycle: %w", AuditBucketToken, name, err)
	}
	return lock, lifecycle, nil
}
