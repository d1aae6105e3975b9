// Package gittest gives tests a repository of their own: a clone of this
// one, where they commit as they like.
package gittest

import (
	"os/exec"
	"strings"
	"testing"
)

// Clone clones the repository at root (its HEAD) into a temporary
// directory, with an identity for the commits the test makes, and returns
// the directory. It skips the test when git is not installed.
func Clone(t testing.TB, root string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: the test needs a repository of its own")
	}
	dir := t.TempDir()
	Git(t, root, "clone", "--quiet", "--no-hardlinks", ".", dir)
	// The clone is on main whatever the repository is on (a detached HEAD
	// in CI, a feature branch on a workstation): the tests speak of main.
	Git(t, dir, "switch", "--quiet", "--force-create", "main")
	for k, v := range map[string]string{
		"GIT_AUTHOR_NAME": "Platform Tests", "GIT_AUTHOR_EMAIL": "platform-tests@example.com",
		"GIT_COMMITTER_NAME": "Platform Tests", "GIT_COMMITTER_EMAIL": "platform-tests@example.com",
	} {
		t.Setenv(k, v)
	}
	return dir
}

// Git runs git in dir and returns its output, failing the test on an error.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// Commit commits every change in dir and returns the commit's hash.
func Commit(t testing.TB, dir, message string) string {
	t.Helper()
	Git(t, dir, "add", "-A")
	Git(t, dir, "commit", "--quiet", "--allow-empty", "-m", message)
	return Git(t, dir, "rev-parse", "HEAD")
}
