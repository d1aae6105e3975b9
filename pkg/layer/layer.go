// Package layer is how every layer program starts and ends: it reads and
// validates the environment profile before any resource exists, installs the
// tagging and inventory transformations, and at the end exports the inventory.
// Keeping this in one place is what makes "every resource is tagged and
// inventoried" true for all four layers.
package layer

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

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
	if err := checkKeys(ctx.Stack(), layerName); err != nil {
		return nil, fmt.Errorf("%s: %w", layerName, err)
	}
	lookup := func(key string) (string, bool) { return ctx.GetConfig(key) }
	p, err := profile.Load(ctx.Stack(), lookup)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", layerName, err)
	}
	tags := tagging.Standard{
		Environment:        string(p.Environment),
		CostCenter:         p.CostCenter,
		DataClassification: p.DataClassification,
		Layer:              layerName,
	}
	if profile.IsReview(p.Environment) {
		expires, err := profile.ReviewExpires(p.Environment, lookup)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", layerName, err)
		}
		tags.Expires = expires.Format(time.RFC3339)
	}
	if err := tagging.Register(ctx, tags); err != nil {
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

// checkKeys refuses unknown payments settings in the stack's config. A program
// can only list the keys it was given from PULUMI_CONFIG, where the Pulumi CLI
// passes the whole stack config; elsewhere (mocks, the in-process engine) the
// config comes from profile.ReadStackFile, which makes the same check.
func checkKeys(stack, layerName string) error {
	raw := os.Getenv(pulumi.EnvConfig)
	if raw == "" {
		return nil
	}
	var cfg map[string]string
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		return fmt.Errorf("reading %s: %w", pulumi.EnvConfig, err)
	}
	if err := profile.CheckKeys(stack, cfg); err != nil {
		return err
	}
	return profile.CheckOwnership(layerName, filepath.Join(layerName, "Pulumi."+stack+".yaml"), cfg)
}

// Finish exports the inventory; call it after the last resource.
func (s *Stack) Finish(ctx *pulumi.Context) {
	s.inventory.Export(ctx)
}
