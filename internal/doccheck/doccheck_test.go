package doccheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/profile"
)

const root = "../.."

func TestCommandsJoinContinuationsAndLoopsAndCarryTheMarker(t *testing.T) {
	got := commands(`export A=1
aws s3api list --bucket "$b" \
  --query x
for layer in a b; do
  (cd "$layer" && pulumi stack rm dev --yes)
done
# a comment
# not run by the tests: needs GitHub
gh api -X PUT x
git push
`)
	require.Len(t, got, 5)
	assert.Equal(t, Command{Text: "export A=1"}, got[0])
	assert.Equal(t, "aws s3api list --bucket \"$b\" \\\n  --query x", got[1].Text)
	assert.True(t, strings.HasPrefix(got[2].Text, "for layer") && strings.HasSuffix(got[2].Text, "done"), got[2].Text)
	assert.Equal(t, Command{Text: "gh api -X PUT x", NotRun: "needs GitHub"}, got[3])
	assert.Equal(t, "needs GitHub", got[4].NotRun, "the marker holds to the block's end")
}

func TestMissingMatchesWhatTheGuidesMean(t *testing.T) {
	out := "pulumi v3\noffline plan of dev (account 123456789012, us-east-1, suffix pay01): real engine\n  network        planning... 27 to create (123ms)\nnetwork        succeeded  create=26  3.69s\n"
	assert.Empty(t, Missing([]string{
		"offline plan of dev (account <yours>, us-east-1, suffix <yours>): real engine",
		"...",
		"network        planning... 27 to create (...)",
		"network        succeeded  create=26  ...",
	}, out))
	assert.Equal(t, "network        planning... 28 to create (...)", Missing([]string{"network        planning... 28 to create (...)"}, out))
	assert.Equal(t, "offline plan of dev (account <yours>, us-east-1, suffix <yours>): real engine",
		Missing([]string{"network        succeeded  create=26  ...", "offline plan of dev (account <yours>, us-east-1, suffix <yours>): real engine"}, out), "in order")
	assert.Empty(t, Missing([]string{"pulumi v3..."}, out), "trailing dots: any text")
	assert.NotEmpty(t, Missing([]string{"network        planning... 27 to create (9ms)"}, out), "a word's own dots mid-line are text")
	assert.NotEmpty(t, Missing([]string{"network        planningX 27 to create (...)"}, out))
}

// Every command of the guides, run by the tests or not, names only targets
// that exist (with the arguments they take), files that exist, and
// variables the code reads or the block sets: a renamed target, file or
// variable fails here before a reader copies a dead command.
func TestTheGuidesNameOnlyWhatExists(t *testing.T) {
	targets := mageTargets(t)
	known := knownVariables(t)
	tracked := trackedDirs(t)
	for _, page := range Guides {
		blocks, err := Read(root, page)
		require.NoError(t, err)
		n := 0
		for _, b := range blocks {
			local := map[string]bool{}
			for _, c := range b.Commands {
				n++
				for _, m := range assignment.FindAllStringSubmatch(c.Text, -1) {
					local[m[1]+m[2]] = true
				}
				if m, ok := ParseMage(c.Text); ok && m.Target != "-l" {
					params, exists := targets[m.Target]
					if assert.True(t, exists, "%s: %q: no mage target %s", page, c.Text, m.Target) {
						assert.Len(t, m.Args, len(params), "%s: %q: %s takes %v", page, c.Text, m.Target, params)
						for i, p := range params {
							if p == "env" && i < len(m.Args) {
								_, err := profile.ParseEnvironment(m.Args[i])
								assert.NoError(t, err, "%s: %q", page, c.Text)
							}
						}
					}
					for _, kv := range m.Vars {
						assert.True(t, known[kv[0]], "%s: %q sets %s, which nothing reads", page, c.Text, kv[0])
					}
				} else if strings.Contains(c.Text, "mage.go") && !ok {
					t.Errorf("%s: %q: a mage command this check cannot read", page, c.Text)
				}
				for _, m := range reference.FindAllStringSubmatch(c.Text, -1) {
					assert.True(t, known[m[1]] || local[m[1]], "%s: %q uses $%s, which the block does not set and nothing reads", page, c.Text, m[1])
				}
				for _, p := range pathToken.FindAllString(c.Text, -1) {
					if first, _, _ := strings.Cut(p, "/"); tracked[first] && !strings.ContainsAny(p, "<*$") {
						_, err := os.Stat(filepath.Join(root, p))
						assert.NoError(t, err, "%s: %q names %s", page, c.Text, p)
					}
				}
			}
		}
		assert.NotZero(t, n, page)
	}
}

var (
	assignment = regexp.MustCompile(`(?:^|[\s;(])(?:export )?([A-Za-z_][A-Za-z0-9_]*)=|\bfor ([A-Za-z_][A-Za-z0-9_]*) in `)
	reference  = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)
	pathToken  = regexp.MustCompile(`[A-Za-z0-9_.-]+/[A-Za-z0-9_./<>*$-]+`)
)

// mageTargets reads magefile.go's targets ("deploy:env") with their
// parameters' names.
func mageTargets(t *testing.T) map[string][]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(root, "magefile.go"), nil, 0)
	require.NoError(t, err)
	lower := func(s string) string { r := []rune(s); r[0] = unicode.ToLower(r[0]); return string(r) }
	out := map[string][]string{}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || !fn.Name.IsExported() {
			continue
		}
		var params []string
		for _, p := range fn.Type.Params.List {
			for _, n := range p.Names {
				params = append(params, n.Name)
			}
		}
		name := lower(fn.Name.Name)
		if fn.Recv != nil {
			recv := fn.Recv.List[0].Type.(*ast.Ident).Name
			name = lower(recv) + ":" + name
		}
		out[name] = params
	}
	require.Contains(t, out, "deploy:env")
	return out
}

// knownVariables are the environment variables something reads: the
// code's and the workflows' own (found as quoted names in their sources),
// the CLIs' (Pulumi's and AWS's), and the shell's.
func knownVariables(t *testing.T) map[string]bool {
	t.Helper()
	known := map[string]bool{"PWD": true, "HOME": true, "AWS_PROFILE": true, "PULUMI_BACKEND_URL": true, "PULUMI_CONFIG_PASSPHRASE": true}
	quoted := regexp.MustCompile(`"([A-Z][A-Z0-9_]{3,})"`)
	for _, dir := range []string{"internal", "magefile.go", ".github"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasSuffix(path, "_test.go") {
				return err
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range quoted.FindAllStringSubmatch(string(raw), -1) {
				known[m[1]] = true
			}
			return nil
		})
		require.NoError(t, err)
	}
	return known
}

// trackedDirs are the repository's top-level directories: a path in a
// guide that starts with one must exist.
func trackedDirs(t *testing.T) map[string]bool {
	t.Helper()
	out, err := exec.Command("git", "-C", root, "ls-files").Output()
	if err != nil {
		t.Skip("git is not installed, or this is not a checkout: the tracked directories cannot be listed")
	}
	dirs := map[string]bool{}
	for _, f := range strings.Split(string(out), "\n") {
		if first, _, ok := strings.Cut(f, "/"); ok {
			dirs[first] = true
		}
	}
	return dirs
}
