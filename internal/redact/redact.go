// Package redact hides secret values in Pulumi state and engine events
// before they are written to a report, a manifest or a terminal.
package redact

// Marker replaces every secret value.
const Marker = "[secret]"

// secretSig is the signature key and value Pulumi uses to mark a secret in
// serialized state and events.
const (
	sigKey    = "4dabf18193072939515e22adb298388d"
	secretSig = "1b47061264138c4ac30d75fd1eb44270"
)

// Value returns v with every secret (at any depth) replaced by Marker. It
// never modifies v.
func Value(v any) any {
	switch t := v.(type) {
	case map[string]any:
		if sig, ok := t[sigKey]; ok && sig == secretSig {
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
