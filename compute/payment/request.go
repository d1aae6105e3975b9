package payment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
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
	digitRun           = regexp.MustCompile(`\d[\d -]{11,}\d`)
)

// ValidationError is a client error: the request is wrong and retrying it
// unchanged will fail again.
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Reason) }

// Fields that would carry card data. A request that names one is refused
// outright, so card data can never reach a log, the table or the bucket.
var cardFields = []string{"card", "cardnumber", "pan", "cvv", "cvc", "expiry", "track"}

// Decode parses a request strictly: unknown fields and card data are refused.
func Decode(body []byte) (Request, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return Request{}, &ValidationError{Field: "body", Reason: "not a JSON object"}
	}
	for key := range raw {
		normalized := strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(key))
		for _, f := range cardFields {
			if strings.Contains(normalized, f) {
				return Request{}, &ValidationError{Field: key, Reason: "card data must not be sent to this service; send the tokenised payment reference instead"}
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var r Request
	if err := dec.Decode(&r); err != nil {
		return Request{}, &ValidationError{Field: "body", Reason: err.Error()}
	}
	return r, r.Validate()
}

// Validate checks every field and returns the first problem.
func (r Request) Validate() error {
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
	case looksLikeCardNumber(r.Reference):
		return &ValidationError{Field: "reference", Reason: "looks like a card number: card data must not be sent to this service"}
	}
	return nil
}

// looksLikeCardNumber finds a 13-19 digit run that passes the Luhn check.
func looksLikeCardNumber(s string) bool {
	for _, run := range digitRun.FindAllString(s, -1) {
		digits := strings.NewReplacer(" ", "", "-", "").Replace(run)
		if len(digits) >= 13 && len(digits) <= 19 && luhn(digits) {
			return true
		}
	}
	return false
}

func luhn(digits string) bool {
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// ErrConflict means an idempotency key was reused for a different payment.
var ErrConflict = errors.New("idempotency key already used for a different payment")
