package naming

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConvention(t *testing.T) {
	n := New("prod", "pay01")
	for kind, want := range map[string]string{"vpc": "vpc-prod-pay01", "transactions": "transactions-prod-pay01", "audit-logs": "audit-logs-prod-pay01"} {
		got, err := n.Name(S3Bucket, kind)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
}

func TestServiceLimits(t *testing.T) {
	cases := []struct {
		kind Kind
		max  int
	}{{S3Bucket, 63}, {IAMRole, 64}, {Lambda, 64}, {DynamoDB, 255}, {Alarm, 255}, {IAMPolicy, 128}}
	for _, tc := range cases {
		t.Run(tc.kind.Service, func(t *testing.T) {
			n := New("staging", "abcdefghijkl")
			// "-staging-abcdefghijkl" is 21 characters.
			fits := strings.Repeat("a", tc.max-21)
			name, err := n.Name(tc.kind, fits)
			require.NoError(t, err)
			assert.Len(t, name, tc.max)

			_, err = n.Name(tc.kind, fits+"b")
			require.Error(t, err)
			assert.Contains(t, err.Error(), "allowed at most")
			assert.Contains(t, err.Error(), tc.kind.Service)
		})
	}
}

func TestCharacterRules(t *testing.T) {
	err := S3Bucket.Check("Audit_Logs-prod-pay01")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "lowercase letters, digits and hyphens")

	_, err = New("dev", "pay01").Name(Lambda, "Payment Processor")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `resource type "Payment Processor"`)

	require.Error(t, Lambda.Check("payment.processor-dev-pay01"))
	require.Error(t, DynamoDB.Check("ab"))
}

func TestLogGroup(t *testing.T) {
	got, err := New("dev", "pay01").LogGroup("/aws/lambda/", "payment-processor-dev-pay01")
	require.NoError(t, err)
	assert.Equal(t, "/aws/lambda/payment-processor-dev-pay01", got)
}

func TestTheConventionOfAnEnvironment(t *testing.T) {
	c := Convention("prod", "pay01")
	for _, ok := range []string{"transactions-prod-pay01", "/aws/lambda/payment-processor-prod-pay01", "alias/payments-prod-pay01", "vpc-private-1-prod-pay01"} {
		assert.Regexp(t, c, ok)
	}
	for _, bad := range []string{"transactions-dev-pay01", "transactions-prod-pay02", "Transactions-prod-pay01", "prod-pay01", "transactions-prod-pay01-x", "transactions_prod_pay01"} {
		assert.NotRegexp(t, c, bad)
	}
}

func TestResourceTypeIsTheInverseOfName(t *testing.T) {
	n := New("prod", "pay01")
	name, err := n.Name(Lambda, "payment-processor")
	require.NoError(t, err)
	typ, ok := n.ResourceType(name)
	assert.True(t, ok)
	assert.Equal(t, "payment-processor", typ)
	for _, other := range []string{"payment-processor-dev-pay01", "payment-processor-prod-pay02", "-prod-pay01", "Payment-prod-pay01"} {
		_, ok := n.ResourceType(other)
		assert.False(t, ok, other)
	}
}

func TestAKindAComponentDeclares(t *testing.T) {
	queue := NewKind("SQS queue", 80, `^[A-Za-z0-9_-]+$`, "letters, digits, hyphens and underscores")
	name, err := New("dev", "pay01").Name(queue, "payment-queue")
	require.NoError(t, err)
	assert.Equal(t, "payment-queue-dev-pay01", name)
	_, err = New("dev", "pay01").Name(queue, strings.Repeat("q", 71)) // 81 characters with "-dev-pay01"
	require.ErrorContains(t, err, "SQS queue")
	err = queue.Check("payment.queue-dev-pay01")
	require.ErrorContains(t, err, "letters, digits, hyphens and underscores")
}
