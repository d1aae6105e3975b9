package inventory

import (
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/stacktest"
)

func TestRecordsNamesAndShortSettingsOnly(t *testing.T) {
	var items []contract.Item
	_, err := stacktest.Run(func(ctx *pulumi.Context) error {
		rec, err := Register(ctx)
		if err != nil {
			return err
		}
		bucket, err := s3.NewBucketV2(ctx, "audit", &s3.BucketV2Args{
			Bucket: pulumi.String("audit-dev-pay01"), ObjectLockEnabled: pulumi.Bool(true),
			Tags: pulumi.StringMap{"Name": pulumi.String("a tag is not the name here")},
		})
		if err != nil {
			return err
		}
		// Its bucket is another resource's output: not known at
		// registration, so neither a setting nor this resource's name.
		if _, err := s3.NewBucketPolicy(ctx, "audit", &s3.BucketPolicyArgs{Bucket: bucket.ID(), Policy: pulumi.String(`{"Statement":[]}`)}); err != nil {
			return err
		}
		items = rec.Items()
		return nil
	}, stacktest.Options{Project: "data", Stack: "dev"})
	require.NoError(t, err)
	assert.Equal(t, []contract.Item{
		{Type: "aws:s3/bucketPolicy:BucketPolicy", Name: "audit"},
		{Type: "aws:s3/bucketV2:BucketV2", Name: "audit", Physical: "audit-dev-pay01", Settings: map[string]string{"bucket": "audit-dev-pay01", "objectLockEnabled": "true"}},
	}, items, "sorted; documents and tags are left to the state and the manifest")
}
