// Package moto runs moto_server, an AWS emulator written outside this
// project, as the second cloud of the tests: every call the code makes to
// AWS directly is checked against it as well as against the project's own
// stand-in (internal/awsfake). Where the two disagree, AWS's documentation
// decides (docs/testing.md lists each disagreement and its source).
//
// A test starts its own server on a free loopback port and stops it by its
// process ID when it ends. Without moto_server the test is skipped, saying
// so; with MOTO_REQUIRED=1 (CI sets it) it fails instead.
package moto

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Version is the moto release the tests are written against.
const Version = "5.2.1"

// Server is one running moto_server.
type Server struct {
	// URL is its endpoint, for every service ("http://127.0.0.1:<port>").
	URL string
	// Account is the account its default credentials belong to.
	Account string
	cmd     *exec.Cmd
	stopped bool
}

// Stop stops the server by its process ID (and any worker it started);
// the test's cleanup does it too.
func (s *Server) Stop() {
	if s.stopped {
		return
	}
	s.stopped = true
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	_ = s.cmd.Wait()
}

// command finds moto_server, or python3 -m moto.server.
func command() ([]string, error) {
	if path, err := exec.LookPath("moto_server"); err == nil {
		return []string{path}, nil
	}
	if py, err := exec.LookPath("python3"); err == nil && exec.Command(py, "-c", "import moto.server").Run() == nil {
		return []string{py, "-m", "moto.server"}, nil
	}
	return nil, errors.New("moto_server is not installed (pip install 'moto[server]==" + Version + "'); " +
		"the second-cloud tests need it, and CI requires it (MOTO_REQUIRED=1)")
}

// Start runs a moto_server whose default account is account, and stops it
// when the test ends.
func Start(t testing.TB, account string) *Server {
	t.Helper()
	argv, err := command()
	if err != nil {
		if os.Getenv("MOTO_REQUIRED") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatalf("moto: a free port: %v", err)
	}
	cmd := exec.Command(argv[0], append(argv[1:], "-H", "127.0.0.1", "-p", strconv.Itoa(port))...) //nolint:gosec // the tests' own server
	// The server gets none of the test's AWS settings (endpoints pointing at
	// the stand-in, its keys), which moto's own AWS client would read.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "MOTO_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "MOTO_ACCOUNT_ID="+account)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	log, err := os.CreateTemp(t.TempDir(), "moto-*.log")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("moto: starting %v: %v", argv, err)
	}
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), Account: account, cmd: cmd}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() { // what moto saw, for the failure's reader
			out, _ := os.ReadFile(log.Name())
			t.Logf("moto's log (%s):\n%s", s.URL, tail(string(out), 60))
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/moto-api/") //nolint:noctx // a readiness probe of the test's own server
		if err == nil {
			_ = resp.Body.Close()
			return s
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(log.Name())
			t.Fatalf("moto: %v did not answer on %s within 30 s: %v\n%s", argv, s.URL, err, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Config is an AWS SDK configuration for the server with static
// credentials: moto's default account's with "testing", or the session
// keys AssumeRole returned.
func (s *Server) Config(creds aws.Credentials) aws.Config {
	if creds.AccessKeyID == "" {
		creds = aws.Credentials{AccessKeyID: "testing", SecretAccessKey: "testing"}
	}
	// Built by hand, not from the environment: a service's endpoint
	// variable (AWS_ENDPOINT_URL_SSM, say, pointing at the stand-in) would
	// win over the base endpoint.
	return aws.Config{
		Region: "us-east-1", BaseEndpoint: aws.String(s.URL),
		Credentials: aws.NewCredentialsCache(credentials.StaticCredentialsProvider{Value: creds}),
	}
}

// Env points the process's AWS SDK at the server, as a user's environment
// would (AWS_ENDPOINT_URL and static keys), for code that loads its own
// configuration; t.Setenv undoes it when the test ends.
func (s *Server) Env(t testing.TB, creds aws.Credentials) {
	t.Helper()
	if creds.AccessKeyID == "" {
		creds = aws.Credentials{AccessKeyID: "testing", SecretAccessKey: "testing"}
	}
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": s.URL, "AWS_ACCESS_KEY_ID": creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY": creds.SecretAccessKey,
		"AWS_SESSION_TOKEN": creds.SessionToken, "AWS_REGION": "us-east-1", "AWS_PROFILE": "", "AWS_CONFIG_FILE": os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "AWS_EC2_METADATA_DISABLED": "true",
		// A service's own endpoint variable wins over AWS_ENDPOINT_URL.
		"AWS_ENDPOINT_URL_STS": s.URL, "AWS_ENDPOINT_URL_SSM": s.URL, "AWS_ENDPOINT_URL_LAMBDA": s.URL,
		"AWS_ENDPOINT_URL_SERVICE_QUOTAS": s.URL, "AWS_ENDPOINT_URL_EC2": s.URL, "AWS_ENDPOINT_URL_IAM": s.URL,
		"AWS_ENDPOINT_URL_S3": s.URL, "AWS_ENDPOINT_URL_DYNAMODB": s.URL, "AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API": s.URL,
	} {
		t.Setenv(k, v)
	}
}

// DefaultConfig is Config with the default account's credentials.
func (s *Server) DefaultConfig() aws.Config { return s.Config(aws.Credentials{}) }
