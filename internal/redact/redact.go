// Package redact hides secret values in Pulumi state and engine events
// before they are written to a report, a manifest or a terminal.
package redact

import "github.com/pulumi/pulumi/sdk/v3/go/common/resource/sig"

// Marker replaces every secret value.
const Marker = "[secret]"

// Value returns v with every secret (at any depth) replaced by Marker. It
// never modifies v.
func Value(v any) any {
	switch t := v.(type) {
	case map[string]any:
		// Pulumi marks a secret in serialized state and events with its
		// signature key and the secret signature.
		if s, ok := t[sig.Key]; ok && s == sig.Secret {
			return Marker
		}
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = Value(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = Value(x)
		}
		return out
	}
	return v
}

// Map redacts every value of a map.
func Map(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return Value(m).(map[string]any)
}
