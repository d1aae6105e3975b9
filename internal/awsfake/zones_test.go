package awsfake

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/awstype"
)

// The stand-in answers the zone lookup in the cloud's own region, with
// names and IDs as AWS forms them (AWS Regions and Zones user guide, "AZ
// IDs").
func TestZonesFollowTheRegion(t *testing.T) {
	for region, want := range map[string][2]string{
		"us-east-1":      {"us-east-1a", "use1-az1"},
		"us-west-2":      {"us-west-2a", "usw2-az1"},
		"ap-northeast-1": {"ap-northeast-1a", "apne1-az1"},
		"ap-southeast-2": {"ap-southeast-2a", "apse2-az1"},
		"eu-central-1":   {"eu-central-1a", "euc1-az1"},
	} {
		assert.Equal(t, want[0], Zones(region)[0], region)
		assert.Equal(t, want[1], ZoneID(region, 0), region)
	}
	assert.Equal(t, []string{"us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"}, Zones("us-west-2"))

	c := New("111122223333", "us-west-2")
	resp, err := c.invoke(awstype.GetAvailabilityZones, property.Map{})
	require.NoError(t, err)
	names := resp.Properties.Get("names").AsArray()
	require.Equal(t, 4, names.Len())
	assert.Equal(t, "us-west-2c", names.Get(2).AsString())
	assert.Equal(t, "usw2-az3", resp.Properties.Get("zoneIds").AsArray().Get(2).AsString())
}
