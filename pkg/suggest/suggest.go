// Package suggest finds the name someone probably meant: an unknown setting
// key, environment or task is refused with the closest known one.
package suggest

import "strings"

// Nearest is the known name closest to name (case aside), within two edits;
// "" when none is that close.
func Nearest(name string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if d := Distance(strings.ToLower(name), strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// Distance is the Levenshtein distance of two strings, by bytes.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
