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

// AuditLog stores audit records.
type AuditLog interface {
	Put(ctx context.Context, key string, body []byte) error
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

// Handle processes one raw request.
func (p *Processor) Handle(ctx context.Context, body []byte) Response {
	req, err := Decode(body)
	if err != nil {
		var verr *ValidationError
		if errors.As(err, &verr) {
			p.Log.WarnContext(ctx, "payment rejected", "field", verr.Field, "reason", verr.Reason)
			return Response{StatusCode: http.StatusBadRequest, Error: verr.Error()}
		}
		return p.fail(ctx, "decode", err)
	}
	return p.Process(ctx, req)
}

// Process records a validated request.
func (p *Processor) Process(ctx context.Context, req Request) Response {
	if err := req.Validate(); err != nil {
		return Response{StatusCode: http.StatusBadRequest, Error: err.Error()}
	}
	now := p.Now().UTC()
	txn := Transaction{
		TransactionID:  TransactionID(req.MerchantID, req.IdempotencyKey),
		IdempotencyKey: req.IdempotencyKey,
		MerchantID:     req.MerchantID,
		Amount:         req.Amount,
		Currency:       req.Currency,
		Reference:      req.Reference,
		Status:         StatusAccepted,
		CreatedAt:      now.Format(time.RFC3339Nano),
	}
	log := p.Log.With("transactionId", txn.TransactionID, "merchantId", txn.MerchantID)

	stored, created, err := p.Transactions.Create(ctx, txn)
	if err != nil {
		return p.fail(ctx, "record transaction", err)
	}
	if !created {
		if stored.Amount != txn.Amount || stored.Currency != txn.Currency || stored.MerchantID != txn.MerchantID {
			log.WarnContext(ctx, "idempotency conflict", "storedAmount", stored.Amount, "requestAmount", txn.Amount)
			return Response{StatusCode: http.StatusConflict, TransactionID: stored.TransactionID, Error: ErrConflict.Error()}
		}
		log.InfoContext(ctx, "payment replayed", "status", stored.Status)
		return Response{StatusCode: http.StatusOK, TransactionID: stored.TransactionID, Status: stored.Status, Replayed: true}
	}

	record, err := json.Marshal(auditRecord{
		Event: "payment.accepted", Environment: p.Environment, Transaction: txn, RecordedAt: now.Format(time.RFC3339Nano),
	})
	if err != nil {
		return p.fail(ctx, "encode audit record", err)
	}
	if err := p.Audit.Put(ctx, AuditKey(p.AuditPrefix, txn.TransactionID, now), record); err != nil {
		// The transaction stands; a retry with the same key replays it. The
		// 5xx makes the caller retry, and the alarm on errors makes us look.
		return p.fail(ctx, "write audit record", err)
	}
	log.InfoContext(ctx, "payment accepted", "amount", txn.Amount, "currency", txn.Currency)
	return Response{StatusCode: http.StatusCreated, TransactionID: txn.TransactionID, Status: txn.Status}
}

type auditRecord struct {
	Event       string      `json:"event"`
	Environment string      `json:"environment"`
	Transaction Transaction `json:"transaction"`
	RecordedAt  string      `json:"recordedAt"`
}

// AuditKey is where the audit record of a transaction goes: partitioned by
// day under the audit prefix.
func AuditKey(prefix, transactionID string, at time.Time) string {
	return prefix + path.Join(at.UTC().Format("2006/01/02"), transactionID+".json")
}

func (p *Processor) fail(ctx context.Context, step string, err error) Response {
	p.Log.ErrorContext(ctx, "payment failed", "step", step, "error", err.Error())
	return Response{StatusCode: http.StatusInternalServerError, Error: fmt.Sprintf("%s failed; retry with the same idempotency key", step)}
}
