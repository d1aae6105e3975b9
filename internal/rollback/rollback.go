// Package rollback turns "put <env> back the way it was at commit A" into a
// reviewed change: a commit on a branch of today's main that restores the
// infrastructure's definition (the layers, pkg, the compliance lists, the
// planned manifests and costs) to A's, and keeps today's tooling (the
// deployment code, its guards, the workflows). Merged, it goes through the
// normal promotion, dev then staging then prod, with its plan shown in the
// pull request like any other change. Nobody deploys from a workstation.
package rollback

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strconv"
	"strings"

	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/profile"
)

// Restored are the paths a rollback puts back to the earlier commit: what
// defines the infrastructure and what is generated from it. Everything else
// (internal/, magefile.go, .github/, docs/, bootstrap/, .ci/) stays as
// today: the rollback runs on today's tooling.
var Restored = []string{"network", "data", "compute", "observability", "pkg", "compliance", "manifests/planned", "costs"}

// versionFile holds bootstrapiam.Version.
const versionFile = "pkg/bootstrapiam/roles.go"

var versionPattern = regexp.MustCompile(`(?m)^const Version = (\d+)$`)

// ErrRefused is a rollback refused before anything changed.
var ErrRefused = errors.New("rollback refused")

// Options is one rollback.
type Options struct {
	Root   string // the repository
	Env    string // the environment whose manifest the rollback restores
	Commit string // the commit to go back to, as git names it
	Out    io.Writer
}

// Result is the change a rollback made.
type Result struct {
	Branch string // rollback/<env>-<short>
	Commit string // the rollback commit on it
	Target string // the full hash of the commit rolled back to
}

// Prepare checks the rollback and, when every check passes, commits it on
// a new branch (from HEAD, which stays checked out on the branch). It is
// refused, before anything changes, for: an unknown environment or commit,
// a commit that is not in HEAD's history, a working tree with changes, a
// commit whose bootstrap version differs from today's (its roles and
// boundary are not what today's code needs), and a commit whose planned
// manifest of env fails policy.
func Prepare(ctx context.Context, o Options) (Result, error) {
	env, err := profile.ParseEnvironment(o.Env)
	if err != nil {
		return Result{}, fmt.Errorf("%w: %w", ErrRefused, err)
	}
	g := git{root: o.Root}
	target, err := g.run(ctx, "rev-parse", "--verify", "--quiet", o.Commit+"^{commit}")
	if err != nil {
		return Result{}, fmt.Errorf("%w: %q is not a commit of this repository; name one of main's, for example from `git log --oneline -- manifests/planned/%s.json`", ErrRefused, o.Commit, env)
	}
	short := target[:12]
	if _, err := g.run(ctx, "merge-base", "--is-ancestor", target, "HEAD"); err != nil {
		return Result{}, fmt.Errorf("%w: %s is not in the history of HEAD; a rollback goes back to a commit that was deployed from main", ErrRefused, short)
	}
	if dirty, err := g.run(ctx, "status", "--porcelain"); err != nil || dirty != "" {
		return Result{}, fmt.Errorf("%w: the working tree has changes (%s); commit or stash them first, so the rollback commit holds the rollback only", ErrRefused, firstLine(dirty, err))
	}
	source, err := g.run(ctx, "show", target+":"+versionFile)
	if err != nil {
		return Result{}, fmt.Errorf("%w: %s has no %s: %w", ErrRefused, short, versionFile, err)
	}
	m := versionPattern.FindStringSubmatch(source)
	if m == nil {
		return Result{}, fmt.Errorf("%w: %s's %s declares no bootstrap version", ErrRefused, short, versionFile)
	}
	if v, _ := strconv.Atoi(m[1]); v != bootstrapiam.Version {
		return Result{}, fmt.Errorf("%w: %s needs bootstrap version %d, today's code %d: the accounts' roles and boundary changed in between, so its code is not what they were written for; roll back to a commit of bootstrap version %d, or change the code forward",
			ErrRefused, short, v, bootstrapiam.Version, bootstrapiam.Version)
	}
	planned := manifest.PlannedPath(string(env))
	raw, err := g.run(ctx, "show", target+":"+planned)
	if err != nil {
		return Result{}, fmt.Errorf("%w: %s has no %s to go back to: %w", ErrRefused, short, planned, err)
	}
	var was manifest.Manifest
	if err := json.Unmarshal([]byte(raw), &was); err != nil {
		return Result{}, fmt.Errorf("%w: %s's %s: %w", ErrRefused, short, planned, err)
	}
	if was.Policy == nil {
		return Result{}, fmt.Errorf("%w: %s's %s carries no policy verdict", ErrRefused, short, planned)
	}
	if failed := was.Policy.Summary.Failed; failed > 0 {
		return Result{}, fmt.Errorf("%w: %s's %s fails %d compliance rule(s); a rollback may not reintroduce a failure (run `git show %s:%s` for them)", ErrRefused, short, planned, failed, short, planned)
	}

	branch := "rollback/" + string(env) + "-" + short
	if _, err := g.run(ctx, "switch", "--quiet", "--create", branch); err != nil {
		return Result{}, fmt.Errorf("creating branch %s: %w", branch, err)
	}
	for _, path := range Restored {
		if _, err := g.run(ctx, "rm", "-r", "--quiet", "--ignore-unmatch", "--", path); err != nil {
			return Result{}, err
		}
		if _, err := g.run(ctx, "cat-file", "-e", target+":"+path); err != nil {
			continue // the path did not exist then
		}
		if _, err := g.run(ctx, "checkout", target, "--", path); err != nil {
			return Result{}, err
		}
	}
	if staged, _ := g.run(ctx, "diff", "--cached", "--name-only"); staged == "" {
		_, _ = g.run(ctx, "switch", "--quiet", "-")
		_, _ = g.run(ctx, "branch", "--quiet", "-D", branch)
		return Result{}, fmt.Errorf("%w: the infrastructure at %s is what HEAD defines already; nothing to roll back", ErrRefused, short)
	}
	subject, _ := g.run(ctx, "log", "-1", "--format=%s", target)
	msg := fmt.Sprintf("Roll back %s to %s (%s)\n\nRestores %s to %s; today's tooling (internal/, magefile.go, .github/, docs/, bootstrap/) is kept.\nMerged, it is promoted like any change: dev, then staging, then prod.",
		env, short, subject, strings.Join(Restored, ", "), target)
	if _, err := g.run(ctx, "commit", "--quiet", "-m", msg); err != nil {
		return Result{}, err
	}
	head, err := g.run(ctx, "rev-parse", "HEAD")
	if err != nil {
		return Result{}, err
	}
	fmt.Fprintf(o.Out, "rollback of %s to %s committed on branch %s (%s)\n", env, short, branch, head[:12])
	fmt.Fprintf(o.Out, "next: git push -u origin %s, open a pull request, and review the diff of %s: it is what changes; once merged, the pipeline deploys dev, staging, then prod (after approval)\n", branch, planned)
	return Result{Branch: branch, Commit: head, Target: target}, nil
}

type git struct{ root string }

func (g git) run(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", g.root}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return strings.TrimSpace(out.String()), fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(errOut.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

func firstLine(s string, err error) string {
	if err != nil {
		return err.Error()
	}
	line, _, _ := strings.Cut(s, "\n")
	return line
}
