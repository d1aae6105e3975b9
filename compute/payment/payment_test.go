package payment

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeDynamo behaves like DynamoDB for the two calls the function makes,
// including the conditional-write failure on an existing key.
type fakeDynamo struct {
	mu     sync.Mutex
	items  map[string]map[string]types.AttributeValue
	putErr error
	getErr error
	// lostReply stores the item, then fails as a lost response would.
	lostReply error
	puts      int
	lastPut   *dynamodb.PutItemInput
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
	if f.lostReply != nil {
		return nil, f.lostReply
	}
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

// fakeS3 honours If-None-Match: * as S3 does: 412 PreconditionFailed when
// the key exists.
type fakeS3 struct {
	mu      sync.Mutex
	objects map[string][]byte
	err     error
	// lostReply stores the object, then fails as a lost response would.
	lostReply error
	puts      int
}

func (f *fakeS3) PutObject(ctx context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.puts++
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f.err != nil {
		return nil, f.err
	}
	if in.IfNoneMatch == nil || *in.IfNoneMatch != "*" {
		return nil, errors.New("audit records must be written with a conditional create")
	}
	if in.ChecksumAlgorithm == "" {
		return nil, errors.New("InvalidRequest: Content-MD5 or x-amz-checksum is required for objects in a bucket with Object Lock")
	}
	key := *in.Bucket + "/" + *in.Key
	if _, ok := f.objects[key]; ok {
		return nil, &smithy.GenericAPIError{Code: "PreconditionFailed", Message: "At least one of the pre-conditions you specified did not hold"}
	}
	body, _ := io.ReadAll(in.Body)
	if f.objects == nil {
		f.objects = map[string][]byte{}
	}
	f.objects[key] = body
	if f.lostReply != nil {
		return nil, f.lostReply
	}
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

// handle runs one request and checks the contract between the response and
// the returned error: a 5xx always comes with an error wrapping
// ErrPaymentFailed (what Lambda counts in Errors), anything else never does.
func (h *harness) handle(t testing.TB, body string) Response {
	t.Helper()
	resp, err := h.p.Handle(context.Background(), []byte(body))
	if resp.StatusCode >= 500 {
		require.ErrorIs(t, err, ErrPaymentFailed)
	} else {
		require.NoError(t, err)
	}
	return resp
}

// withField returns validBody with one field replaced by a raw JSON value.
func withField(field, raw string) string {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(validBody), &m); err != nil {
		panic(err)
	}
	m[field] = json.RawMessage(raw)
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// Test card numbers of the networks' published test ranges (all Luhn-valid).
const (
	visa16     = "4111111111111111"
	mastercard = "5555555555554444"
	amex15     = "378282246310005"
	visa13     = "4222222222222"
	visa19     = "4111111111111111110" // 19 digits, Luhn-valid
)

func TestBadRequestsAreRefusedAndWriteNothing(t *testing.T) {
	long := strings.Repeat("k", 129)
	cases := []struct {
		name, body, field string
	}{
		{"not json", `amount=5`, "body"},
		{"json array", `[1,2]`, "body"},
		{"json null", `null`, "body"},
		{"two json values", validBody + validBody, "body"},
		{"empty object", `{}`, "idempotencyKey"},
		{"missing idempotency key", `{"merchantId":"m_42","amount":1,"currency":"EUR"}`, "idempotencyKey"},
		{"empty idempotency key", withField("idempotencyKey", `""`), "idempotencyKey"},
		{"short idempotency key", withField("idempotencyKey", `"abc"`), "idempotencyKey"},
		{"idempotency key too long", withField("idempotencyKey", `"`+long+`"`), "idempotencyKey"},
		{"idempotency key with spaces", withField("idempotencyKey", `"order 1234 x"`), "idempotencyKey"},
		{"idempotency key of wrong type", withField("idempotencyKey", `12345678`), "body"},
		{"missing merchant", `{"idempotencyKey":"key-12345","amount":1,"currency":"EUR"}`, "merchantId"},
		{"merchant with slash", withField("merchantId", `"m/42"`), "merchantId"},
		{"zero amount", withField("amount", `0`), "amount"},
		{"negative amount", withField("amount", `-100`), "amount"},
		{"fractional amount", withField("amount", `19.99`), "body"},
		{"amount as string", withField("amount", `"1999"`), "body"},
		{"amount above the maximum", withField("amount", `1000000001`), "amount"},
		{"amount beyond int64", withField("amount", `99999999999999999999`), "body"},
		{"missing currency", `{"idempotencyKey":"key-12345","merchantId":"m_42","amount":100}`, "currency"},
		{"lowercase currency", withField("currency", `"eur"`), "currency"},
		{"unknown currency", withField("currency", `"XYZ"`), "currency"},
		{"currency of wrong type", withField("currency", `978`), "body"},
		{"reference too long", withField("reference", `"`+strings.Repeat("r", 257)+`"`), "reference"},
		{"reference of wrong type", withField("reference", `{"order":1}`), "body"},
		{"unknown field", withField("tip", `5`), "body"},
		// Card data, by field name or by value, in any field.
		{"cardNumber field", withField("cardNumber", `"`+visa16+`"`), "cardNumber"},
		{"PAN field", withField("PAN", `"`+visa16+`"`), "PAN"},
		{"cvv field", withField("cvv", `"123"`), "cvv"},
		{"card_expiry field", withField("card_expiry", `"12/29"`), "card_expiry"},
		{"card number in reference", withField("reference", `"card 4111 1111 1111 1111"`), "reference"},
		{"card number after another number", withField("reference", `"order 7 `+visa16+`"`), "reference"},
		{"dashed card number before a year", withField("reference", `"4111-1111-1111-1111 2024"`), "reference"},
		{"dotted card number", withField("reference", `"4111.1111.1111.1111"`), "reference"},
		{"card number as the idempotency key", withField("idempotencyKey", `"`+visa16+`"`), "idempotencyKey"},
		{"dashed card number as the merchant", withField("merchantId", `"5555-5555-5555-4444"`), "merchantId"},
		{"card number as the currency", withField("currency", `"`+visa16+`"`), "currency"},
		{"card number as the amount", withField("amount", visa16), "amount"},
		{"card number as an unknown field's name", withField(visa16, `1`), "body"},
		{"card number in an unknown field's value", withField("note", `"`+amex15+`"`), "note"},
		{"card number nested in an unknown object", withField("extra", `{"a":["x `+mastercard+`"]}`), "extra"},
	}
	require.GreaterOrEqual(t, len(cases), 20)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness()
			resp := h.handle(t, tc.body)
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
			assert.True(t, strings.HasPrefix(resp.Error, tc.field+":"), "error %q should name %s", resp.Error, tc.field)
			assert.Zero(t, h.dynamo.puts, "nothing is written for a bad request")
			assert.Zero(t, h.s3.puts)
			for _, pan := range []string{"4111", "5555", "378282", "4222222"} {
				assert.NotContains(t, resp.Error, pan, "the response never echoes card data")
				assert.NotContains(t, h.logs.String(), pan, "card data never reaches the logs")
			}
		})
	}
}

func TestCardNumberDetection(t *testing.T) {
	cards := []string{
		visa16, mastercard, amex15, visa13, visa19,
		"4111 1111 1111 1111",
		"4111-1111-1111-1111",
		"4111.1111.1111.1111",
		"4111 - 1111 - 1111 - 1111",
		"3782 822463 10005",
		"order 7 " + visa16,
		"4111-1111-1111-1111 2024",
		"ref:" + visa16 + ";",
		"12 " + mastercard + " 34",
		"x" + visa13 + "y",
	}
	for _, s := range cards {
		assert.True(t, ContainsCardNumber(s), "%q holds a card number", s)
	}
	notCards := []string{
		"order 1234567890123456",      // 16 digits, Luhn-invalid
		"4111111111111112",            // one digit off a test card
		"4111-1111-1111-1112",         // grouped, Luhn-invalid
		"411111111111",                // 12 digits: too short to be a card
		"41111111111111111111",        // 20 digits in one group: too long
		"2026-03-14 10:00:00",         // a timestamp
		"invoice 2024/0001/0042",      // slashes do not join groups
		"4111    1111 1111 1111",      // four spaces: not one number
		"+44 20 7946 0958",            // a phone number
		"amount 1999 EUR, order 1234", // ordinary digits
		"",
	}
	for _, s := range notCards {
		assert.False(t, ContainsCardNumber(s), "%q holds no card number", s)
	}
}

func TestLuhnInvalidLookAlikesAreAccepted(t *testing.T) {
	for _, ref := range []string{"order 1234567890123456", "4111-1111-1111-1112", "2026-03-14 10:00:00"} {
		h := newHarness()
		resp := h.handle(t, withField("reference", `"`+ref+`"`))
		assert.Equal(t, http.StatusCreated, resp.StatusCode, "%q: %s", ref, resp.Error)
	}
}

func TestRecordsTransactionAndAudit(t *testing.T) {
	h := newHarness()
	resp := h.handle(t, validBody)
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
	assert.JSONEq(t, `{"event":"payment.accepted","environment":"dev","transaction":{
		"transactionId":"`+resp.TransactionID+`","idempotencyKey":"order-1234-attempt","merchantId":"merchant_42",
		"amount":1999,"currency":"EUR","reference":"order 1234","status":"ACCEPTED","createdAt":"2026-03-14T09:26:53Z"}}`,
		string(h.s3.objects[key]))
}

func TestRetryReplaysInsteadOfChargingTwice(t *testing.T) {
	h := newHarness()
	first := h.handle(t, validBody)
	require.Equal(t, http.StatusCreated, first.StatusCode)
	h.p.Now = func() time.Time { return fixedNow.Add(26 * time.Hour) } // a retry the next day
	second := h.handle(t, validBody)
	assert.Equal(t, http.StatusOK, second.StatusCode)
	assert.True(t, second.Replayed)
	assert.Equal(t, first.TransactionID, second.TransactionID)
	assert.Len(t, h.dynamo.items, 1, "one transaction, however often it is retried")
	assert.Len(t, h.s3.objects, 1, "one audit record, under the day the transaction was created")
}

func TestSameKeyDifferentMerchantIsADifferentPayment(t *testing.T) {
	h := newHarness()
	other := strings.Replace(validBody, "merchant_42", "merchant_43", 1)
	a := h.handle(t, validBody)
	b := h.handle(t, other)
	assert.Equal(t, http.StatusCreated, a.StatusCode)
	assert.Equal(t, http.StatusCreated, b.StatusCode)
	assert.NotEqual(t, a.TransactionID, b.TransactionID)
}

func TestConflictingRetryIsRefused(t *testing.T) {
	for _, tc := range []struct{ field, raw string }{
		{"amount", `2999`},
		{"currency", `"USD"`},
		{"reference", `"order 9999"`},
	} {
		t.Run(tc.field, func(t *testing.T) {
			h := newHarness()
			require.Equal(t, http.StatusCreated, h.handle(t, validBody).StatusCode)
			resp := h.handle(t, withField(tc.field, tc.raw))
			assert.Equal(t, http.StatusConflict, resp.StatusCode)
			assert.Contains(t, resp.Error, "idempotency key already used")
			item := h.dynamo.items[resp.TransactionID]
			assert.Equal(t, "1999", item["amount"].(*types.AttributeValueMemberN).Value, "the stored payment is unchanged")
			assert.Equal(t, "order 1234", item["reference"].(*types.AttributeValueMemberS).Value)
			assert.Len(t, h.s3.objects, 1)
		})
	}
	t.Run("reference dropped", func(t *testing.T) {
		h := newHarness()
		require.Equal(t, http.StatusCreated, h.handle(t, validBody).StatusCode)
		noRef := `{"idempotencyKey":"order-1234-attempt","merchantId":"merchant_42","amount":1999,"currency":"EUR"}`
		assert.Equal(t, http.StatusConflict, h.handle(t, noRef).StatusCode)
	})
}

// TestEveryAcceptedPaymentIsAuditedWhateverFails injects a failure at each
// step of a payment, retries once with the same request, and checks that the
// table and the bucket end up exactly as after a clean run: one item, one
// audit record, byte for byte the same.
func TestEveryAcceptedPaymentIsAuditedWhateverFails(t *testing.T) {
	clean := newHarness()
	require.Equal(t, http.StatusCreated, clean.handle(t, validBody).StatusCode)
	require.Len(t, clean.s3.objects, 1)

	throttled := errors.New("ProvisionedThroughputExceededException")
	cases := []struct {
		name string
		// inject sets up the fault for the first attempt; heal removes it.
		inject, heal func(h *harness)
		// ctx is the first attempt's context (a timeout between the writes).
		ctx        func() (context.Context, context.CancelFunc)
		step       string
		retryCode  int
		firstItems int // items stored after the failed first attempt
	}{
		{
			name:   "table write fails",
			inject: func(h *harness) { h.dynamo.putErr = throttled }, heal: func(h *harness) { h.dynamo.putErr = nil },
			step: "record transaction", retryCode: http.StatusCreated, firstItems: 0,
		},
		{
			name:   "table write stored but its reply lost",
			inject: func(h *harness) { h.dynamo.lostReply = errors.New("RequestTimeout") }, heal: func(h *harness) { h.dynamo.lostReply = nil },
			step: "record transaction", retryCode: http.StatusOK, firstItems: 1,
		},
		{
			name: "replay read fails",
			inject: func(h *harness) {
				h.dynamo.lostReply = errors.New("RequestTimeout")
				h.dynamo.getErr = errors.New("InternalServerError")
			},
			heal: func(h *harness) { h.dynamo.lostReply = nil; h.dynamo.getErr = nil },
			step: "record transaction", retryCode: http.StatusOK, firstItems: 1,
		},
		{
			name:   "audit write fails",
			inject: func(h *harness) { h.s3.err = errors.New("SlowDown") }, heal: func(h *harness) { h.s3.err = nil },
			step: "write audit record", retryCode: http.StatusOK, firstItems: 1,
		},
		{
			name:   "audit write stored but its reply lost",
			inject: func(h *harness) { h.s3.lostReply = errors.New("RequestTimeout") }, heal: func(h *harness) { h.s3.lostReply = nil },
			step: "write audit record", retryCode: http.StatusOK, firstItems: 1,
		},
		{
			name: "timeout between the table write and the audit write",
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
			},
			step: "write audit record", retryCode: http.StatusOK, firstItems: 1,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness()
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tc.ctx != nil {
				ctx, cancel = tc.ctx()
			}
			defer cancel()
			if tc.inject != nil {
				tc.inject(h)
			}
			// The fake table ignores the context, as a write already on the
			// wire completes; the audit write then finds the deadline passed.
			first, err := h.p.Handle(ctx, []byte(validBody))
			require.ErrorIs(t, err, ErrPaymentFailed, "a failed payment is a function error, counted by the Errors alarm")
			assert.Equal(t, http.StatusInternalServerError, first.StatusCode)
			assert.Contains(t, first.Error, tc.step+" failed")
			assert.Len(t, h.dynamo.items, tc.firstItems)
			assert.Regexp(t, `"msg":"payment failed","transactionId":"txn_[0-9a-f]{32}","merchantId":"merchant_42","step":"`+tc.step+`"`, h.logs.String())
			if tc.heal != nil {
				tc.heal(h)
			}

			retry := h.handle(t, validBody)
			assert.Equal(t, tc.retryCode, retry.StatusCode, retry.Error)
			assert.Equal(t, clean.dynamo.items, h.dynamo.items, "the table holds what a clean run writes")
			assert.Equal(t, clean.s3.objects, h.s3.objects, "exactly one audit record, identical to a clean run's")

			again := h.handle(t, validBody)
			assert.Equal(t, http.StatusOK, again.StatusCode)
			assert.Equal(t, clean.s3.objects, h.s3.objects, "a further replay overwrites nothing")
		})
	}
}

// TestLambdaCountsFailedPaymentsAsErrors goes through the Lambda runtime's
// own handler adapter, the code that decides whether an invocation is a
// function error (what the Errors metric and its alarm count).
func TestLambdaCountsFailedPaymentsAsErrors(t *testing.T) {
	h := newHarness()
	handler := lambda.NewHandler(func(ctx context.Context, event json.RawMessage) (Response, error) {
		return h.p.Handle(ctx, event)
	})

	h.dynamo.putErr = errors.New("ProvisionedThroughputExceededException")
	_, err := handler.Invoke(context.Background(), []byte(validBody))
	require.Error(t, err, "a storage failure is a function error")
	assert.Contains(t, err.Error(), "record transaction failed")
	assert.NotContains(t, err.Error(), "ProvisionedThroughput", "the cause stays in the log")

	h.dynamo.putErr = nil
	out, err := handler.Invoke(context.Background(), []byte(validBody))
	require.NoError(t, err)
	assert.Contains(t, string(out), `"statusCode":201`)

	out, err = handler.Invoke(context.Background(), []byte(withField("amount", `0`)))
	require.NoError(t, err, "a bad request is the caller's error, not a function error")
	assert.Contains(t, string(out), `"statusCode":400`)
}

func TestLogsAreStructuredJSON(t *testing.T) {
	h := newHarness()
	h.handle(t, validBody)
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

// The function's IAM grants come from workload's lists; the client
// interfaces are what the code can call. Each method is one IAM action of the
// same name, so the two must be the same set.
func TestClientsCallExactlyTheGrantedActions(t *testing.T) {
	methods := func(prefix string, typ reflect.Type) []string {
		var out []string
		for i := range typ.NumMethod() {
			out = append(out, prefix+typ.Method(i).Name)
		}
		return out
	}
	assert.ElementsMatch(t, DynamoDBActions, methods("dynamodb:", reflect.TypeFor[DynamoDBAPI]()))
	assert.ElementsMatch(t, S3Actions, methods("s3:", reflect.TypeFor[S3API]()))
}
