package workbench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/acmepay/platform/internal/recovery"
	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stage"
	"github.com/acmepay/platform/pkg/tagging"
)

// ReviewUp deploys the review environment of a pull request, or updates
// it, and moves its expiry to the review block's hours from now
// (review:up pr-<number>).
func ReviewUp(ctx context.Context, env string, o Options) error {
	p, r, err := reviewOf(env)
	if err != nil {
		return fmt.Errorf("review:up: %w", err)
	}
	expires := r.ReviewExpiry(now(o))
	if err := profile.WriteReviewStackFiles(o.Root, p, expires); err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "review environment %s in %s's account %s, expires %s\n", env, r.In, p.AccountID, expires)
	return Deploy(ctx, env, o)
}

// ReviewDown destroys a review environment, removes its stacks from the
// state backend and its stack files (review:down pr-<number>). It refuses
// any environment that is not a review environment.
func ReviewDown(ctx context.Context, env string, o Options) error {
	p, _, err := reviewOf(env)
	if err != nil {
		return fmt.Errorf("review:down: %w", err)
	}
	return onBench(ctx, "review:down", env, o, func(w *bench) error { return w.reviewDown(ctx, p) })
}

// ReviewSweep destroys every review environment of the state backend past
// its expiry, and lists what the account holds tagged for a review
// environment whose stacks are gone (review:sweep).
func ReviewSweep(ctx context.Context, o Options) error {
	return onBench(ctx, "review:sweep", "review", o, func(w *bench) error {
		envs, err := w.reviews(ctx)
		if err != nil {
			return err
		}
		t := now(o)
		var errs []error
		for _, env := range envs {
			expires, err := w.reviewExpiry(ctx, env)
			switch {
			case err != nil:
				errs = append(errs, err)
			case t.Before(expires):
				fmt.Fprintf(w.o.Out, "%s: kept, expires %s\n", env, expires.Format(time.RFC3339))
			default:
				fmt.Fprintf(w.o.Out, "%s: expired %s, destroying\n", env, expires.Format(time.RFC3339))
				p, err := profile.Planned(env)
				if err == nil {
					err = w.reviewDown(ctx, p)
				}
				errs = append(errs, err)
			}
		}
		if len(envs) == 0 {
			fmt.Fprintln(w.o.Out, "no review environment in the state backend")
		}
		return errors.Join(append(errs, w.orphans(ctx))...)
	})
}

// orphans lists what the account holds tagged for a review environment
// (its Expires tag) whose stacks the state backend no longer has: left
// behind by a run that died, or made by hand. They are listed, never
// deleted: nothing of the code says what they are.
func (w *bench) orphans(ctx context.Context) error {
	r, _ := profile.Reviews()
	home, err := profile.Planned(r.In)
	if err != nil {
		return err
	}
	live, err := w.reviews(ctx)
	if err != nil {
		return err
	}
	finder, err := recovery.NewAWS(ctx, home.Region, "")
	if err != nil {
		return err
	}
	tagged, err := finder.Tagged(ctx, tagging.KeyExpires)
	if err != nil {
		return err
	}
	n := 0
	for _, t := range tagged {
		env := profile.Environment(t.Tags[tagging.KeyEnvironment])
		if profile.IsReview(env) && slices.Contains(live, env) {
			continue
		}
		n++
		fmt.Fprintf(w.o.Out, "left behind: %s (Environment=%s, Expires=%s): no stack of %s holds it; delete it by hand once you know what it is\n",
			t.ARN, env, t.Tags[tagging.KeyExpires], env)
	}
	fmt.Fprintf(w.o.Out, "%d resources tagged for a review environment whose stacks are gone\n", n)
	return nil
}

// reviewOf is a review environment's profile and the review block, or an
// error saying the name is not one.
func reviewOf(env string) (profile.Profile, profile.Review, error) {
	r, ok := profile.Reviews()
	if !ok {
		return profile.Profile{}, r, fmt.Errorf("pkg/profile/environments.yaml has no %s block: there are no review environments", profile.ReviewKey)
	}
	if !profile.IsReview(profile.Environment(env)) {
		return profile.Profile{}, r, fmt.Errorf("%q is not a review environment: allowed %s<pull request number>, never an environment of environments.yaml (%s)",
			env, profile.ReviewPrefix, strings.Join(names(profile.Environments()), ", "))
	}
	e, err := profile.ParseEnvironment(env)
	if err != nil {
		return profile.Profile{}, r, err
	}
	p, err := profile.Planned(e)
	return p, r, err
}

func names(envs []profile.Environment) []string {
	out := make([]string, len(envs))
	for i, e := range envs {
		out[i] = string(e)
	}
	return out
}

func now(o Options) time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// reviewDown destroys a review environment, then removes its stacks and
// its stack files.
func (w *bench) reviewDown(ctx context.Context, p profile.Profile) error {
	env := string(p.Environment)
	if !w.hasStackFiles(env) {
		// A destroy reads the stacks' config; the expiry no longer matters.
		if err := profile.WriteReviewStackFiles(w.o.Root, p, time.Unix(0, 0).UTC().Format(time.RFC3339)); err != nil {
			return err
		}
	}
	if _, err := w.d.Run(ctx, stage.Destroy, env); err != nil {
		return err
	}
	for _, l := range stage.DestroyOrder(contract.Graph()) {
		known, err := w.store.Exists(ctx, l.Name, env)
		if err != nil {
			return err
		}
		if known {
			if err := w.runner.RemoveStack(ctx, l, env); err != nil {
				return err
			}
		}
		if err := w.store.RemoveLeftovers(ctx, l.Name, env); err != nil {
			return err
		}
		if err := os.Remove(profile.StackFile(filepath.Join(w.o.Root, l.Name), env)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	fmt.Fprintf(w.o.Out, "%s destroyed, its stacks and their state removed\n", env)
	return nil
}

func (w *bench) hasStackFiles(env string) bool {
	for _, layer := range profile.Layers() {
		if _, err := os.Stat(profile.StackFile(filepath.Join(w.o.Root, layer), env)); err != nil {
			return false
		}
	}
	return true
}

// reviews are the review environments with a stack in the state backend.
func (w *bench) reviews(ctx context.Context) ([]profile.Environment, error) {
	var out []profile.Environment
	for _, layer := range profile.Layers() {
		stacks, err := w.store.Stacks(ctx, layer)
		if err != nil {
			return nil, err
		}
		for _, s := range stacks {
			env := profile.Environment(s)
			if profile.IsReview(env) && !slices.Contains(out, env) {
				out = append(out, env)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// reviewExpiry is the expiry a review environment's resources are tagged
// with, from its stacks' state: the latest of them, so a deploy that
// stopped half-way keeps the environment as long as its newest tag says.
func (w *bench) reviewExpiry(ctx context.Context, env profile.Environment) (time.Time, error) {
	var latest time.Time
	for _, layer := range profile.Layers() {
		dep, ok, err := w.store.Checkpoint(ctx, layer, string(env))
		if err != nil {
			return time.Time{}, err
		}
		if !ok {
			continue
		}
		for _, r := range dep.Resources {
			tags, _ := r.Outputs["tags"].(map[string]any)
			raw, _ := tags[tagging.KeyExpires].(string)
			if t, err := time.Parse(time.RFC3339, raw); err == nil && t.After(latest) {
				latest = t
			}
		}
	}
	if latest.IsZero() {
		// Stacks without a tagged resource (a first deploy that failed
		// early): nothing of it can outlive its stacks, so it has expired.
		return time.Time{}, nil
	}
	return latest, nil
}
