package stage

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The vocabulary is a leaf: it imports nothing of the project's, so the
// orchestration, the runners and the offline plan can all depend on it.
func TestTheVocabularyImportsNothingOfTheProjects(t *testing.T) {
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	files := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), e.Name(), nil, parser.ImportsOnly)
		require.NoError(t, err)
		files++
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			require.NoError(t, err)
			assert.False(t, strings.HasPrefix(path, "github.com/acmepay/"), "%s imports %s", e.Name(), path)
		}
	}
	assert.Positive(t, files)
}

func TestTheGraphIsInDeploymentOrderAndDestroyedInReverse(t *testing.T) {
	deps := map[string][]string{"b": {"a"}, "c": {"a", "b"}}
	reads := func(reader, up string) []string { return []string{up + "-out-" + reader} }
	g := NewGraph([]string{"a", "b", "c"}, func(l string) []string { return deps[l] }, reads)
	require.NoError(t, ValidateGraph(g))
	assert.Equal(t, map[string][]string{"a": {"a-out-c"}, "b": {"b-out-c"}}, g[2].Reads)
	var names []string
	for _, l := range DestroyOrder(g) {
		names = append(names, l.Name)
	}
	assert.Equal(t, []string{"c", "b", "a"}, names)

	err := ValidateGraph(NewGraph([]string{"b", "a"}, func(l string) []string { return deps[l] }, reads))
	require.Error(t, err)
	assert.Equal(t, "layer b depends on a, which is not listed before it", err.Error())
	err = ValidateGraph([]Layer{{Name: "a"}, {Name: "a"}})
	require.Error(t, err)
	assert.Equal(t, "layer a is listed twice", err.Error())
}
