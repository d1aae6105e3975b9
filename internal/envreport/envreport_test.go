package envreport

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/profile"
)

func TestShowsTheRepositoryStacks(t *testing.T) {
	p, err := profile.FromStackFiles("../..", "prod")
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, Write(&out, p))
	assert.Contains(t, out.String(), fixture.ProdAccount)
	assert.Contains(t, out.String(), "arm64, 2048 MB")
	assert.Contains(t, out.String(), "provisioned 25/25, autoscaling max 500/500 at 70%")
}

// A fork changes its accounts and suffix in one file; Apply carries them to
// every layer's stack files, which then load as that fork's environments.
func TestApplyWritesTheForksAccountsAndSuffix(t *testing.T) {
	root := t.TempDir()
	for _, layer := range []string{"network", "data", "compute", "observability", "bootstrap"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, layer), 0o755))
		stacks := []string{"dev", "staging", "prod"}
		if layer == "bootstrap" {
			stacks = append(stacks, "tooling")
		}
		for _, env := range stacks {
			raw, err := os.ReadFile(filepath.Join("..", "..", layer, "Pulumi."+env+".yaml"))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(root, layer, "Pulumi."+env+".yaml"), raw, 0o644))
		}
	}
	fork := map[profile.Environment]string{profile.Dev: "111111111111", profile.Staging: "222222222222", profile.Prod: "333333333333"}
	require.NoError(t, Apply(root, func(env profile.Environment) (profile.Profile, error) {
		p, err := profile.Planned(env)
		p.AccountID, p.Suffix = fork[env], "acme7"
		return p, err
	}))
	for env, account := range fork {
		cfg, err := profile.ReadStackFile(filepath.Join(root, "compute", "Pulumi."+string(env)+".yaml"))
		require.NoError(t, err)
		assert.Equal(t, `["`+account+`"]`, cfg["aws:allowedAccountIds"])
		assert.Equal(t, "acme7", cfg["payments:environmentSuffix"])
		cfg, err = profile.ReadStackFile(filepath.Join(root, "bootstrap", "Pulumi."+string(env)+".yaml"))
		require.NoError(t, err)
		assert.Equal(t, `["`+account+`"]`, cfg["aws:allowedAccountIds"], "the bootstrap of %s", env)
	}
	cfg, err := profile.ReadStackFile(filepath.Join(root, "bootstrap", "Pulumi.tooling.yaml"))
	require.NoError(t, err)
	assert.Equal(t, `["`+fixture.ToolingAccount+`"]`, cfg["aws:allowedAccountIds"], "the tooling account, from the pipeline block")
	assert.Equal(t, `["dev","staging","prod"]`, cfg["bootstrap:stateEnvironments"], "other keys are kept")

	// Unchanged values leave the repository's files byte for byte.
	before, err := os.ReadFile(filepath.Join("..", "..", "data", "Pulumi.prod.yaml"))
	require.NoError(t, err)
	again := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(again, "data"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(again, "data", "Pulumi.prod.yaml"), before, 0o644))
	p, err := profile.Planned(profile.Prod)
	require.NoError(t, err)
	require.NoError(t, profile.SetStackList(filepath.Join(again, "data", "Pulumi.prod.yaml"), "aws:allowedAccountIds", []string{p.AccountID}))
	require.NoError(t, profile.SetStackValue(filepath.Join(again, "data", "Pulumi.prod.yaml"), "payments:environmentSuffix", p.Suffix))
	after, err := os.ReadFile(filepath.Join(again, "data", "Pulumi.prod.yaml"))
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after))
}

// A bad entry (a 13-digit account) is refused before any stack file is
// written, naming the environment, the value and what is allowed.
func TestApplyRefusesABadEntryBeforeWritingAnything(t *testing.T) {
	root := t.TempDir()
	var before []string
	for _, layer := range []string{"network", "data", "compute", "observability", "bootstrap"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, layer), 0o755))
		for _, env := range []string{"dev", "staging", "prod", "tooling"} {
			if env == "tooling" && layer != "bootstrap" {
				continue
			}
			raw, err := os.ReadFile(filepath.Join("..", "..", layer, "Pulumi."+env+".yaml"))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(root, layer, "Pulumi."+env+".yaml"), raw, 0o644))
			before = append(before, string(raw))
		}
	}
	err := Apply(root, func(env profile.Environment) (profile.Profile, error) {
		p, err := profile.Planned(env)
		if env == profile.Staging {
			p.AccountID = fixture.StagingAccount + "4"
		}
		return p, err
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "env:apply refused, nothing written:\npkg/profile/environments.yaml: staging:\n")
	assert.Contains(t, err.Error(), `staging.accountId = "`+fixture.StagingAccount+`4": allowed exactly 12 digits`)
	var after []string
	for _, layer := range []string{"network", "data", "compute", "observability", "bootstrap"} {
		for _, env := range []string{"dev", "staging", "prod", "tooling"} {
			if env == "tooling" && layer != "bootstrap" {
				continue
			}
			raw, err := os.ReadFile(filepath.Join(root, layer, "Pulumi."+env+".yaml"))
			require.NoError(t, err)
			after = append(after, string(raw))
		}
	}
	assert.Equal(t, before, after, "no stack file changed")
}
