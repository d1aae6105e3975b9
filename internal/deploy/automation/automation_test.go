package automation

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/pkg/v3/secrets/passphrase"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/stage"
)

func TestMissingCLIIsReportedClearly(t *testing.T) {
	cli := PulumiCLI{Lookup: func(string) (string, error) { return "", errors.New("executable file not found in $PATH") }}
	_, err := cli.Check(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the Pulumi CLI is not installed (no `pulumi` on PATH)")
}

func TestOldCLIIsRefused(t *testing.T) {
	cli := PulumiCLI{
		Lookup:  func(string) (string, error) { return "/usr/bin/pulumi", nil },
		Version: func(context.Context, string) (string, error) { return "v3.99.0", nil },
	}
	_, err := cli.Check(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the Pulumi CLI is v3.99.0: need v3.200.0 or later")

	cli.Version = func(context.Context, string) (string, error) { return "v3.274.1", nil }
	v, err := cli.Check(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "v3.274.1", v)
}

func TestBackendDefaultsToRepositoryFileBackend(t *testing.T) {
	url, err := Backend("/repo", env(nil))
	require.NoError(t, err)
	assert.Equal(t, "file:///repo/.pulumi-state", url)
	url, err = Backend("/repo", env(map[string]string{"PULUMI_BACKEND_URL": "s3://payments-pulumi-state"}))
	require.NoError(t, err)
	assert.Equal(t, "s3://payments-pulumi-state", url)
}

// In CI an unset repository variable expands to "": that must not quietly
// become a file backend the runner throws away.
func TestAnEmptyBackendURLIsAnError(t *testing.T) {
	_, err := Backend("/repo", env(map[string]string{"PULUMI_BACKEND_URL": ""}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "PULUMI_BACKEND_URL is set but empty")
}

func TestMissingPassphraseIsExplained(t *testing.T) {
	a, err := New(t.TempDir(), env(nil))
	require.NoError(t, err)
	env := map[string]string{}
	a.lookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	require.ErrorIs(t, a.Preflight(), ErrNoPassphrase)

	env["PULUMI_CONFIG_PASSPHRASE"] = "" // explicitly empty is a choice, not a mistake
	require.NoError(t, a.Preflight())
	assert.DirExists(t, strings.TrimPrefix(a.Backend, "file://"))
}

func TestLastUpdateIsTheNewestUpdateWithItsCommit(t *testing.T) {
	history := []auto.UpdateSummary{
		{Version: 9, Kind: "refresh", Result: "succeeded", Environment: map[string]string{"git.head": "ffff"}},
		{Version: 7, Kind: "update", Result: "succeeded", Environment: map[string]string{"git.head": "aaaa", "git.dirty": "false"}},
		{Version: 8, Kind: "update", Result: "failed", Environment: map[string]string{"git.head": "bbbb", "git.dirty": "true"}},
	}
	assert.Equal(t, &stage.Update{Version: 8, Commit: "bbbb", Dirty: true, Result: "failed"}, lastUpdate(history),
		"the failed update is the last one to have changed the state")
	assert.Nil(t, lastUpdate([]auto.UpdateSummary{{Version: 1, Kind: "refresh"}}))
	assert.Nil(t, lastUpdate(nil))
}

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

// A wrong passphrase is named before any layer runs: the stack file's
// encryption salt, written by the CLI when the stack was created, does not
// open with it. A stack never created has no salt and is not checked.
func TestAWrongPassphraseIsRefusedBeforeAnyLayer(t *testing.T) {
	root := t.TempDir()
	salt, _, err := passphrase.NewPassphraseSecretsManager("the team's passphrase")
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(root, "network"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "data"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "network", "Pulumi.dev.yaml"), []byte("config:\n  aws:region: us-east-1\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "data", "Pulumi.dev.yaml"), []byte("config:\n  aws:region: us-east-1\nencryptionsalt: "+salt+"\n"), 0o644))
	layers := []string{"network", "data"}
	with := func(phrase string) *Automation {
		a, err := New(root, func(k string) (string, bool) {
			if k == "PULUMI_CONFIG_PASSPHRASE" {
				return phrase, true
			}
			return "", false
		})
		require.NoError(t, err)
		return a
	}
	start := time.Now()
	err = with("last year's passphrase").CheckPassphrase("dev", layers)
	t.Logf("one check: %s", time.Since(start).Round(time.Millisecond))
	require.ErrorIs(t, err, ErrWrongPassphrase)
	assert.Contains(t, err.Error(), "PULUMI_CONFIG_PASSPHRASE is not the passphrase of dev's stacks (it does not open the encryptionsalt in data/Pulumi.dev.yaml)")
	require.NoError(t, with("the team's passphrase").CheckPassphrase("dev", layers))
	require.NoError(t, with("anything").CheckPassphrase("staging", layers), "no stack of staging was created: nothing to check")
}
