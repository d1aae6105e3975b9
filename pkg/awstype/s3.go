package awstype

import (
	"fmt"

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

// settingOfBucket is a bucket's setting: untaggable, and only ever in place
// on its bucket.
func settingOfBucket(token, noCharge string) Type {
	return Type{Token: token, Untaggable: true, Immutable: []string{"bucket"}, NoCharge: noCharge}
}

// bucketPrice: every payment's audit record, stored for as long as the
// bucket's lifecycle keeps it, and its PUT.
func bucketPrice(r Priced) []Charge {
	u := r.Usage()
	days := keptDays(r)
	stored := u.PaymentsPerMonth * u.AuditObjectKB / 1e6 * days / 30
	return []Charge{
		perUse(fmt.Sprintf("audit records stored (%.0f days kept)", days), "s3-standard-gb-month", stored),
		perUse("PUT requests", "s3-put-request", u.PaymentsPerMonth),
	}
}

// keptDays is how long the bucket keeps objects: its lifecycle's
// expiration, 30 days without one.
func keptDays(bucket Priced) float64 {
	for _, l := range bucket.Each(BucketLifecycle) {
		if l.Get("bucket") == bucket.PhysicalName() {
			for i := range list(l.Get("rules")) {
				if d := number(l.Get(fmt.Sprintf("rules[%d].expiration.days", i))); d > 0 {
					return d
				}
			}
		}
	}
	return 30
}

func init() {
	registerCeiling(40, Ceiling{Named: []string{"s3:*"},
		Resources: func(_ iampolicy.Scope, own string) []string {
			return []string{iampolicy.Bucket(own), iampolicy.Bucket(own) + "/*"}
		}})
	registerGrants(40, bucketGrants)
	versioning := settingOfBucket(BucketVersioning, "bucket settings have no charge; storage and requests are priced on the bucket")
	versioning.Summary = []string{"versioningConfiguration.status"}
	policy := settingOfBucket(BucketPolicy, "bucket settings have no charge")
	policy.Document = &Document{"policy", validity.BucketPolicy}
	lifecycle := settingOfBucket(BucketLifecycle, "lifecycle expirations have no charge")
	lifecycle.Settings = []Setting{setting("audit-logs", `rules\[0\]\.(expiration\.days|noncurrentVersionExpiration\.noncurrentDays)`, profile.KeyAuditExpirationDays)}
	objectLock := settingOfBucket(BucketObjectLock, "Object Lock has no charge of its own")
	objectLock.Settings = []Setting{setting("audit-logs", `rule\.defaultRetention\.days`, profile.KeyAuditExpirationDays)}
	register(s3Calls,
		// Object Lock can only be switched on when a bucket is created.
		Type{Token: Bucket, NameInput: "bucket", IDIsName: true, Holds: "the audit records in it", Immutable: []string{"objectLockEnabled"},
			ARN:     func(_ iampolicy.Scope, r Named) string { return iampolicy.Bucket(r.Name) },
			Summary: []string{"forceDestroy"}, Find: &Finder{TagFilter: "s3", ID: AfterColon, ByName: HeadBucket},
			Price: bucketPrice,
			Computed: func(_ iampolicy.Scope, r Named, _ string) map[string]string {
				return map[string]string{"bucketDomainName": r.Name + ".s3.amazonaws.com"}
			}},
		versioning,
		settingOfBucket(BucketEncryption, "bucket settings have no charge; KMS requests are priced on the key"),
		settingOfBucket(BucketPublicAccessBlock, "bucket settings have no charge"),
		settingOfBucket(BucketOwnershipControls, "bucket settings have no charge"),
		policy, lifecycle, objectLock,
		settingOfBucket(BucketLogging, "server access logging has no charge; the logs' storage is in the bootstrap's bucket"),
	)
}

// s3Calls are the API calls the provider makes for each operation on
// this file's types, as IAM authorizes them (see Operations).
var s3Calls = map[string]Operations{
	Bucket: {
		// Object Lock is enabled with the bucket: S3 checks the Object Lock
		// and versioning permissions on CreateBucket.
		Create: join(calls(self, "s3:CreateBucket", "s3:PutBucketObjectLockConfiguration", "s3:PutBucketVersioning", "s3:PutBucketTagging"), s3BucketReads),
		Read:   s3BucketReads,
		Update: calls(self, "s3:PutBucketTagging"),
		// forceDestroy: every version, locked ones by bypassing governance
		// retention, then the bucket.
		Delete: join(calls(self, "s3:ListBucketVersions", "s3:DeleteBucket"), calls(Target{Input: Objects}, "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention")),
	},
	BucketVersioning: bucketSetting("s3:PutBucketVersioning", "s3:GetBucketVersioning", "s3:PutBucketVersioning"),
	BucketEncryption: bucketSetting(
		"s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration"),
	BucketPublicAccessBlock: bucketSetting("s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock"),
	BucketOwnershipControls: bucketSetting("s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls", "s3:PutBucketOwnershipControls"),
	BucketPolicy:            bucketSetting("s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"),
	// S3 checks the caller on the source bucket only; the target bucket's
	// policy lets the logging service write.
	BucketLogging: bucketSetting("s3:PutBucketLogging", "s3:GetBucketLogging", "s3:PutBucketLogging"),
	BucketLifecycle: bucketSetting(
		"s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration"),
	// Object Lock cannot be switched off: its delete only forgets it.
	BucketObjectLock: bucketSetting(
		"s3:PutBucketObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration"),
}

// bucketGrants are the deployer's grants on the audit bucket.
func bucketGrants(g Grantee) []iampolicy.Statement {
	return []iampolicy.Statement{
		{
			Sid: "AuditBucket", Effect: "Allow",
			Resource: []string{iampolicy.Bucket(g.Workload.Bucket()), iampolicy.Bucket(g.Workload.Bucket()) + "/*"},
			Action: []string{
				"s3:CreateBucket", "s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:DeleteObjectVersion",
				"s3:GetAccelerateConfiguration", "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketLogging", "s3:GetBucketObjectLockConfiguration", "s3:GetBucketOwnershipControls",
				"s3:GetBucketPolicy", "s3:GetBucketPublicAccessBlock", "s3:GetBucketRequestPayment", "s3:GetBucketTagging",
				"s3:GetBucketVersioning", "s3:GetBucketWebsite", "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration",
				"s3:GetReplicationConfiguration", "s3:ListBucket", "s3:ListBucketVersions", "s3:PutBucketOwnershipControls",
				"s3:PutBucketLogging", "s3:PutBucketPolicy", "s3:PutBucketPublicAccessBlock", "s3:PutBucketTagging", "s3:PutBucketVersioning",
				"s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration",
				// Object Lock: set at creation, and bypassed only by forceDestroy
				// when the environment is destroyed (governance mode).
				"s3:BypassGovernanceRetention", "s3:PutBucketObjectLockConfiguration",
			},
		},
	}
}
