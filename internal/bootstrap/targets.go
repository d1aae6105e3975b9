package bootstrap

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/acmepay/platform/internal/deploy/automation"
	"github.com/acmepay/platform/pkg/stage"
)

// Options is where and how a bootstrap target runs: in the repository at
// Root, reading its settings from Lookup (the process's environment for
// magefile.go), through Command. docs/bootstrap.md's test runs its steps
// through the same functions.
type Options struct {
	Root    string
	Command *automation.Command
	Lookup  func(string) (string, bool)
	Out     io.Writer
}

// Env bootstraps an environment's account (bootstrap:env).
func Env(ctx context.Context, env string, o Options) error {
	return onAccount(ctx, env, o, func(b *Bootstrapper) error { return b.Env(ctx, stage.Up, env) })
}

// Destroy tears down an environment's account bootstrap
// (bootstrap:destroy).
func Destroy(ctx context.Context, env string, o Options) error {
	return onAccount(ctx, env, o, func(b *Bootstrapper) error { return b.Env(ctx, stage.Destroy, env) })
}

// State creates the tooling account's state bucket and key
// (bootstrap:state).
func State(ctx context.Context, o Options) error {
	return onAccount(ctx, "", o, func(b *Bootstrapper) error { return b.State(ctx, stage.Up) })
}

// DestroyState tears the state bucket and key down
// (bootstrap:destroyState).
func DestroyState(ctx context.Context, o Options) error {
	return onAccount(ctx, "", o, func(b *Bootstrapper) error { return b.State(ctx, stage.Destroy) })
}

// MoveState moves the bootstrap stacks' state into the state bucket
// (bootstrap:moveState).
func MoveState(ctx context.Context, o Options) error {
	return moveState(ctx, o.Root, o.Lookup, o.Out)
}

// Policies writes an account's bootstrap documents for review
// (bootstrap:policies).
func Policies(env string, o Options) error {
	a, err := Account(o.Root, env)
	if err != nil {
		return err
	}
	files, err := Files(a)
	if err != nil {
		return err
	}
	return writeValid(o.Root, filepath.Join(o.Root, Dir, env), files, o.Out)
}

// StatePolicies writes the tooling account's documents for review
// (bootstrap:statePolicies).
func StatePolicies(o Options) error {
	t, err := Tooling(o.Root)
	if err != nil {
		return err
	}
	return writeValid(o.Root, filepath.Join(o.Root, Dir, "tooling"), ToolingFiles(t), o.Out)
}

// onAccount runs a bootstrap stack's operation with its state open; env is
// "" for the tooling account's.
func onAccount(ctx context.Context, env string, o Options, run func(b *Bootstrapper) error) error {
	b, closeStore, err := New(ctx, o.Root, env, o.Command, o.Out)
	if err != nil {
		return err
	}
	defer func() { _ = closeStore() }()
	return run(b)
}

// writeValid writes the files only when every one of them, and the
// break-glass principals, pass AWS's validity rules: nothing is written
// before a refusal.
func writeValid(root, dir string, files []File, out io.Writer) error {
	t, err := Tooling(root)
	if err != nil {
		return err
	}
	if err := t.Valid(files); err != nil {
		return fmt.Errorf("refused, nothing written:\n%w", err)
	}
	return printPaths(root, out)(Write(dir, files))
}

// printPaths prints the files written, relative to root.
func printPaths(root string, out io.Writer) func(paths []string, err error) error {
	return func(paths []string, err error) error {
		for _, p := range paths {
			if rel, rerr := filepath.Rel(root, p); rerr == nil {
				p = rel
			}
			fmt.Fprintln(out, p)
		}
		return err
	}
}

// moveState moves the bootstrap stacks from where they are
// (PULUMI_BACKEND_URL, or the local file backend) to BOOTSTRAP_STATE: into
// the state bucket's bootstrap/ prefix once the bucket exists, or back out
// into a file backend before bootstrap:destroyState.
func moveState(ctx context.Context, root string, lookup func(string) (string, bool), out io.Writer) error {
	to, _ := lookup("BOOTSTRAP_STATE")
	if !strings.HasPrefix(to, "s3://") && !strings.HasPrefix(to, "file://") {
		return fmt.Errorf("BOOTSTRAP_STATE=%q: want the state bucket's bootstrap prefix, s3://<bucket>/bootstrap, or a file:// backend", to)
	}
	from, err := automation.Backend(root, lookup)
	if err != nil {
		return err
	}
	if shown(from) == shown(to) {
		return fmt.Errorf("BOOTSTRAP_STATE=%s is where the bootstrap stacks are already (PULUMI_BACKEND_URL)", shown(to))
	}
	moved, err := MoveStacks(ctx, from, to)
	for _, s := range moved {
		fmt.Fprintf(out, "moved bootstrap/%s to %s\n", s, shown(to))
	}
	return err
}
