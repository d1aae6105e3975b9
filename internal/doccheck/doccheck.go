// Package doccheck reads the shell blocks of the guides (docs/first-deploy.md,
// docs/bootstrap.md, docs/operations.md) and the output each says to
// expect, so that tests can run the commands as written and compare what
// they print. A command the tests cannot run (it needs GitHub, or a real AWS
// account) follows a comment line "# not run by the tests: <why>" in its
// block; the names such commands use are still checked.
package doccheck

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Guides are the pages whose shell blocks are run by tests.
var Guides = []string{"docs/first-deploy.md", "docs/bootstrap.md", "docs/operations.md"}

// NotRunMarker starts the comment line that marks the rest of its block as
// not run by the tests, with the reason after the colon.
const NotRunMarker = "# not run by the tests:"

// Block is one shell block and the output block after it, if any.
type Block struct {
	Commands []Command
	Expected []string
}

// Command is one command of a block: a line, or a line with its
// continuations (a trailing backslash) or a for loop through its done.
type Command struct {
	Text string
	// NotRun is why the tests do not run it ("" when they do).
	NotRun string
}

var blockPattern = regexp.MustCompile("(?s)```sh\n(.*?)```\n(?:\n```\n(.*?)```\n)?")

// Read reads a page's blocks, in order.
func Read(root, page string) ([]Block, error) {
	raw, err := os.ReadFile(filepath.Join(root, page))
	if err != nil {
		return nil, err
	}
	var blocks []Block
	for _, m := range blockPattern.FindAllStringSubmatch(string(raw), -1) {
		b := Block{Commands: commands(m[1])}
		if m[2] != "" {
			b.Expected = strings.Split(strings.TrimRight(m[2], "\n"), "\n")
		}
		blocks = append(blocks, b)
	}
	if len(blocks) == 0 {
		return nil, fmt.Errorf("%s has no shell block", page)
	}
	return blocks, nil
}

func commands(body string) []Command {
	var out []Command
	notRun := ""
	var cur []string
	loop := false
	for _, line := range strings.Split(strings.TrimRight(body, "\n"), "\n") {
		trimmed := strings.TrimSpace(line)
		if len(cur) == 0 {
			if reason, ok := strings.CutPrefix(trimmed, NotRunMarker); ok {
				notRun = strings.TrimSpace(reason)
				continue
			}
			if trimmed == "" || strings.HasPrefix(trimmed, "#") {
				continue
			}
			loop = strings.HasPrefix(trimmed, "for ")
		}
		cur = append(cur, line)
		switch {
		case loop && trimmed != "done":
		case strings.HasSuffix(trimmed, `\`):
		default:
			out = append(out, Command{Text: strings.Join(cur, "\n"), NotRun: notRun})
			cur, loop = nil, false
		}
	}
	return out
}

// Mage is a `go run mage.go <target> <args>` command with the variables
// set before it.
type Mage struct {
	Vars   [][2]string
	Target string
	Args   []string
}

var magePattern = regexp.MustCompile(`^((?:[A-Z_]+=\S+ )*)go run mage\.go ([a-zA-Z]+(?::[a-zA-Z]+)?|-l)((?: [^\s#]+)*)\s*(?:#.*)?$`)

// ParseMage reads a mage command; false for any other command.
func ParseMage(text string) (Mage, bool) {
	m := magePattern.FindStringSubmatch(strings.TrimSpace(text))
	if m == nil {
		return Mage{}, false
	}
	var vars [][2]string
	for _, assign := range strings.Fields(m[1]) {
		k, v, _ := strings.Cut(assign, "=")
		vars = append(vars, [2]string{k, v})
	}
	return Mage{Vars: vars, Target: m[2], Args: strings.Fields(m[3])}, true
}

// Missing returns the first expected line the output does not hold, in
// order ("" when it holds them all). A line "..." stands for any lines; in
// a line, " ...", "(...)" and a trailing "..." stand for any text (the dots
// of "planning... 27" are text), and a placeholder such as <yours> for any
// word; runs of spaces match any spacing.
func Missing(expected []string, output string) string {
	lines := strings.Split(output, "\n")
	i := 0
	for _, want := range expected {
		want = strings.TrimSpace(want)
		if want == "..." || want == "" {
			continue
		}
		re := linePattern(want)
		for ; i < len(lines); i++ {
			if re.MatchString(strings.TrimSpace(lines[i])) {
				break
			}
		}
		if i == len(lines) {
			return want
		}
		i++
	}
	return ""
}

var placeholder = regexp.MustCompile(`<[a-z][a-z -]*>`)

func linePattern(want string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for len(want) > 0 {
		switch {
		case want == "...":
			b.WriteString(`.*`)
			want = ""
		case strings.HasPrefix(want, "(...)"):
			b.WriteString(`\(.*\)`)
			want = want[5:]
		case want[0] == ' ':
			want = strings.TrimLeft(want, " ")
			if rest, ok := strings.CutPrefix(want, "..."); ok {
				b.WriteString(`\s+.*`)
				want = rest
			} else {
				b.WriteString(`\s+`)
			}
		case placeholder.MatchString(want) && placeholder.FindStringIndex(want)[0] == 0:
			loc := placeholder.FindStringIndex(want)
			b.WriteString(`\S+?`)
			want = want[loc[1]:]
		default:
			b.WriteString(regexp.QuoteMeta(want[:1]))
			want = want[1:]
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}
