package offline

import (
	"fmt"
	"sort"
	"strings"

	"github.com/acmepay/platform/pkg/contract"
)

// CheckDestroyable fails when any resource of any layer is protected or
// retained on delete: an environment must be destroyable without manual steps.
func (e *Env) CheckDestroyable() error {
	var bad []string
	for _, l := range contract.Graph() {
		snap := e.Snapshot(l.Name)
		if snap == nil {
			continue
		}
		for _, r := range snap.Resources {
			if r.Protect {
				bad = append(bad, fmt.Sprintf("%s: %s is protected", l.Name, r.URN))
			}
			if r.RetainOnDelete {
				bad = append(bad, fmt.Sprintf("%s: %s is retained on delete", l.Name, r.URN))
			}
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("environment %s is not destroyable:\n  %s", e.Env, strings.Join(bad, "\n  "))
	}
	return nil
}

// CheckEmpty fails when the stand-in account still holds resources.
func (e *Env) CheckEmpty() error {
	left := e.Cloud.Resources()
	if len(left) == 0 {
		return nil
	}
	names := make([]string, len(left))
	for i, r := range left {
		names[i] = r.Type + " " + r.Name + " (" + r.ID + ")"
	}
	return fmt.Errorf("%d resource(s) of %s left after destroy:\n  %s", len(left), e.Env, strings.Join(names, "\n  "))
}
