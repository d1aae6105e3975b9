// Package layer is how every layer program starts and ends: it reads and
// validates the environment profile before any resource exists, installs the
// tagging and inventory transformations, and at the end exports the inventory.
// Keeping this in one place is what makes "every resource is tagged and
// inventoried" true for all four layers.
package layer

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/inventory"
	"github.com/acmepay/platform/pkg/naming"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/tagging"
)

// Stack is the context a layer program builds in.
type Stack struct {
	Layer     string
	Profile   profile.Profile
	Names     naming.Namer
	Scope     iampolicy.Scope
	Config    profile.Lookup
	inventory *inventory.Recorder
}

// Begin validates the stack's configuration and prepares tagging and the
// inventory. It fails before any resource is registered.
func Begin(ctx *pulumi.Context, layerName string) (*Stack, error) {
	lookup := func(key string) (string, bool) { return ctx.GetConfig(key) }
	p, err := profile.Load(ctx.Stack(), lookup)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", layerName, err)
	}
	if err := tagging.Register(ctx, tagging.Standard{
		Environment:        string(p.Environment),
		CostCenter:         p.CostCenter,
		DataClassification: p.DataClassification,
		Layer:              layerName,
	}); err != nil {
		return nil, fmt.Errorf("%s: %w", layerName, err)
	}
	rec, err := inventory.Register(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", layerName, err)
	}
	return &Stack{
		Layer:     layerName,
		Profile:   p,
		Names:     naming.New(string(p.Environment), p.Suffix),
		Scope:     iampolicy.Scope{Region: p.Region, Account: p.AccountID},
		Config:    lookup,
		inventory: rec,
	}, nil
}

// Finish exports the inventory; call it after the last resource.
func (s *Stack) Finish(ctx *pulumi.Context) {
	s.inventory.Export(ctx)
}
