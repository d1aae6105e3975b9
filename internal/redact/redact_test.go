package redact

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRedactsSecretsAtAnyDepth(t *testing.T) {
	secret := map[string]any{sigKey: secretSig, "ciphertext": "c2VjcmV0"}
	in := map[string]any{
		"name":     "audit-logs-prod-pay01",
		"password": secret,
		"nested":   map[string]any{"list": []any{"a", secret}},
	}
	got := Map(in)
	assert.Equal(t, map[string]any{
		"name":     "audit-logs-prod-pay01",
		"password": Marker,
		"nested":   map[string]any{"list": []any{"a", Marker}},
	}, got)
	assert.Equal(t, secret, in["password"], "the input is not modified")
}

func TestAssetsAreNotSecrets(t *testing.T) {
	asset := map[string]any{sigKey: "0def7320c3a5731c473e5ecbe6d01bc7", "hash": "abc", "path": "dist/payment.zip"}
	assert.Equal(t, asset, Value(asset))
}
