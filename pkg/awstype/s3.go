package awstype

import (
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/iampolicy/validity"
	"github.com/acmepay/platform/pkg/profile"
)

// The audit bucket and its settings, each a resource of its own keyed by
// the bucket (its "bucket" input names the bucket, not itself).
const (
	Bucket                  = "aws:s3/bucketV2:BucketV2"
	BucketVersioning        = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	BucketEncryption        = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	BucketPublicAccessBlock = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	BucketOwnershipControls = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	BucketPolicy            = "aws:s3/bucketPolicy:BucketPolicy"
	BucketLifecycle         = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	BucketObjectLock        = "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2"
	BucketLogging           = "aws:s3/bucketLoggingV2:BucketLoggingV2"
)

// bucketSetting is a bucket's setting: untaggable, and only ever in place
// on its bucket.
func bucketSetting(token, noCharge string) Type {
	return Type{Token: token, Untaggable: true, Immutable: []string{"bucket"}, NoCharge: noCharge}
}

func init() {
	versioning := bucketSetting(BucketVersioning, "bucket settings have no charge; storage and requests are priced on the bucket")
	versioning.Summary = []string{"versioningConfiguration.status"}
	policy := bucketSetting(BucketPolicy, "bucket settings have no charge")
	policy.Document = &Document{"policy", validity.BucketPolicy}
	lifecycle := bucketSetting(BucketLifecycle, "lifecycle expirations have no charge")
	lifecycle.Settings = []Setting{setting("audit-logs", `rules\[0\]\.(expiration\.days|noncurrentVersionExpiration\.noncurrentDays)`, profile.KeyAuditExpirationDays)}
	objectLock := bucketSetting(BucketObjectLock, "Object Lock has no charge of its own")
	objectLock.Settings = []Setting{setting("audit-logs", `rule\.defaultRetention\.days`, profile.KeyAuditExpirationDays)}
	register(
		// Object Lock can only be switched on when a bucket is created.
		Type{Token: Bucket, NameInput: "bucket", IDIsName: true, Holds: "the audit records in it", Immutable: []string{"objectLockEnabled"},
			ARN:     func(_ iampolicy.Scope, r Named) string { return iampolicy.Bucket(r.Name) },
			Summary: []string{"forceDestroy"}, Find: &Finder{TagFilter: "s3", ID: AfterColon, ByName: HeadBucket}},
		versioning,
		bucketSetting(BucketEncryption, "bucket settings have no charge; KMS requests are priced on the key"),
		bucketSetting(BucketPublicAccessBlock, "bucket settings have no charge"),
		bucketSetting(BucketOwnershipControls, "bucket settings have no charge"),
		policy, lifecycle, objectLock,
		bucketSetting(BucketLogging, "server access logging has no charge; the logs' storage is in the bootstrap's bucket"),
	)
}
