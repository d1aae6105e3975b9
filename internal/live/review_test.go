package live

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/awsfake"
	"github.com/acmepay/platform/internal/gittest"
	"github.com/acmepay/platform/internal/workbench"
	"github.com/acmepay/platform/pkg/profile"
)

// taggedFor counts what the account holds tagged for an environment.
func taggedFor(cloud *awsfake.Cloud, env string) int {
	n := 0
	for _, r := range cloud.Resources() {
		if tags, ok := r.Inputs["tags"]; ok && tags.IsObject() {
			if e, ok := tags.ObjectValue()["Environment"]; ok && e.IsString() && e.StringValue() == env {
				n++
			}
		}
	}
	return n
}

// Two pull requests' review environments beside dev, in dev's account,
// through the real CLI and the targets' own code: dev deployed by its
// deployer, the review environments by the review role (every call
// evaluated under its live documents, as dev's bootstrap made them). Each
// gets its own names; the sweep destroys the expired one and keeps the
// other; review:down destroys the other, its stacks and their state; a
// review:down of dev is refused; nothing of the review environments is
// left, and dev is as it was.
func TestReviewEnvironmentsBesideDevThroughThePulumiCLI(t *testing.T) {
	root := gittest.Clone(t, filepath.Join("..", ".."))
	o := newOrg(t, root)
	ctx := context.Background()
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "live-tier")
	o.as(t, o.dev, adminKey)
	bootstrapAccount(t, ctx, root, &bytes.Buffer{})

	out := &bytes.Buffer{}
	opts := func(now time.Time) workbench.Options {
		return workbench.Options{Root: root, Lookup: os.LookupEnv, Out: out, Now: func() time.Time { return now }}
	}
	timed := func(name string, f func() error) {
		t.Helper()
		out.Reset()
		start := time.Now()
		require.NoError(t, f(), "%s:\n%s", name, out)
		t.Logf("%s: %s", name, time.Since(start).Round(100*time.Millisecond))
	}
	now := time.Now()
	o.as(t, o.dev, deployerKey)
	timed("dev's first deploy", func() error { return workbench.Deploy(ctx, "dev", opts(now)) })
	timed("dev's no-op deploy", func() error { return workbench.Deploy(ctx, "dev", opts(now)) })
	devResources := taggedFor(o.dev.cloud, "dev")

	o.as(t, o.dev, reviewKey)
	timed("pr-101's first deploy", func() error { return workbench.ReviewUp(ctx, "pr-101", opts(now)) })
	timed("pr-101's no-op deploy", func() error { return workbench.ReviewUp(ctx, "pr-101", opts(now)) })
	assert.Contains(t, out.String(), "same=", "a second review:up in the same hour changes nothing")
	assert.NotContains(t, out.String(), "update=")
	// pr-102 was last deployed four days ago: past its expiry.
	timed("pr-102's first deploy", func() error { return workbench.ReviewUp(ctx, "pr-102", opts(now.Add(-96*time.Hour))) })
	reviewResources := taggedFor(o.dev.cloud, "pr-101")
	assert.Greater(t, reviewResources, 20, "a review environment's tagged resources")
	assert.Equal(t, reviewResources, taggedFor(o.dev.cloud, "pr-102"), "both review environments, each with its own names")
	assert.Equal(t, devResources, taggedFor(o.dev.cloud, "dev"), "dev beside them")
	for _, r := range o.dev.cloud.Resources() {
		if name, ok := r.Inputs["name"]; ok && name.IsString() && strings.Contains(name.StringValue(), "-pr-101-") {
			assert.NotContains(t, name.StringValue(), "-pr-102-")
		}
	}

	timed("review:sweep", func() error { return workbench.ReviewSweep(ctx, opts(now)) })
	assert.Contains(t, out.String(), "pr-101: kept, expires")
	assert.Contains(t, out.String(), "pr-102: expired")
	assert.Contains(t, out.String(), "pr-102 destroyed, its stacks and their state removed")
	assert.Contains(t, out.String(), "0 resources tagged for a review environment whose stacks are gone")
	assert.Zero(t, taggedFor(o.dev.cloud, "pr-102"), "the sweep destroyed the expired one")
	assert.Equal(t, reviewResources, taggedFor(o.dev.cloud, "pr-101"), "and kept the other")

	err := workbench.ReviewDown(ctx, "dev", opts(now))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `review:down: "dev" is not a review environment: allowed pr-<pull request number>`)

	timed("pr-101's destroy (review:down)", func() error { return workbench.ReviewDown(ctx, "pr-101", opts(now)) })
	assert.Zero(t, taggedFor(o.dev.cloud, "pr-101"))
	assert.Equal(t, devResources, taggedFor(o.dev.cloud, "dev"), "dev is as it was")
	var left []string
	require.NoError(t, filepath.WalkDir(filepath.Join(root, ".pulumi-state"), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(path, "pr-10") {
			left = append(left, path)
		}
		return err
	}))
	assert.Empty(t, left, "no state of a review environment is left in the backend (the file backend keeps empty directories, which S3 has not)")
	for _, layer := range profile.Layers() {
		assert.NoFileExists(t, profile.StackFile(filepath.Join(root, layer), "pr-101"))
	}
}
