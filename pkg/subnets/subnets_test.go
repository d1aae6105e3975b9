package subnets

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFor(t *testing.T) {
	cases := []struct {
		cidr            string
		public, private []string
	}{
		{"10.30.0.0/16", []string{"10.30.0.0/20", "10.30.16.0/20"}, []string{"10.30.64.0/18", "10.30.128.0/18"}},
		{"192.168.4.0/24", []string{"192.168.4.0/28", "192.168.4.16/28"}, []string{"192.168.4.64/26", "192.168.4.128/26"}},
	}
	for _, tc := range cases {
		plan, err := For(tc.cidr, 2)
		require.NoError(t, err)
		assert.Equal(t, tc.public, plan.Public, tc.cidr)
		assert.Equal(t, tc.private, plan.Private, tc.cidr)
	}
}

func TestForRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		cidr string
		azs  int
		want string
	}{
		{"10.0.0.0/25", 2, "smaller than /24"},
		{"10.0.0.1/16", 2, "not an IPv4 network"},
		{"fd00::/48", 2, "not an IPv4 network"},
		{"10.0.0.0/16", 4, "allowed 1-3"},
	} {
		_, err := For(tc.cidr, tc.azs)
		require.Error(t, err, tc.cidr)
		assert.Contains(t, err.Error(), tc.want)
	}
}
