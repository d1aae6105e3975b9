package naming

import (
	"cmp"
	"slices"
	"strings"
)

// SortByTypeAndName orders resources by type token, then logical name: the
// one order of every resource listing (inventories, the stand-in's account,
// mocked registrations, cost lines).
func SortByTypeAndName[T any](items []T, key func(T) (typ, name string)) {
	slices.SortStableFunc(items, func(a, b T) int {
		at, an := key(a)
		bt, bn := key(b)
		return cmp.Or(strings.Compare(at, bt), strings.Compare(an, bn))
	})
}
