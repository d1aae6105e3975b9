package profile

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/acmepay/platform/pkg/naming"
)

// ReviewKey is the environments file's block that describes review
// environments: one short-lived environment per pull request.
const ReviewKey = naming.ReviewOwner

// ReviewPrefix begins every review environment's name, which is the prefix
// and the pull request's number: "pr-4821". No entry of the environments
// file may begin with it.
const ReviewPrefix = naming.ReviewPrefix

// MaxPullRequest is the largest pull request number GitHub can give: its
// API's numbers are 32-bit signed integers. A review environment's names
// are checked for it, so every pull request's fit.
const MaxPullRequest = 2147483647

// Review is the review block: where review environments run and how they
// differ from the environment they run beside.
type Review struct {
	// In is the environment whose account, region, suffix, pipeline and
	// sanctioned settings a review environment starts from. It must be of
	// the development tier.
	In Environment
	// ExpiresAfterHours is how long after its last deploy a review
	// environment is kept; review:sweep destroys it after that.
	ExpiresAfterHours int
	// overrides are the settings a review environment has otherwise than
	// In: the file's keys, as in an environment's entry.
	overrides []byte
}

// The review block's own keys; every other key is a setting.
const (
	reviewInKey      = "in"
	reviewExpiresKey = "expiresAfterHours"
)

// inheritedKeys are what a review environment always takes from the
// environment it runs in: it runs in that account and region, under that
// suffix and its pipeline roles, as development.
var inheritedKeys = []string{"tier", "accountId", "region", "environmentSuffix"}

// parseReview reads the review block against the file's environments.
func parseReview(body any, envs map[Environment]Profile) (Review, error) {
	m, ok := body.(map[string]any)
	if !ok {
		return Review{}, fmt.Errorf("environments file: %s: want a map with %s, %s and the settings review environments have otherwise", ReviewKey, reviewInKey, reviewExpiresKey)
	}
	in, _ := m[reviewInKey].(string)
	base, ok := envs[Environment(in)]
	if !ok {
		return Review{}, fmt.Errorf("environments file: %s.%s = %q: allowed one of the file's environments of the %s tier", ReviewKey, reviewInKey, in, Development)
	}
	if base.Tier != Development {
		return Review{}, fmt.Errorf("environments file: %s.%s = %q: %s is of the %s tier; review environments run only beside a %s environment",
			ReviewKey, reviewInKey, in, in, base.Tier, Development)
	}
	hours, ok := m[reviewExpiresKey].(int)
	if !ok || hours < 1 || hours > 24*30 {
		return Review{}, fmt.Errorf("environments file: %s.%s = %v: allowed 1-720 hours", ReviewKey, reviewExpiresKey, m[reviewExpiresKey])
	}
	settings := maps.Clone(m)
	delete(settings, reviewInKey)
	delete(settings, reviewExpiresKey)
	for _, k := range inheritedKeys {
		if _, ok := settings[k]; ok {
			return Review{}, fmt.Errorf("environments file: %s.%s: a review environment takes its %s from %s; allowed settings only", ReviewKey, k, strings.Join(inheritedKeys, ", "), in)
		}
	}
	raw, err := json.Marshal(settings)
	if err != nil {
		return Review{}, fmt.Errorf("environments file: %s: %w", ReviewKey, err)
	}
	r := Review{In: Environment(in), ExpiresAfterHours: hours, overrides: raw}
	p, err := r.profile(base, LongestReview)
	if err != nil {
		return Review{}, err
	}
	if errs := validate(p); len(errs) > 0 {
		return Review{}, fmt.Errorf("environments file: %s: %w", ReviewKey, errors.Join(errs...))
	}
	return r, nil
}

// ReviewPattern is the name every review environment matches, as IAM
// patterns go: the bootstrap writes the review role's documents for it.
const ReviewPattern Environment = ReviewPrefix + "*"

// LongestReview is the longest review environment's name: the names of
// ReviewPattern are checked against AWS's limits as its.
var LongestReview = Environment(ReviewPrefix + strconv.Itoa(MaxPullRequest))

// Profile is the profile of review environment env (or of ReviewPattern)
// when the environment it runs in has the profile base.
func (r Review) Profile(base Profile, env Environment) (Profile, error) { return r.profile(base, env) }

// profile is the review environment env's profile: In's, with the block's
// settings.
func (r Review) profile(base Profile, env Environment) (Profile, error) {
	p := base
	p.Alarms.Emails = slices.Clone(base.Alarms.Emails)
	if err := strictJSON(r.overrides, &p); err != nil {
		return Profile{}, fmt.Errorf("environments file: %s: %w", ReviewKey, err)
	}
	p.Environment = env
	p.Tier = Development
	return p, nil
}

// Reviews is the review block of the environments file, and false when it
// has none.
func Reviews() (Review, bool) {
	if review == nil {
		return Review{}, false
	}
	return *review, true
}

// Home is the environment of environments.yaml whose account env runs in
// and whose bootstrap it relies on: review.in for a review environment,
// env itself otherwise.
func Home(env Environment) Environment {
	if IsReview(env) && review != nil {
		return review.In
	}
	return env
}

// EntryOf is the name the compliance waivers and the usage assumptions
// know env by: "review" (the review block's key) for every review
// environment, env itself otherwise.
func EntryOf(env Environment) Environment {
	if IsReview(env) {
		return ReviewKey
	}
	return env
}

// ParseEntry reads a name that files keyed by environment may use: an
// environment of environments.yaml, or "review" for every review
// environment when the file has a review block.
func ParseEntry(name string) (Environment, error) {
	if name == ReviewKey && review != nil {
		return ReviewKey, nil
	}
	if IsReview(Environment(name)) {
		return "", fmt.Errorf("environment %q is one review environment: name them all as %s", name, ReviewKey)
	}
	env, err := ParseEnvironment(name)
	if err != nil && review != nil {
		return "", fmt.Errorf("%w, or %s (every review environment)", err, ReviewKey)
	}
	return env, err
}

// IsReview reports whether env names a review environment.
func IsReview(env Environment) bool { return strings.HasPrefix(string(env), ReviewPrefix) }

// ReviewEnvironment is the review environment of pull request number n.
func ReviewEnvironment(n int) (Environment, error) {
	if n < 1 || n > MaxPullRequest {
		return "", fmt.Errorf("pull request number %d: allowed 1-%d", n, MaxPullRequest)
	}
	return Environment(ReviewPrefix + strconv.Itoa(n)), nil
}

// parseReviewName checks a review environment's name: the prefix and a
// pull request number GitHub can give, without leading zeros.
func parseReviewName(name string) (Environment, error) {
	if review == nil {
		return "", fmt.Errorf("review environment %q: the environments file has no %s block", name, ReviewKey)
	}
	digits := strings.TrimPrefix(name, ReviewPrefix)
	n, err := strconv.Atoi(digits)
	if err != nil || strconv.Itoa(n) != digits {
		return "", fmt.Errorf("review environment %q: allowed %s and a pull request number (for example %s4821)", name, ReviewPrefix, ReviewPrefix)
	}
	return ReviewEnvironment(n)
}

// reviewProfile is the review environment env's profile as the file
// describes it, suffix included.
func reviewProfile(env Environment) (Profile, error) {
	if _, err := parseReviewName(string(env)); err != nil {
		return Profile{}, err
	}
	return review.profile(defaults[review.In], env)
}

// KeyReviewExpires is the config key of a review environment's stacks that
// holds its expiry (RFC 3339, UTC, on the hour): review:up writes it, the
// layers tag every resource with it, review:sweep reads it back.
const KeyReviewExpires = "review:expires"

// ReviewExpiry is a review environment's expiry for a deploy at now: the
// block's hours later, on the hour, so the deploys of one hour tag alike.
func (r Review) ReviewExpiry(now time.Time) string {
	return now.UTC().Add(time.Duration(r.ExpiresAfterHours) * time.Hour).Truncate(time.Hour).Format(time.RFC3339)
}

// ReviewExpires reads a review stack's expiry from its config, naming the
// key and the value when it is missing or not a time.
func ReviewExpires(env Environment, get Lookup) (time.Time, error) {
	raw, ok := get(KeyReviewExpires)
	if !ok {
		return time.Time{}, fmt.Errorf("config %s is not set for %s: review:up sets it (an RFC 3339 time)", KeyReviewExpires, env)
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		return time.Time{}, fmt.Errorf("config %s = %q: allowed an RFC 3339 time, such as 2026-12-10T19:00:00Z", KeyReviewExpires, raw)
	}
	return t, nil
}

// WriteReviewStackFiles writes a review environment's stack files under
// root: its account, region and suffix, as env:apply writes an
// environment's, and its expiry. They are not committed (.gitignore):
// review:up writes them on every run.
func WriteReviewStackFiles(root string, p Profile, expires string) error {
	if err := WriteLayerStackFiles(root, p); err != nil {
		return err
	}
	for _, layer := range Layers() {
		if err := SetStackValue(StackFile(filepath.Join(root, layer), string(p.Environment)), KeyReviewExpires, expires); err != nil {
			return err
		}
	}
	return nil
}

// EnsureReviewStackFiles writes a review environment's stack files under
// root when it has none, with the expiry of a deploy at now: what an
// offline plan of it reads.
func EnsureReviewStackFiles(root string, env Environment, now time.Time) error {
	missing := false
	for _, layer := range Layers() {
		if _, err := os.Stat(StackFile(filepath.Join(root, layer), string(env))); err != nil {
			missing = true
		}
	}
	if !missing {
		return nil
	}
	p, err := Planned(env)
	if err != nil {
		return err
	}
	return WriteReviewStackFiles(root, p, review.ReviewExpiry(now))
}
