package deploy

import (
	"context"

	"github.com/acmepay/platform/internal/recovery"
)

// Recover settles what interrupted runs left in an environment (see
// recovery.Recoverer), after the same preflight as a deployment: the
// credentials must be the environment's account before its cloud is
// searched or its state edited.
func (d *Deployer) Recover(ctx context.Context, envName string, r recovery.Recoverer) error {
	env, _, err := d.preflightOf(ctx, envName)
	if err != nil {
		return err
	}
	return r.Run(ctx, env)
}
