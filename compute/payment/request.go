package payment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
)

// Request is a payment request. Amount is in the currency's minor units
// (cents), so no floating point ever touches money.
type Request struct {
	IdempotencyKey string `json:"idempotencyKey"`
	MerchantID     string `json:"merchantId"`
	Amount         int64  `json:"amount"`
	Currency       string `json:"currency"`
	Reference      string `json:"reference,omitempty"`
}

// MaxAmount bounds a single payment (one billion minor units) to catch unit
// mistakes such as sending micro-units.
const MaxAmount = 1_000_000_000

var (
	merchantPattern    = regexp.MustCompile(`^[A-Za-z0-9_-]{3,64}$`)
	idempotencyPattern = regexp.MustCompile(`^[A-Za-z0-9_.:-]{8,128}$`)
)

// ValidationError is a client error: the request is wrong and retrying it
// unchanged will fail again.
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Reason) }

// Decode parses a request strictly. Card data is looked for first, in every
// key and value, so that no later message (an unknown field, an amount over
// the limit, an unknown currency) can echo a card number back or into a log.
// Then unknown fields, wrong types and each field's rules are checked.
func Decode(body []byte) (Request, error) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil || doc == nil {
		return Request{}, &ValidationError{Field: "body", Reason: "not a JSON object"}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Request{}, &ValidationError{Field: "body", Reason: "more than one JSON value"}
	}
	for _, key := range slices.Sorted(maps.Keys(doc)) {
		if isCardFieldName(key) && !ContainsCardNumber(key) {
			return Request{}, &ValidationError{Field: key, Reason: cardDataRefused}
		}
	}
	if field, found := findCardData(doc); found {
		return Request{}, &ValidationError{Field: field, Reason: "looks like a card number: " + cardDataRefused}
	}
	strict := json.NewDecoder(bytes.NewReader(body))
	strict.DisallowUnknownFields()
	var r Request
	if err := strict.Decode(&r); err != nil {
		return Request{}, &ValidationError{Field: "body", Reason: err.Error()}
	}
	return r, r.Validate()
}

const cardDataRefused = "card data must not be sent to this service; send the tokenised payment reference instead"

// problem is Validate's message, "" for a valid request.
func (r Request) problem() string {
	if err := r.Validate(); err != nil {
		return err.Error()
	}
	return ""
}

// Validate checks every field and returns the first problem.
func (r Request) Validate() error {
	for _, f := range []struct{ name, value string }{
		{"idempotencyKey", r.IdempotencyKey}, {"merchantId", r.MerchantID}, {"currency", r.Currency}, {"reference", r.Reference},
	} {
		if ContainsCardNumber(f.value) {
			return &ValidationError{Field: f.name, Reason: "looks like a card number: " + cardDataRefused}
		}
	}
	switch {
	case !idempotencyPattern.MatchString(r.IdempotencyKey):
		return &ValidationError{Field: "idempotencyKey", Reason: "required, 8-128 characters of letters, digits and _.:-"}
	case !merchantPattern.MatchString(r.MerchantID):
		return &ValidationError{Field: "merchantId", Reason: "required, 3-64 characters of letters, digits, _ and -"}
	case r.Amount <= 0:
		return &ValidationError{Field: "amount", Reason: fmt.Sprintf("%d: must be a positive whole number of minor units (cents)", r.Amount)}
	case r.Amount > MaxAmount:
		return &ValidationError{Field: "amount", Reason: fmt.Sprintf("%d: above the per-payment limit of %d minor units", r.Amount, MaxAmount)}
	case !IsCurrency(r.Currency):
		return &ValidationError{Field: "currency", Reason: fmt.Sprintf("%q: not an ISO 4217 currency code", r.Currency)}
	case len(r.Reference) > 256:
		return &ValidationError{Field: "reference", Reason: "at most 256 characters"}
	}
	return nil
}

// ErrConflict means an idempotency key was reused for a different payment.
var ErrConflict = errors.New("idempotency key already used for a different payment")
