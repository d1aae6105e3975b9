// Package proppath reads a value at a property path from a resource's
// configuration as Pulumi records it (maps, lists, scalars): the one walker
// the drift check, the compliance rules, the plan's table and the cost
// estimate share.
package proppath

import (
	"strconv"
	"strings"
)

// Get follows a path such as `tags.Environment`, `rules[0].expiration.days`
// or `tags["Cost Center"]`, and returns nil where it leads nowhere. A name
// met at a list (`rules.expiration.days`) reads the list's first element:
// Pulumi records an AWS block of at most one item as a one-element list.
func Get(v any, path string) any {
	cur := v
	for _, part := range Split(path) {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[part]
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil {
				// A name at a list: its first element.
				if len(c) == 0 {
					return nil
				}
				m, ok := c[0].(map[string]any)
				if !ok {
					return nil
				}
				cur = m[part]
				continue
			}
			if i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

// Split cuts a path into its names and indexes: `a.b[0]["c d"]` is a, b, 0,
// c d.
func Split(path string) []string {
	var parts []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			parts = append(parts, cur.String())
			cur.Reset()
		}
	}
	for i := 0; i < len(path); i++ {
		switch ch := path[i]; ch {
		case '.':
			flush()
		case '[':
			flush()
			end := strings.IndexByte(path[i:], ']')
			if end < 0 {
				return append(parts, path[i:])
			}
			parts = append(parts, strings.Trim(path[i+1:i+end], `"`))
			i += end
		default:
			cur.WriteByte(ch)
		}
	}
	flush()
	return parts
}
