package stacktest

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/naming"
	"github.com/acmepay/platform/pkg/profile"
)

// StackConfig reads a layer's Pulumi.<env>.yaml and applies overrides; an
// empty override value removes the key.
func StackConfig(t testing.TB, layerDir, env string, overrides map[string]string) map[string]string {
	t.Helper()
	cfg, err := profile.ReadStackFile(filepath.Join(layerDir, "Pulumi."+env+".yaml"))
	require.NoError(t, err)
	for k, v := range overrides {
		if v == "" {
			delete(cfg, k)
		} else {
			cfg[k] = v
		}
	}
	return cfg
}

// MustOne returns the single resource of a type and logical name or fails.
func (r *Result) MustOne(t testing.TB, typ, name string) Resource {
	t.Helper()
	res, err := r.One(typ, name)
	require.NoError(t, err)
	return res
}

// ParsePolicy decodes an IAM policy document and checks its version.
func ParsePolicy(t testing.TB, text string) []iampolicy.Statement {
	t.Helper()
	var doc iampolicy.Document
	require.NoError(t, json.Unmarshal([]byte(text), &doc), text)
	require.Equal(t, "2012-10-17", doc.Version)
	return doc.Statement
}

// Conventions are the platform-wide rules every layer's resources follow.
type Conventions struct {
	Env, Suffix string
	// Tags are the required tags with their expected values.
	Tags map[string]string
	// Nameless lists taggable types that have no name of their own in AWS.
	Nameless map[string]bool
}

// AssertConventions checks names, tags, destroyability and the inventory of
// every resource a layer registered.
func AssertConventions(t *testing.T, res *Result, c Conventions) {
	t.Helper()
	convention := naming.Convention(c.Env, c.Suffix)
	custom, ours := 0, 0
	for _, r := range res.Resources {
		assert.False(t, r.Protect, "%s %s is protected", r.Type, r.Name)
		assert.False(t, r.RetainOnDelete, "%s %s is retained on delete", r.Type, r.Name)
		if strings.HasPrefix(r.Type, "pulumi:") {
			continue
		}
		ours++
		if !r.Custom {
			continue
		}
		custom++
		if strings.HasPrefix(r.Type, "aws:") {
			_, known := awstype.Of(r.Type)
			assert.True(t, known, "%s %s: the layer creates it, and pkg/awstype has no entry for it", r.Type, r.Name)
		}
		if name := PhysicalName(r); name != "" {
			assert.Regexp(t, convention, name, "%s %s", r.Type, r.Name)
		} else {
			assert.True(t, awstype.Untaggable(r.Type) || c.Nameless[r.Type], "%s %s has no physical name", r.Type, r.Name)
		}
		if awstype.Untaggable(r.Type) {
			assert.NotContains(t, r.Inputs, "tags", "%s is listed as untaggable but takes tags", r.Type)
			continue
		}
		tags := r.Tags()
		for k, v := range c.Tags {
			assert.Equal(t, v, tags[k], "%s %s tag %s", r.Type, r.Name, k)
		}
	}
	assert.Positive(t, custom)
	inventory, ok := res.Exports["inventory"].([]any)
	require.True(t, ok, "inventory is exported as a list")
	assert.Len(t, inventory, ours, "the inventory lists every resource and component")
}

// PhysicalName is the name a resource has in AWS.
func PhysicalName(r Resource) string { return awstype.Physical(r.Type, r.Plain()) }

// AssertRefusedBeforeAnyResource checks that a run failed with an error
// containing want, and that no AWS resource was registered before it did.
func AssertRefusedBeforeAnyResource(t *testing.T, res *Result, err error, want string) {
	t.Helper()
	require.Error(t, err)
	assert.Contains(t, err.Error(), want)
	for _, r := range res.Resources {
		assert.False(t, r.Custom, "%s %s was registered before the refusal", r.Type, r.Name)
	}
}
