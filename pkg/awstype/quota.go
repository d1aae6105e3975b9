package awstype

import (
	"fmt"
	"strconv"
)

// Quota is one of an account's service quotas that resources of a type
// count against, as AWS enforces it when one is created or changed in
// place, and as Service Quotas names it.
type Quota struct {
	// Name is the quota's name in Service Quotas.
	Name string
	// Service and Code identify it in Service Quotas (its raise page).
	Service, Code string
	// Default is its value in an account that never had it changed.
	Default int
	// PerZone: it is counted in each availability zone (a resource's
	// subnet's).
	PerZone bool
	// Takes is how much of the quota a resource takes, from its inputs;
	// nil means one. A resource that takes none is never refused.
	Takes func(r Named) int
	// Kept is what AWS keeps unused: a change that would leave less of the
	// quota is refused.
	Kept int
	// Exceeded is AWS's error for a change beyond it; a PerZone quota's
	// names the zone (%s), one with a Kept part names it (%d).
	Exceeded string
}

// Taken is how much of q the resource r takes.
func (q Quota) Taken(r Named) int {
	if q.Takes == nil {
		return 1
	}
	return q.Takes(r)
}

// ExceededIn is AWS's error for a change beyond q, in zone for a PerZone
// quota.
func (q Quota) ExceededIn(zone string) string {
	switch {
	case q.PerZone:
		return fmt.Sprintf(q.Exceeded, zone)
	case q.Kept > 0:
		return fmt.Sprintf(q.Exceeded, q.Kept)
	}
	return q.Exceeded
}

// QuotaOf is the quota resources of token count against; false when none.
func QuotaOf(token string) (Quota, bool) {
	t, ok := registry[token]
	if !ok || t.Quota == nil {
		return Quota{}, false
	}
	return *t.Quota, true
}

// Quotas are the quotas of the registered types, by the type's token.
func Quotas() map[string]Quota {
	out := map[string]Quota{}
	for tok, t := range registry {
		if t.Quota != nil {
			out[tok] = *t.Quota
		}
	}
	return out
}

// reservedConcurrency is what a function takes of the account's
// concurrent executions: its reservation (none without one).
func reservedConcurrency(r Named) int {
	n, err := strconv.Atoi(r.Input("reservedConcurrentExecutions"))
	if err != nil || n < 0 {
		return 0
	}
	return n
}
