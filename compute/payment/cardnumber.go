package payment

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

// Card numbers (PANs) are 13 to 19 digits with a Luhn check digit. People
// and systems write them grouped ("4111 1111 1111 1111", "4111-1111-...",
// "4111.1111...") and next to other numbers ("order 7 4111111111111111").
const (
	minPANDigits = 13
	maxPANDigits = 19
	// maxSeparators is how many separator characters may stand between two
	// digit groups and still join them ("4111 - 1111").
	maxSeparators = 3
)

func isDigit(r byte) bool { return r >= '0' && r <= '9' }

func isSeparator(r byte) bool { return r == ' ' || r == '-' || r == '.' }

// ContainsCardNumber reports whether s holds a Luhn-valid 13-19 digit number,
// written as one run of digits or as groups of digits joined by spaces,
// dashes or dots, anywhere in the text. Groups are taken whole: a candidate
// starts and ends at group boundaries, so "order 7 4111111111111111" finds
// the 16-digit group and "4111-1111-1111-1111 2024" finds the first four.
func ContainsCardNumber(s string) bool {
	for _, groups := range digitGroups(s) {
		for start := range groups {
			digits := ""
			for end := start; end < len(groups); end++ {
				digits += groups[end]
				if len(digits) > maxPANDigits {
					break
				}
				if len(digits) >= minPANDigits && luhn(digits) {
					return true
				}
			}
		}
	}
	return false
}

// digitGroups splits s into runs of digit groups: groups in one run are
// separated only by 1-3 separator characters; anything else ends the run.
func digitGroups(s string) [][]string {
	var runs [][]string
	var run []string
	i := 0
	for i < len(s) {
		if !isDigit(s[i]) {
			i++
			continue
		}
		start := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		run = append(run, s[start:i])
		seps := 0
		for i+seps < len(s) && isSeparator(s[i+seps]) {
			seps++
		}
		if seps >= 1 && seps <= maxSeparators && i+seps < len(s) && isDigit(s[i+seps]) {
			i += seps
			continue
		}
		runs = append(runs, run)
		run = nil
	}
	return runs
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

// findCardData walks every key and value of a decoded JSON document (strings
// and numbers alike) and returns the top-level field that carries a card
// number, "body" when the carrier is a key itself, and ok=false when there is
// none. The path never includes the number.
func findCardData(doc map[string]any) (field string, ok bool) {
	for _, k := range slices.Sorted(maps.Keys(doc)) {
		if ContainsCardNumber(k) {
			return "body", true
		}
		if valueHasCardNumber(doc[k]) {
			return k, true
		}
	}
	return "", false
}

func valueHasCardNumber(v any) bool {
	switch x := v.(type) {
	case string:
		return ContainsCardNumber(x)
	case json.Number:
		return ContainsCardNumber(x.String())
	case []any:
		for _, e := range x {
			if valueHasCardNumber(e) {
				return true
			}
		}
	case map[string]any:
		for k, e := range x {
			if ContainsCardNumber(k) || valueHasCardNumber(e) {
				return true
			}
		}
	}
	return false
}

// cardFieldNames are field names that would carry card data. A request that
// names one is refused outright, whatever the value.
var cardFieldNames = []string{"card", "cardnumber", "pan", "cvv", "cvc", "expiry", "track"}

func isCardFieldName(key string) bool {
	normalized := strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(key))
	for _, f := range cardFieldNames {
		if strings.Contains(normalized, f) {
			return true
		}
	}
	return false
}
