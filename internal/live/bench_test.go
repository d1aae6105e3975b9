package live

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/gittest"
)

// BenchmarkNoOpDeploy times `go run mage.go deploy:env dev` of an unchanged
// dev as a user runs it, command and all, against the stand-in
// `standin:start` serves (its settings sourced as the guide says), each
// run paired with `go run mage.go plan:env dev`. It reports the whole
// command, the offline plan, their ratio, and each stage of the breakdown
// the deploy's output ends with. The setup (a clone, the stand-in, the
// bootstrap and a first deploy, both commands built once) is not timed.
//
//	go test ./internal/live -run '^$' -bench NoOpDeploy -benchtime 4x
func BenchmarkNoOpDeploy(b *testing.B) {
	requireCLI(b)
	root := gittest.Clone(b, filepath.Join("..", ".."))
	run := func(args ...string) (string, time.Duration) {
		b.Helper()
		cmd := exec.Command("go", append([]string{"run", "mage.go"}, args...)...)
		cmd.Dir = root
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		err := cmd.Run()
		took := time.Since(start)
		require.NoError(b, err, "go run mage.go %s:\n%s", strings.Join(args, " "), out.String())
		return out.String(), took
	}
	run("standin:start", "dev")
	b.Cleanup(func() { run("standin:stop", "dev") })
	b.Setenv("PULUMI_HOME", b.TempDir())
	b.Setenv("PULUMI_CONFIG_PASSPHRASE", "benchmark")
	sourced, err := exec.Command("bash", "-c", `. "$1" >/dev/null && env -0`, "bash", filepath.Join(root, ".standin", "dev.env")).Output()
	require.NoError(b, err)
	for _, kv := range strings.Split(string(sourced), "\x00") {
		if k, v, ok := strings.Cut(kv, "="); ok && (strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "PULUMI_") || k == "STANDIN_LISTING") {
			b.Setenv(k, v)
		}
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_SESSION_TOKEN"} {
		b.Setenv(k, "")
		require.NoError(b, os.Unsetenv(k))
	}
	run("bootstrap:env", "dev")
	run("deploy:env", "dev")
	run("plan:env", "dev")

	stages := map[string]float64{}
	var deploys, plans time.Duration
	line := regexp.MustCompile(`(?m)^time: (.*)$`)
	b.ResetTimer()
	for range b.N {
		out, took := run("deploy:env", "dev")
		deploys += took
		b.StopTimer()
		m := line.FindStringSubmatch(out)
		require.NotNil(b, m, "the deploy's output ends with its breakdown:\n%s", out)
		for _, part := range strings.Split(m[1], ", ") {
			i := strings.LastIndex(part, " ")
			secs, err := strconv.ParseFloat(strings.TrimSuffix(part[i+1:], "s"), 64)
			require.NoError(b, err, part)
			stages[part[:i]] += secs
		}
		_, planTook := run("plan:env", "dev")
		plans += planTook
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(deploys.Seconds()/n, "deploy-s/op")
	b.ReportMetric(plans.Seconds()/n, "plan-s/op")
	b.ReportMetric(deploys.Seconds()/plans.Seconds(), "deploy/plan")
	for name, secs := range stages {
		b.ReportMetric(secs/n, strings.ReplaceAll(name, " ", "-")+"-s/op")
	}
}
