// Package payment is the payment-processing function: it validates a payment
// request, records the transaction exactly once (a conditional write keyed on
// the merchant's idempotency key, so a retried request never charges twice),
// writes an audit record, and answers with an HTTP-style status. It never
// accepts or stores card data. Storage is reached through small interfaces so
// every path, including storage failures, is tested without AWS.
package payment
