package moto_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dynamotypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/compute/payment"
	"github.com/acmepay/platform/internal/moto"
)

// The payment function's own DynamoDB and S3 calls against moto: the
// conditional write that keeps a retried payment from being charged twice,
// and the conditional create of its audit record in a bucket with Object
// Lock (which requires a checksum on every write). The function's unit
// tests use in-memory fakes of the same interfaces; this is the answer of
// an implementation nobody here wrote.
func TestThePaymentFunctionsCallsAgainstMoto(t *testing.T) {
	ctx := context.Background()
	s := moto.Start(t, "123456789012")
	cfg := s.DefaultConfig()
	db := dynamodb.NewFromConfig(cfg)
	objects := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	const table, bucket = "transactions-dev-pay01", "audit-logs-dev-pay01"
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(table), BillingMode: dynamotypes.BillingModePayPerRequest,
		AttributeDefinitions: []dynamotypes.AttributeDefinition{{AttributeName: aws.String("transactionId"), AttributeType: dynamotypes.ScalarAttributeTypeS}},
		KeySchema:            []dynamotypes.KeySchemaElement{{AttributeName: aws.String("transactionId"), KeyType: dynamotypes.KeyTypeHash}}})
	require.NoError(t, err)
	_, err = objects.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket), ObjectLockEnabledForBucket: aws.Bool(true)})
	require.NoError(t, err)

	now := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	p := &payment.Processor{
		Transactions: &payment.Table{Client: db, Name: table}, Audit: &payment.Bucket{Client: objects, Name: bucket},
		AuditPrefix: "audit/", Environment: "dev", Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), Now: func() time.Time { return now },
	}
	req := payment.Request{IdempotencyKey: "order-1234-attempt", MerchantID: "merchant_42", Amount: 1999, Currency: "EUR", Reference: "order 1234"}
	first, err := p.Process(ctx, req)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, first.StatusCode, first.Error)
	now = now.Add(26 * time.Hour) // a retry the next day
	second, err := p.Process(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, second.StatusCode, second.Error)
	assert.True(t, second.Replayed, "the conditional write found the first one")
	assert.Equal(t, first.TransactionID, second.TransactionID)

	items, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table)})
	require.NoError(t, err)
	assert.Len(t, items.Items, 1, "one transaction, however often it is retried")
	listed, err := objects.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("audit/")})
	require.NoError(t, err)
	require.Len(t, listed.Contents, 1, "one audit record")
	assert.Equal(t, "audit/2026/03/14/"+first.TransactionID+".json", aws.ToString(listed.Contents[0].Key))

	// The audit record's conditional create: a second one of the same key
	// is refused by S3 (412), which the function counts as present.
	created, err := (&payment.Bucket{Client: objects, Name: bucket}).Create(ctx, aws.ToString(listed.Contents[0].Key), []byte(`{}`))
	require.NoError(t, err)
	assert.False(t, created, "an existing record is never overwritten")
	versions, err := objects.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String("audit/")})
	require.NoError(t, err)
	assert.Len(t, versions.Versions, 1, "no second version was written")
}
