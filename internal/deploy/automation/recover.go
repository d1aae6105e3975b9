package automation

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/acmepay/platform/internal/recovery"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stage"
)

var _ recovery.Editor = (*Automation)(nil)

// Resolve implements recovery.Editor with `pulumi stack export` and
// `pulumi stack import`, which keeps the backend's backup of the state as
// it was.
func (a *Automation) Resolve(ctx context.Context, layer string, env profile.Environment, decisions []recovery.Resolution) error {
	stack, err := a.stack(ctx, stage.Layer{Name: layer}, string(env))
	if err != nil {
		return err
	}
	untyped, err := stack.Export(ctx)
	if err != nil {
		return fmt.Errorf("exporting the state: %w", err)
	}
	if untyped.Version != 3 {
		return fmt.Errorf("the state is deployment version %d; this code edits version 3", untyped.Version)
	}
	var dep apitype.DeploymentV3
	if err := json.Unmarshal(untyped.Deployment, &dep); err != nil {
		return fmt.Errorf("reading the state: %w", err)
	}
	if err := recovery.ResolveDeployment(&dep, decisions); err != nil {
		return err
	}
	raw, err := json.Marshal(dep)
	if err != nil {
		return err
	}
	untyped.Deployment = raw
	if err := stack.Import(ctx, untyped); err != nil {
		return fmt.Errorf("importing the resolved state: %w", err)
	}
	return nil
}

// Refresh implements recovery.Editor with `pulumi refresh`, which writes the
// state.
func (a *Automation) Refresh(ctx context.Context, layer string, env profile.Environment, out io.Writer) error {
	stack, err := a.stack(ctx, stage.Layer{Name: layer}, string(env))
	if err != nil {
		return err
	}
	_, err = stack.Refresh(ctx, optrefresh.ProgressStreams(out), optrefresh.ErrorProgressStreams(out))
	return err
}
