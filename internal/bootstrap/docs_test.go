package bootstrap

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/workload"
)

// docs/bootstrap.md's steps that need real AWS or GitHub cannot run here.
// What they name must exist all the same: every target they run, every
// file and document they name, every setting and variable they set, every
// role and policy. (The steps that can run against the stand-in run in this
// package's and internal/offline's tests, and in the live tier.)
func TestTheBootstrapProcedureNamesOnlyWhatExists(t *testing.T) {
	root := filepath.Join("..", "..")
	raw, err := os.ReadFile(filepath.Join(root, "docs", "bootstrap.md"))
	require.NoError(t, err)
	doc := string(raw)
	magefile, err := os.ReadFile(filepath.Join(root, "magefile.go"))
	require.NoError(t, err)

	targets := regexp.MustCompile(`go run mage\.go ([a-z]+)(?::([a-zA-Z]+))?`).FindAllStringSubmatch(doc, -1)
	require.NotEmpty(t, targets)
	for _, m := range targets {
		var decl string
		if m[2] == "" {
			decl = "func " + title(m[1]) + "("
		} else {
			decl = "func (" + title(m[1]) + ") " + title(m[2]) + "("
		}
		assert.Contains(t, string(magefile), decl, "docs/bootstrap.md runs `go run mage.go %s`, which magefile.go must declare", strings.TrimPrefix(m[0], "go run mage.go "))
	}

	// Every document the procedure names is one the targets write.
	written := map[string]bool{}
	for _, env := range profile.Environments() {
		files, err := Files(account(t, env))
		require.NoError(t, err)
		for _, f := range files {
			written[f.Name] = true
		}
	}
	for _, f := range ToolingFiles(tool(t)) {
		written[f.Name] = true
	}
	for _, name := range regexp.MustCompile("`(?:dist/bootstrap/[a-z]+/)?([a-z-]+\\.json)`").FindAllStringSubmatch(doc, -1) {
		assert.True(t, written[name[1]], "docs/bootstrap.md names %s, which bootstrap:policies and bootstrap:statePolicies do not write", name[1])
	}
	for name := range written {
		assert.Contains(t, doc, strings.TrimSuffix(strings.TrimPrefix(name, "deployer-network-guardrail"), ".json"), "docs/bootstrap.md describes %s", name)
	}

	// Files and directories of the repository.
	for _, path := range regexp.MustCompile("`((?:bootstrap|pkg|docs|internal|\\.github)/[A-Za-z0-9_./-]*)`").FindAllStringSubmatch(doc, -1) {
		_, err := os.Stat(filepath.Join(root, path[1]))
		assert.NoError(t, err, "docs/bootstrap.md names %s", path[1])
	}
	for _, workflow := range regexp.MustCompile("`([a-z-]+\\.yml)`").FindAllStringSubmatch(doc, -1) {
		_, err := os.Stat(filepath.Join(root, ".github", "workflows", workflow[1]))
		assert.NoError(t, err, "docs/bootstrap.md names the workflow %s", workflow[1])
	}

	// Settings: the pipeline block's keys and the bootstrap stacks' keys.
	environments, err := os.ReadFile(filepath.Join(root, "pkg", "profile", "environments.yaml"))
	require.NoError(t, err)
	for _, key := range []string{"adminRole", "breakGlassPrincipals"} {
		assert.Contains(t, doc, "`"+key+"`")
		assert.Contains(t, string(environments), key+":")
	}
	program, err := os.ReadFile(filepath.Join(root, "bootstrap", "bootstrapstack", "program.go"))
	require.NoError(t, err)
	for _, key := range regexp.MustCompile("`bootstrap:([a-zA-Z]+)(?:: true)?`").FindAllStringSubmatch(doc, -1) {
		if slices.Contains([]string{"env", "state", "destroy", "destroyState", "policies", "statePolicies"}, key[1]) {
			continue // a target, checked above
		}
		assert.Contains(t, string(program), `"`+key[1]+`"`, "docs/bootstrap.md sets bootstrap:%s, which the bootstrap program must read", key[1])
	}

	// Variables the workflows read.
	var workflows strings.Builder
	entries, err := os.ReadDir(filepath.Join(root, ".github", "workflows"))
	require.NoError(t, err)
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(root, ".github", "workflows", e.Name()))
		require.NoError(t, err)
		workflows.Write(raw)
	}
	for _, v := range []string{"AWS_ROLE_ARN", "PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "AWS_ACCESS_CONFIGURED", "DRIFT_APP_CLIENT_ID", "DRIFT_APP_PRIVATE_KEY"} {
		assert.Contains(t, doc, v)
		assert.Contains(t, workflows.String(), v, "docs/bootstrap.md asks for %s, which a workflow must read", v)
	}

	// Roles, policies and parameters by their names in the code.
	for _, name := range []string{bootstrapiam.DeployerRoleName, bootstrapiam.ReadOnlyRoleName, bootstrapiam.ReviewRoleName, bootstrapiam.VersionParameter, bootstrapiam.StateKeyAlias} {
		assert.Contains(t, doc, name)
	}
	for _, name := range regexp.MustCompile(`payments-[a-z-]+`).FindAllString(doc, -1) {
		known := []string{bootstrapiam.DeployerRoleName, bootstrapiam.ReadOnlyRoleName, bootstrapiam.BreakGlassRoleName, bootstrapiam.DeployerBoundaryName,
			bootstrapiam.DeployerGuardrailName, bootstrapiam.ReadOnlyPolicyName, bootstrapiam.ReviewRoleName, "payments-pulumi-state", strings.Trim(workload.RolePath, "/")}
		known = append(known, bootstrapiam.NetworkGuardrailNames...)
		assert.True(t, slices.ContainsFunc(known, func(k string) bool { return strings.HasPrefix(k, name) || strings.HasPrefix(name, k) }),
			"docs/bootstrap.md names %s, which is not a name bootstrap gives", name)
	}
}

func title(s string) string { return strings.ToUpper(s[:1]) + s[1:] }
