package awsfake_test

import (
	"context"
	"os"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/awsfake"
	"github.com/acmepay/platform/internal/recovery"
	"github.com/acmepay/platform/pkg/fixture"
)

// review:sweep's listing, the real AWS SDK code of recovery.AWS.Tagged,
// against the stand-in's Tagging API: the same cases as against moto
// (internal/recovery's TestTheTaggedListingAgainstMoto).
func TestTheTaggedListingAgainstTheStandIn(t *testing.T) {
	c := awsfake.New(fixture.DevAccount, "us-east-1")
	tags := func(env, expires string) resource.PropertyValue {
		m := resource.PropertyMap{"Environment": resource.NewStringProperty(env)}
		if expires != "" {
			m["Expires"] = resource.NewStringProperty(expires)
		}
		return resource.NewObjectProperty(m)
	}
	vpc, err := c.Add("aws:ec2/vpc:Vpc", "review", resource.PropertyMap{"tags": tags("pr-7", "2026-12-10T19:00:00Z")})
	require.NoError(t, err)
	_, err = c.Add("aws:ec2/vpc:Vpc", "dev", resource.PropertyMap{"tags": tags("dev", "")})
	require.NoError(t, err)
	_, err = c.Add("aws:kms/key:Key", "review", resource.PropertyMap{"tags": tags("pr-8", "2026-12-11T08:00:00Z")})
	require.NoError(t, err)

	addr, stop, err := c.ServeSTS()
	require.NoError(t, err)
	t.Cleanup(func() { _ = stop() })
	for k, v := range map[string]string{"AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API": "http://" + addr, "AWS_ACCESS_KEY_ID": "AKIAACCOUNTADMIN",
		"AWS_SECRET_ACCESS_KEY": "awsfake", "AWS_PROFILE": "", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "AWS_EC2_METADATA_DISABLED": "true"} {
		t.Setenv(k, v)
	}
	a, err := recovery.NewAWS(context.Background(), "us-east-1", "")
	require.NoError(t, err)
	got, err := a.Tagged(context.Background(), "Expires")
	require.NoError(t, err)
	envs := map[string]string{}
	for _, r := range got {
		envs[r.Tags["Environment"]] = r.Tags["Expires"]
		if r.Tags["Environment"] == "pr-7" {
			assert.Equal(t, "arn:aws:ec2:us-east-1:"+fixture.DevAccount+":vpc/"+vpc, r.ARN)
		}
	}
	assert.Equal(t, map[string]string{"pr-7": "2026-12-10T19:00:00Z", "pr-8": "2026-12-11T08:00:00Z"}, envs)
}
