package offline

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/profile"
)

// Audit records are written under the bucket's default retention (governance
// mode, as long as they are kept), and the environment is still destroyable
// to nothing: forceDestroy deletes locked records by bypassing governance
// retention, as the AWS provider documents. Compliance mode would not be:
// the second half shows a console switch to it blocks the destroy until the
// records' retention has passed.
func TestLockedAuditRecordsDoNotBlockDestroy(t *testing.T) {
	bucket := "audit-logs-staging-" + fixture.StagingSuffix
	e, now := deployedAt(t, profile.Staging)
	ctx := context.Background()
	for i := range 3 {
		require.NoError(t, e.Cloud.PutObject(bucket, fmt.Sprintf("audit/2026/11/27/txn_%d.json", i), now))
	}
	for _, o := range e.Cloud.Objects(bucket) {
		assert.Equal(t, "GOVERNANCE", o.Mode, o.Key)
		assert.Equal(t, now.AddDate(0, 0, 90), o.RetainUntil, "%s is locked for staging's 90 days", o.Key)
	}

	_, err := e.Destroy(ctx)
	require.NoError(t, err)
	require.NoError(t, e.CheckEmpty(), "the locked bucket went with everything else")
	assert.Empty(t, e.Cloud.Objects(bucket))
}

func TestComplianceModeRecordsWouldBlockDestroy(t *testing.T) {
	bucket := "audit-logs-dev-" + fixture.DevSuffix
	e, now := deployedAt(t, profile.Dev)
	ctx := context.Background()
	require.NoError(t, e.Cloud.Edit("aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2", "audit-logs", func(in resource.PropertyMap) {
		in["rule"].ObjectValue()["defaultRetention"].ObjectValue()["mode"] = resource.NewStringProperty("COMPLIANCE")
	}))
	require.NoError(t, e.Cloud.PutObject(bucket, "audit/2026/11/27/txn_0.json", now))

	_, err := e.Destroy(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "compliance-mode retention until 2026-12-27")

	e.Cloud.Now = func() time.Time { return now.AddDate(0, 0, 31) }
	_, err = e.Destroy(ctx)
	require.NoError(t, err, "once the retention has passed the bucket can go")
	require.NoError(t, e.CheckEmpty())
}

// deployedAt deploys env and sets the stand-in's clock to the time its
// audit records are written.
func deployedAt(t *testing.T, env profile.Environment) (*Env, time.Time) {
	t.Helper()
	e := newEnv(t, env)
	_, err := e.Up(context.Background())
	require.NoError(t, err)
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	e.Cloud.Now = func() time.Time { return now }
	return e, now
}
