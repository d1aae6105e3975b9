package redact

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/sig"

	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRedactsSecretsAtAnyDepth(t *testing.T) {
	secret := map[string]any{sig.Key: sig.Secret, "ciphertext": "c2VjcmV0"}
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
	asset := map[string]any{sig.Key: sig.ArchiveSig, "hash": "abc", "path": "dist/payment.zip"}
	assert.Equal(t, asset, Value(asset))
}
