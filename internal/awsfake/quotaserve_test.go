package awsfake_test

import (
	"context"
	"os"
	"testing"

	"github.com/acmepay/platform/internal/quota"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/awsfake"
	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/profile"
)

// The deployment's quota check, the real AWS SDK code of quota.AWS,
// reads the stand-in's quotas and resources over AWS's protocols: what the
// account holds, and which of it is dev's by its tags.
func TestTheQuotaCheckReadsTheStandInOverAWSsProtocols(t *testing.T) {
	c := awsfake.New(fixture.DevAccount, "us-east-1")
	c.Quota = awsfake.Quotas{awstype.Function: 400, awstype.Eip: 3}
	devTags := resource.NewObjectProperty(resource.PropertyMap{"Environment": resource.NewStringProperty("dev"), "Project": resource.NewStringProperty("payments-platform")})
	add := func(typ, name string, in resource.PropertyMap) string {
		id, err := c.Add(typ, name, in)
		require.NoError(t, err)
		return id
	}
	add("aws:lambda/function:Function", "ours", resource.PropertyMap{"name": resource.NewStringProperty("payment-processor-dev-" + fixture.DevSuffix), "reservedConcurrentExecutions": resource.NewNumberProperty(5)})
	add("aws:lambda/function:Function", "theirs", resource.PropertyMap{"name": resource.NewStringProperty("batch"), "reservedConcurrentExecutions": resource.NewNumberProperty(100)})
	add("aws:ec2/eip:Eip", "ours", resource.PropertyMap{"tags": devTags})
	add("aws:ec2/eip:Eip", "theirs", nil)
	add("aws:ec2/vpc:Vpc", "ours", resource.PropertyMap{"tags": devTags})
	subnet := add("aws:ec2/subnet:Subnet", "ours", resource.PropertyMap{"availabilityZone": resource.NewStringProperty("us-east-1b")})
	add("aws:ec2/natGateway:NatGateway", "ours", resource.PropertyMap{"subnetId": resource.NewStringProperty(subnet), "tags": devTags})
	add("aws:ec2/natGateway:NatGateway", "deleted", resource.PropertyMap{"subnetId": resource.NewStringProperty(subnet), "tags": devTags, "state": resource.NewStringProperty("deleted")})
	add("aws:ec2/vpc:Vpc", "theirs", nil)
	// One item per page: every read must follow NextToken to the end.
	c.EC2PageSize = 1

	addr, stop, err := c.ServeSTS()
	require.NoError(t, err)
	t.Cleanup(func() { _ = stop() })
	for _, k := range []string{"AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL_SERVICE_QUOTAS", "AWS_ENDPOINT_URL_EC2"} {
		t.Setenv(k, "http://"+addr)
	}
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "AKIAACCOUNTADMIN", "AWS_SECRET_ACCESS_KEY": "awsfake", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "AWS_EC2_METADATA_DISABLED": "true"} {
		t.Setenv(k, v)
	}
	p, err := profile.Planned(profile.Dev)
	require.NoError(t, err)
	u, err := quota.AWS{}.Usage(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, quota.Usage{
		LambdaConcurrency: 400, LambdaUnreserved: 295, FunctionReserved: 5,
		EIPQuota: 3, EIPs: 2, OwnEIPs: 1,
		VPCQuota: 5, VPCs: 3, OwnVPCs: 1, // the account's default VPC counts against the quota
		NATQuota: 5, NATs: map[string]int{"us-east-1b": 1}, OwnNATs: map[string]int{"us-east-1b": 1},
	}, u)
}
