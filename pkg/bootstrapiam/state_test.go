package bootstrapiam_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/profile"
)

// The state bucket's policy gives each environment's roles one prefix, and
// the bootstrap stacks another: a backend anywhere else would fail at its
// first state call, or put state where the wrong roles reach it.
func TestABackendOutsideTheStateBucketPolicyIsRefused(t *testing.T) {
	pipe := profile.Pipeline{StateBucket: "acmepay-payments-pulumi-state"}
	for _, ok := range []struct{ url, prefix string }{
		{"s3://acmepay-payments-pulumi-state/dev", "dev"},
		{"s3://acmepay-payments-pulumi-state/dev/?region=us-east-1&endpoint=http://127.0.0.1:9000", "dev"},
		{"s3://acmepay-payments-pulumi-state/bootstrap", bootstrapiam.BootstrapPrefix},
		{"file:///home/admin/platform/.pulumi-state", "prod"}, // an administrator's own local state
	} {
		assert.NoError(t, bootstrapiam.CheckBackend(pipe, ok.url, ok.prefix, "x"), ok.url)
	}
	for _, bad := range []struct{ url, prefix, says string }{
		{"s3://someone-elses-bucket/dev", "dev", "PULUMI_BACKEND_URL=s3://someone-elses-bucket/dev, but the state bucket's policy gives dev's roles only s3://acmepay-payments-pulumi-state/dev"},
		{"s3://acmepay-payments-pulumi-state/staging", "dev", "PULUMI_BACKEND_URL=s3://acmepay-payments-pulumi-state/staging, but"},
		{"s3://acmepay-payments-pulumi-state", "dev", "PULUMI_BACKEND_URL=s3://acmepay-payments-pulumi-state/, but"},
		{"s3://acmepay-payments-pulumi-state/dev", bootstrapiam.BootstrapPrefix, "gives dev's roles only s3://acmepay-payments-pulumi-state/bootstrap"},
	} {
		err := bootstrapiam.CheckBackend(pipe, bad.url, bad.prefix, "dev's roles")
		require.ErrorIs(t, err, bootstrapiam.ErrStateOutsidePolicy, bad.url)
		assert.Contains(t, err.Error(), bad.says)
	}
	err := bootstrapiam.CheckBackend(pipe, "s3://acmepay payments\x7f/dev", "dev", "dev's roles")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is not a URL")
	assert.Contains(t, err.Error(), "want s3://acmepay-payments-pulumi-state/dev")
}
