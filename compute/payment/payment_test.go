package payment

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeDynamo behaves like DynamoDB for the two calls the function makes,
// including the conditional-write failure on an existing key.
type fakeDynamo struct {
	mu      sync.Mutex
	items   map[string]map[string]types.AttributeValue
	putErr  error
	getErr  error
	puts    int
	lastPut *dynamodb.PutItemInput
}

func newFakeDynamo() *fakeDynamo {
	return &fakeDynamo{items: map[string]map[string]types.AttributeValue{}}
}

func (f *fakeDynamo) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.puts++
	f.lastPut = in
	if f.putErr != nil {
		return nil, f.putErr
	}
	key := in.Item["transactionId"].(*types.AttributeValueMemberS).Value
	if *in.ConditionExpression != "attribute_not_exists(transactionId)" {
		return nil, errors.New("unexpected condition " + *in.ConditionExpression)
	}
	if _, ok := f.items[key]; ok {
		return nil, &types.ConditionalCheckFailedException{Message: strPtr("The conditional request failed")}
	}
	f.items[key] = in.Item
	return &dynamodb.PutItemOutput{}, nil
}

func (f *fakeDynamo) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.getErr != nil {
		return nil, f.getErr
	}
	if in.ConsistentRead == nil || !*in.ConsistentRead {
		return nil, errors.New("replays must read consistently")
	}
	key := in.Key["transactionId"].(*types.AttributeValueMemberS).Value
	return &dynamodb.GetItemOutput{Item: f.items[key]}, nil
}

type fakeS3 struct {
	mu      sync.Mutex
	objects map[string][]byte
	err     error
}

func (f *fakeS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	body, _ := io.ReadAll(in.Body)
	if f.objects == nil {
		f.objects = map[string][]byte{}
	}
	f.objects[*in.Bucket+"/"+*in.Key] = body
	return &s3.PutObjectOutput{}, nil
}

func strPtr(s string) *string { return &s }

type harness struct {
	p      *Processor
	dynamo *fakeDynamo
	s3     *fakeS3
	logs   *bytes.Buffer
}

var fixedNow = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

func newHarness() *harness {
	h := &harness{dynamo: newFakeDynamo(), s3: &fakeS3{}, logs: &bytes.Buffer{}}
	h.p = &Processor{
		Transactions: &Table{Client: h.dynamo, Name: "transactions-dev-pay01"},
		Audit:        &Bucket{Client: h.s3, Name: "audit-logs-dev-pay01"},
		AuditPrefix:  "audit/",
		Environment:  "dev",
		Log:          slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{ReplaceAttr: dropTime})),
		Now:          func() time.Time { return fixedNow },
	}
	return h
}

// dropTime removes the wall-clock timestamp from test logs, so that assertions
// about what a log line must not contain (card digits) cannot match the time.
func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

const validBody = `{"idempotencyKey":"order-1234-attempt","merchantId":"merchant_42","amount":1999,"currency":"EUR","reference":"order 1234"}`

func TestValidation(t *testing.T) {
	cases := []struct {
		name, body, field string
	}{
		{"not json", `amount=5`, "body"},
		{"missing idempotency key", `{"merchantId":"m_42","amount":1,"currency":"EUR"}`, "idempotencyKey"},
		{"short idempotency key", `{"idempotencyKey":"abc","merchantId":"m_42","amount":1,"currency":"EUR"}`, "idempotencyKey"},
		{"missing merchant", `{"idempotencyKey":"key-12345","amount":1,"currency":"EUR"}`, "merchantId"},
		{"zero amount", `{"idempotencyKey":"key-12345","merchantId":"m_42","amount":0,"currency":"EUR"}`, "amount"},
		{"negative amount", `{"idempotencyKey":"key-12345","merchantId":"m_42","amount":-100,"currency":"EUR"}`, "amount"},
		{"fractional amount", `{"idempotencyKey":"key-12345","merchantId":"m_42","amount":19.99,"currency":"EUR"}`, "body"},
		{"huge amount", `{"idempotencyKey":"key-12345","merchantId":"m_42","amount":1000000001,"currency":"EUR"}`, "amount"},
		{"lowercase currency", `{"idempotencyKey":"key-12345","merchantId":"m_42","amount":100,"currency":"eur"}`, "currency"},
		{"unknown currency", `{"idempotencyKey":"key-12345","merchantId":"m_42","amount":100,"currency":"XYZ"}`, "currency"},
		{"unknown field", `{"idempotencyKey":"key-12345","merchantId":"m_42","amount":100,"currency":"EUR","tip":5}`, "body"},
		{"card number field", `{"idempotencyKey":"key-12345","merchantId":"m_42","amount":100,"currency":"EUR","cardNumber":"4111111111111111"}`, "cardNumber"},
		{"pan field", `{"idempotencyKey":"key-12345","merchantId":"m_42","amount":100,"currency":"EUR","PAN":"4111111111111111"}`, "PAN"},
		{"card number in reference", `{"idempotencyKey":"key-12345","merchantId":"m_42","amount":100,"currency":"EUR","reference":"card 4111 1111 1111 1111"}`, "reference"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness()
			resp := h.p.Handle(context.Background(), []byte(tc.body))
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
			assert.True(t, strings.HasPrefix(resp.Error, tc.field+":"), "error %q should name %s", resp.Error, tc.field)
			assert.Zero(t, h.dynamo.puts, "nothing is written for a bad request")
			assert.Empty(t, h.s3.objects)
			assert.NotContains(t, h.logs.String(), "4111", "card data never reaches the logs")
		})
	}
}

func TestNonCardDigitsInReferenceAreFine(t *testing.T) {
	h := newHarness()
	// 16 digits failing the Luhn check: an order number, not a card.
	body := `{"idempotencyKey":"key-12345","merchantId":"m_42","amount":100,"currency":"JPY","reference":"order 1234567890123456"}`
	assert.Equal(t, http.StatusCreated, h.p.Handle(context.Background(), []byte(body)).StatusCode)
}

func TestRecordsTransactionAndAudit(t *testing.T) {
	h := newHarness()
	resp := h.p.Handle(context.Background(), []byte(validBody))
	require.Equal(t, http.StatusCreated, resp.StatusCode, resp.Error)
	assert.Equal(t, StatusAccepted, resp.Status)
	assert.Regexp(t, `^txn_[0-9a-f]{32}$`, resp.TransactionID)

	require.Len(t, h.dynamo.items, 1)
	item := h.dynamo.items[resp.TransactionID]
	assert.Equal(t, "merchant_42", item["merchantId"].(*types.AttributeValueMemberS).Value)
	assert.Equal(t, "1999", item["amount"].(*types.AttributeValueMemberN).Value)
	assert.Equal(t, "2026-03-14T09:26:53Z", item["createdAt"].(*types.AttributeValueMemberS).Value, "createdAt feeds the merchant index")
	assert.Equal(t, "transactions-dev-pay01", *h.dynamo.lastPut.TableName)

	key := "audit-logs-dev-pay01/audit/2026/03/14/" + resp.TransactionID + ".json"
	require.Contains(t, h.s3.objects, key)
	var record map[string]any
	require.NoError(t, json.Unmarshal(h.s3.objects[key], &record))
	assert.Equal(t, "payment.accepted", record["event"])
	assert.Equal(t, "dev", record["environment"])
	assert.Equal(t, float64(1999), record["transaction"].(map[string]any)["amount"])
}

func TestRetryReplaysInsteadOfChargingTwice(t *testing.T) {
	h := newHarness()
	first := h.p.Handle(context.Background(), []byte(validBody))
	require.Equal(t, http.StatusCreated, first.StatusCode)
	second := h.p.Handle(context.Background(), []byte(validBody))
	assert.Equal(t, http.StatusOK, second.StatusCode)
	assert.True(t, second.Replayed)
	assert.Equal(t, first.TransactionID, second.TransactionID)
	assert.Len(t, h.dynamo.items, 1, "one transaction, however often it is retried")
	assert.Len(t, h.s3.objects, 1)
}

func TestSameKeyDifferentMerchantIsADifferentPayment(t *testing.T) {
	h := newHarness()
	other := strings.Replace(validBody, "merchant_42", "merchant_43", 1)
	a := h.p.Handle(context.Background(), []byte(validBody))
	b := h.p.Handle(context.Background(), []byte(other))
	assert.Equal(t, http.StatusCreated, a.StatusCode)
	assert.Equal(t, http.StatusCreated, b.StatusCode)
	assert.NotEqual(t, a.TransactionID, b.TransactionID)
}

func TestConflictingRetryIsRefused(t *testing.T) {
	h := newHarness()
	require.Equal(t, http.StatusCreated, h.p.Handle(context.Background(), []byte(validBody)).StatusCode)
	changed := strings.Replace(validBody, `"amount":1999`, `"amount":2999`, 1)
	resp := h.p.Handle(context.Background(), []byte(changed))
	assert.Equal(t, http.StatusConflict, resp.StatusCode)
	assert.Contains(t, resp.Error, "idempotency key already used")
	item := h.dynamo.items[resp.TransactionID]
	assert.Equal(t, "1999", item["amount"].(*types.AttributeValueMemberN).Value, "the stored payment is unchanged")
}

func TestStorageErrorsAreSurfaced(t *testing.T) {
	t.Run("put fails", func(t *testing.T) {
		h := newHarness()
		h.dynamo.putErr = errors.New("ProvisionedThroughputExceededException")
		resp := h.p.Handle(context.Background(), []byte(validBody))
		assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
		assert.Contains(t, resp.Error, "record transaction failed; retry with the same idempotency key")
		assert.Contains(t, h.logs.String(), "ProvisionedThroughputExceededException")
		assert.Empty(t, h.s3.objects)
	})
	t.Run("replay read fails", func(t *testing.T) {
		h := newHarness()
		require.Equal(t, http.StatusCreated, h.p.Handle(context.Background(), []byte(validBody)).StatusCode)
		h.dynamo.getErr = errors.New("InternalServerError")
		assert.Equal(t, http.StatusInternalServerError, h.p.Handle(context.Background(), []byte(validBody)).StatusCode)
	})
	t.Run("audit write fails", func(t *testing.T) {
		h := newHarness()
		h.s3.err = errors.New("AccessDenied")
		resp := h.p.Handle(context.Background(), []byte(validBody))
		assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
		assert.Contains(t, resp.Error, "write audit record failed")
		assert.Contains(t, h.logs.String(), "AccessDenied")
	})
}

func TestLogsAreStructuredJSON(t *testing.T) {
	h := newHarness()
	h.p.Handle(context.Background(), []byte(validBody))
	lines := strings.Split(strings.TrimSpace(h.logs.String()), "\n")
	require.NotEmpty(t, lines)
	for _, line := range lines {
		var entry map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &entry), line)
		assert.Contains(t, entry, "level")
		assert.Contains(t, entry, "msg")
	}
	assert.Contains(t, h.logs.String(), `"transactionId":"txn_`)
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{EnvTableName: "t", EnvAuditBucket: "b", EnvAuditPrefix: "audit/", EnvEnvironment: "dev"}
	c, err := ConfigFromEnv(func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, Config{TableName: "t", AuditBucket: "b", AuditPrefix: "audit/", Environment: "dev"}, c)

	_, err = ConfigFromEnv(func(string) string { return "" })
	require.Error(t, err)
	assert.Equal(t, "missing environment variables: TABLE_NAME, AUDIT_BUCKET, AUDIT_PREFIX, ENVIRONMENT", err.Error())
}

func TestCurrencies(t *testing.T) {
	for _, ok := range []string{"USD", "EUR", "GBP", "JPY", "CHF", "ZWG"} {
		assert.True(t, IsCurrency(ok), ok)
	}
	for _, bad := range []string{"", "US", "usd", "XAU", "BTC", "EURO"} {
		assert.False(t, IsCurrency(bad), bad)
	}
}
