package payment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"time"
)

// Transaction is what the table holds for one payment.
type Transaction struct {
	TransactionID  string `json:"transactionId" dynamodbav:"transactionId"`
	IdempotencyKey string `json:"idempotencyKey" dynamodbav:"idempotencyKey"`
	MerchantID     string `json:"merchantId" dynamodbav:"merchantId"`
	Amount         int64  `json:"amount" dynamodbav:"amount"`
	Currency       string `json:"currency" dynamodbav:"currency"`
	Reference      string `json:"reference,omitempty" dynamodbav:"reference,omitempty"`
	Status         string `json:"status" dynamodbav:"status"`
	CreatedAt      string `json:"createdAt" dynamodbav:"createdAt"`
}

// StatusAccepted is the status of a recorded payment awaiting settlement.
const StatusAccepted = "ACCEPTED"

// Transactions records transactions exactly once.
type Transactions interface {
	// Create stores t unless a transaction with the same id exists, in which
	// case it returns the stored one and created=false.
	Create(ctx context.Context, t Transaction) (stored Transaction, created bool, err error)
}

// AuditLog stores audit records, each written once.
type AuditLog interface {
	// Create writes body under key unless an object exists there already
	// (a conditional create), and reports whether it wrote. An existing
	// record is never overwritten.
	Create(ctx context.Context, key string, body []byte) (created bool, err error)
}

// Response is what the function returns: an HTTP-style status so callers
// can tell a bad request (4xx, do not retry) from a failure (5xx, retry with
// the same idempotency key).
type Response struct {
	StatusCode    int    `json:"statusCode"`
	TransactionID string `json:"transactionId,omitempty"`
	Status        string `json:"status,omitempty"`
	Replayed      bool   `json:"replayed,omitempty"`
	Error         string `json:"error,omitempty"`
}

// Processor handles payment requests.
type Processor struct {
	Transactions Transactions
	Audit        AuditLog
	AuditPrefix  string
	Environment  string
	Log          *slog.Logger
	Now          func() time.Time
}

// TransactionID derives the table key from the merchant and its idempotency
// key, so the conditional write on the key is what enforces idempotency.
func TransactionID(merchantID, idempotencyKey string) string {
	sum := sha256.Sum256([]byte(merchantID + "\x00" + idempotencyKey))
	return "txn_" + hex.EncodeToString(sum[:16])
}

// ErrPaymentFailed is returned, wrapped, when a payment could not be
// completed because a dependency (the table, the audit bucket) failed. The
// Lambda runtime reports a returned error as a function error, which is what
// the Errors alarm counts; the caller retries with the same idempotency key.
var ErrPaymentFailed = errors.New("payment failed")

// Handle processes one raw request. A bad request is a 4xx response and no
// error: retrying it cannot help, and it is the caller's fault, not ours. A
// failed dependency is a 5xx response and an error wrapping ErrPaymentFailed.
func (p *Processor) Handle(ctx context.Context, body []byte) (Response, error) {
	req, err := Decode(body)
	if err != nil {
		var verr *ValidationError
		if errors.As(err, &verr) {
			p.Log.WarnContext(ctx, "payment rejected", "field", verr.Field, "reason", verr.Reason)
			return Response{StatusCode: http.StatusBadRequest, Error: verr.Error()}, nil
		}
		return p.fail(ctx, p.Log, "decode", err)
	}
	return p.Process(ctx, req)
}

// Process records a validated request and makes sure its audit record
// exists. Every attempt, first or replay, ends with both the transaction and
// its audit record stored, or with an error: a transaction whose audit write
// failed, or whose function died between the two writes, gets its record
// on the retry.
func (p *Processor) Process(ctx context.Context, req Request) (Response, error) {
	if problem := req.problem(); problem != "" {
		// The caller's mistake, not a failed payment: no function error.
		return Response{StatusCode: http.StatusBadRequest, Error: problem}, nil
	}
	txn := Transaction{
		TransactionID:  TransactionID(req.MerchantID, req.IdempotencyKey),
		IdempotencyKey: req.IdempotencyKey,
		MerchantID:     req.MerchantID,
		Amount:         req.Amount,
		Currency:       req.Currency,
		Reference:      req.Reference,
		Status:         StatusAccepted,
		CreatedAt:      p.Now().UTC().Format(time.RFC3339Nano),
	}
	log := p.Log.With("transactionId", txn.TransactionID, "merchantId", txn.MerchantID)

	stored, created, err := p.Transactions.Create(ctx, txn)
	if err != nil {
		return p.fail(ctx, log, "record transaction", err)
	}
	if !created && !samePayment(stored, txn) {
		log.WarnContext(ctx, "idempotency conflict", "storedAmount", stored.Amount, "requestAmount", txn.Amount)
		return Response{StatusCode: http.StatusConflict, TransactionID: stored.TransactionID, Error: ErrConflict.Error()}, nil
	}

	// The record is built from the stored transaction alone, so a replay
	// writes exactly what the first attempt would have written, and its key
	// is the same.
	key, record, err := AuditRecord(p.AuditPrefix, p.Environment, stored)
	if err != nil {
		return p.fail(ctx, log, "encode audit record", err)
	}
	wrote, err := p.Audit.Create(ctx, key, record)
	if err != nil {
		return p.fail(ctx, log, "write audit record", err)
	}
	if !created {
		log.InfoContext(ctx, "payment replayed", "status", stored.Status, "auditRecordWritten", wrote)
		return Response{StatusCode: http.StatusOK, TransactionID: stored.TransactionID, Status: stored.Status, Replayed: true}, nil
	}
	log.InfoContext(ctx, "payment accepted", "amount", txn.Amount, "currency", txn.Currency)
	return Response{StatusCode: http.StatusCreated, TransactionID: txn.TransactionID, Status: txn.Status}, nil
}

// samePayment reports whether a stored transaction is the one a retried
// request asks for. The id already binds merchant and idempotency key; every
// other field the caller sends must match too.
func samePayment(stored, req Transaction) bool {
	return stored.MerchantID == req.MerchantID && stored.IdempotencyKey == req.IdempotencyKey &&
		stored.Amount == req.Amount && stored.Currency == req.Currency && stored.Reference == req.Reference
}

type auditRecord struct {
	Event       string      `json:"event"`
	Environment string      `json:"environment"`
	Transaction Transaction `json:"transaction"`
}

// AuditRecord is the key and body of a transaction's audit record: the key
// is partitioned by the day the transaction was created and ends in its id,
// so one transaction has exactly one place for its record.
func AuditRecord(prefix, environment string, t Transaction) (key string, body []byte, err error) {
	created, err := time.Parse(time.RFC3339Nano, t.CreatedAt)
	if err != nil {
		return "", nil, fmt.Errorf("transaction %s: createdAt %q: %w", t.TransactionID, t.CreatedAt, err)
	}
	body, err = json.Marshal(auditRecord{Event: "payment.accepted", Environment: environment, Transaction: t})
	if err != nil {
		return "", nil, err
	}
	return prefix + path.Join(created.UTC().Format("2006/01/02"), t.TransactionID+".json"), body, nil
}

func (p *Processor) fail(ctx context.Context, log *slog.Logger, step string, err error) (Response, error) {
	log.ErrorContext(ctx, FailureLogMessage, "step", step, "error", err.Error())
	return Response{StatusCode: http.StatusInternalServerError, Error: fmt.Sprintf("%s failed; retry with the same idempotency key", step)},
		// The cause stays in the log; the caller learns only which step to retry.
		fmt.Errorf("%w: %s failed; retry with the same idempotency key", ErrPaymentFailed, step)
}

// FailureLogMessage is the msg of the log line every failed payment writes,
// with the transaction, the step and the error; the Errors alarm's
// description gives the Logs Insights query that finds it.
const FailureLogMessage = "payment failed"
