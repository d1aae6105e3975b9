package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/pulumi/pulumi/pkg/v3/backend/diy"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"

	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/profile"
)

// MoveStacks moves the bootstrap stacks' state from one backend to another:
// the chicken and egg of the tooling account, whose bucket holds every
// state but cannot hold its own creator's until it exists. An
// administrator bootstraps with the local file backend, then moves the
// bootstrap stacks into s3://<bucket>/bootstrap, a prefix no pipeline role
// reaches. Each stack is exported and imported through Pulumi's own backend
// package, which checks the state; a stack the target already has is
// refused, so nothing is overwritten. It returns the stacks moved.
func MoveStacks(ctx context.Context, from, to string) ([]string, error) {
	project := &workspace.Project{Name: bootstrapiam.Project, Runtime: workspace.NewProjectRuntimeInfo("go", nil)}
	sink := diag.DefaultSink(io.Discard, io.Discard, diag.FormatOptions{Color: "never"})
	src, err := diy.New(ctx, sink, from, project)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", from, err)
	}
	dst, err := diy.New(ctx, sink, to, project)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", to, err)
	}
	stacks := []string{bootstrapiam.ToolingStack}
	for _, env := range profile.Environments() {
		stacks = append(stacks, string(env))
	}
	var moved []string
	for _, name := range stacks {
		ref, err := src.ParseStackReference("organization/" + bootstrapiam.Project + "/" + name)
		if err != nil {
			return moved, err
		}
		stack, err := src.GetStack(ctx, ref)
		if err != nil {
			return moved, err
		}
		if stack == nil {
			continue // this account's stack was never created here
		}
		deployment, err := src.ExportDeployment(ctx, stack)
		if err != nil {
			return moved, fmt.Errorf("exporting %s: %w", name, err)
		}
		target, err := dst.ParseStackReference(ref.String())
		if err != nil {
			return moved, err
		}
		if existing, err := dst.GetStack(ctx, target); err != nil {
			return moved, err
		} else if existing != nil {
			return moved, fmt.Errorf("%w: %s already holds the bootstrap's %s stack", ErrStateExists, to, name)
		}
		created, err := dst.CreateStack(ctx, target, "", nil, nil)
		if err != nil {
			return moved, fmt.Errorf("creating %s in %s: %w", name, to, err)
		}
		if err := dst.ImportDeployment(ctx, created, deployment); err != nil {
			return moved, fmt.Errorf("importing %s into %s: %w", name, to, err)
		}
		moved = append(moved, name)
	}
	return moved, nil
}

// ErrStateExists refuses a move onto a stack the target already has.
var ErrStateExists = errors.New("refusing to overwrite state")
