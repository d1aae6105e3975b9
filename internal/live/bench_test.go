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
	"github.com/acmepay/platform/pkg/profile"
)

// BenchmarkDeploy times `go run mage.go deploy:env dev` as a user runs it,
// command and all, against the stand-in `standin:start` serves (its
// settings sourced as the guide says), in three cases:
//   - first: a first deployment of dev (each run after an untimed
//     `destroy:env dev`, the bootstrap left standing);
//   - no-op: a deployment of an unchanged dev, each run paired with `go run
//     mage.go plan:env dev`, and their ratio;
//   - one-setting: a deployment that changes one setting of one layer (the
//     function's memory in compute's stack file, a new value each run).
//
// Each reports the whole command and each stage of the breakdown the
// deploy's output ends with. The setup (a clone, the stand-in, the
// bootstrap and a first deploy, both commands built once) is not timed.
//
//	go test ./internal/live -run '^$' -bench Deploy -benchtime 4x
func BenchmarkDeploy(b *testing.B) {
	requireCLI(b)
	root := gittest.Clone(b, filepath.Join("..", ".."))
	run := func(b *testing.B, args ...string) (string, time.Duration) {
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
	run(b, "standin:start", "dev")
	b.Cleanup(func() { run(b, "standin:stop", "dev") })
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
	run(b, "bootstrap:env", "dev")
	run(b, "deploy:env", "dev")
	run(b, "plan:env", "dev")

	// timed runs the deploy b.N times, between and after untimed steps,
	// and reports its time and each stage of its breakdown.
	timed := func(b *testing.B, before, after func(b *testing.B)) time.Duration {
		stages := map[string]float64{}
		var deploys time.Duration
		line := regexp.MustCompile(`(?m)^time: (.*)$`)
		b.ResetTimer()
		for range b.N {
			b.StopTimer()
			before(b)
			b.StartTimer()
			out, took := run(b, "deploy:env", "dev")
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
			after(b)
			b.StartTimer()
		}
		n := float64(b.N)
		b.ReportMetric(deploys.Seconds()/n, "deploy-s/op")
		for name, secs := range stages {
			b.ReportMetric(secs/n, strings.ReplaceAll(name, " ", "-")+"-s/op")
		}
		return deploys
	}
	nothing := func(*testing.B) {}

	b.Run("first", func(b *testing.B) {
		timed(b, func(b *testing.B) { run(b, "destroy:env", "dev") }, nothing)
	})
	b.Run("no-op", func(b *testing.B) {
		var plans time.Duration
		deploys := timed(b, nothing, func(b *testing.B) {
			_, took := run(b, "plan:env", "dev")
			plans += took
		})
		b.ReportMetric(plans.Seconds()/float64(b.N), "plan-s/op")
		b.ReportMetric(deploys.Seconds()/plans.Seconds(), "deploy/plan")
	})
	mb := 640
	b.Run("one-setting", func(b *testing.B) {
		timed(b, func(b *testing.B) {
			mb += 64
			require.NoError(b, profile.SetStackValue(filepath.Join(root, "compute", "Pulumi.dev.yaml"), "payments:lambdaMemoryMb", strconv.Itoa(mb)))
		}, nothing)
	})
}
