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

// Target runs one of the `bootstrap:*` targets that change an account
// (env, destroy, state, destroyState, moveState) with its arguments, in the
// repository at root, reading its settings from lookup (the process's
// environment for magefile.go). docs/bootstrap.md's test runs its steps
// through the same function.
func Target(ctx context.Context, root, name string, args []string, command *automation.Command, lookup func(string) (string, bool), out io.Writer) error {
	want := map[string]int{"env": 1, "destroy": 1, "state": 0, "destroyState": 0, "moveState": 0, "policies": 1, "statePolicies": 0}
	n, ok := want[name]
	if !ok {
		return fmt.Errorf("bootstrap:%s: no such target (env, destroy, state, destroyState, moveState, policies, statePolicies)", name)
	}
	if len(args) != n {
		return fmt.Errorf("bootstrap:%s takes %d argument(s), got %d: %q", name, n, len(args), args)
	}
	switch name {
	case "moveState":
		return moveState(ctx, root, lookup, out)
	case "policies":
		a, err := Account(root, args[0])
		if err != nil {
			return err
		}
		files, err := Files(a)
		if err != nil {
			return err
		}
		return writeValid(root, filepath.Join(root, Dir, args[0]), files, out)
	case "statePolicies":
		t, err := Tooling(root)
		if err != nil {
			return err
		}
		return writeValid(root, filepath.Join(root, Dir, "tooling"), ToolingFiles(t), out)
	}
	env := ""
	if n == 1 {
		env = args[0]
	}
	b, closeStore, err := New(ctx, root, env, command, out)
	if err != nil {
		return err
	}
	defer func() { _ = closeStore() }()
	switch name {
	case "env":
		return b.Env(ctx, stage.Up, env)
	case "destroy":
		return b.Env(ctx, stage.Destroy, env)
	case "state":
		return b.State(ctx, stage.Up)
	default:
		return b.State(ctx, stage.Destroy)
	}
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
	moved, err := MoveState(ctx, from, to)
	for _, s := range moved {
		fmt.Fprintf(out, "moved bootstrap/%s to %s\n", s, shown(to))
	}
	return err
}
