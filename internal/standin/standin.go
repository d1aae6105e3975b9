// Package standin runs the in-memory AWS stand-in (internal/awsfake) as a
// process of its own, in the background, playing an environment's account
// and region as the stack files give them: the "aws" provider the Pulumi CLI
// uses (PULUMI_DEBUG_PROVIDERS), STS, SSM and the quota check's reads. With
// its settings sourced (.standin/<env>.env: those endpoints, dummy
// credentials, a file state backend of its own), the everyday targets
// bootstrap, deploy, drift-check, adopt and destroy the environment exactly
// as they would on AWS, with no account. What it holds lives in its memory:
// stopping it loses it, and starting it again starts an empty account, so
// the state backend is emptied then too.
package standin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/acmepay/platform/pkg/profile"
)

// Dir is where, under the repository, the stand-ins keep their settings,
// state backend, binary and log.
const Dir = ".standin"

// Served is what a running stand-in serves.
type Served struct {
	Account, Region string
	// ProviderPort is the gRPC port of its "aws" provider.
	ProviderPort int
	// API is the host:port of its STS, SSM, Lambda, Service Quotas and EC2
	// reads; Listing that of what it holds (GET, JSON).
	API, Listing string
	// State is the directory of the file state backend the settings name.
	State string
}

// The dummy credentials the settings export: the stand-in checks no
// signature, and they are no AWS account's.
const (
	AccessKeyID     = "AKIASTANDIN0000000000"
	SecretAccessKey = "standin-not-a-secret"
)

// Vars are the environment variables that point the CLI, the AWS SDK and
// the targets at the stand-in, in the order the settings file exports them.
func (s Served) Vars() [][2]string {
	api := "http://" + s.API
	return [][2]string{
		{"PULUMI_DEBUG_PROVIDERS", "aws:" + strconv.Itoa(s.ProviderPort)},
		{"AWS_ENDPOINT_URL_STS", api}, {"AWS_ENDPOINT_URL_SSM", api}, {"AWS_ENDPOINT_URL_LAMBDA", api},
		{"AWS_ENDPOINT_URL_SERVICE_QUOTAS", api}, {"AWS_ENDPOINT_URL_EC2", api}, {"AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API", api},
		{"AWS_ACCESS_KEY_ID", AccessKeyID}, {"AWS_SECRET_ACCESS_KEY", SecretAccessKey},
		{"AWS_REGION", s.Region}, {"AWS_EC2_METADATA_DISABLED", "true"},
		{"PULUMI_BACKEND_URL", "file://" + s.State}, {"PULUMI_SKIP_UPDATE_CHECK", "1"},
		// The stand-in is the aws provider: without this the CLI looks the
		// aws plugin up (GitHub) on every operation, to download it, and
		// offline waits out a DNS timeout first (5 s on each preview).
		{"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION", "true"},
		{"STANDIN_LISTING", "http://" + s.Listing},
	}
}

// EnvFile is the shell file that sets Vars, for `. .standin/<env>.env`.
// It unsets what would point the AWS SDK elsewhere (a profile, a session
// token).
func (s Served) EnvFile(label string, pid int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# The AWS stand-in playing %s (account %s, %s), process %d: source this file\n", label, s.Account, s.Region, pid)
	b.WriteString("# (`. .standin/<env>.env`) to point the CLI and the targets at it. Dummy credentials,\n")
	b.WriteString("# no AWS account: what it holds is lost when it stops (`go run mage.go standin:stop <env>`).\n")
	b.WriteString("unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_ENDPOINT_URL_DYNAMODB\n")
	for _, kv := range s.Vars() {
		fmt.Fprintf(&b, "export %s='%s'\n", kv[0], kv[1])
	}
	return b.String()
}

// Paths are the files of one environment's stand-in under root.
type Paths struct{ Dir, Env, PID, Log, Binary, State string }

// PathsOf are env's stand-in files under root.
func PathsOf(root, env string) (Paths, error) {
	abs, err := filepath.Abs(filepath.Join(root, Dir))
	if err != nil {
		return Paths{}, err
	}
	return Paths{Dir: abs, Env: filepath.Join(abs, env+".env"), PID: filepath.Join(abs, env+".pid"),
		Log: filepath.Join(abs, env+".log"), Binary: filepath.Join(abs, "awsfake"), State: filepath.Join(abs, env, "state")}, nil
}

// Start builds the stand-in (cmd/awsfake) and starts it in the background
// playing env's account and region from the stack files at root; it
// returns once the stand-in serves and its settings file is written. It is
// refused while env's stand-in is already running.
func Start(ctx context.Context, root, env string, out io.Writer) error {
	e, err := profile.ParseEnvironment(env)
	if err != nil {
		return err
	}
	p, err := profile.ForDeployment(root, e)
	if err != nil {
		return err
	}
	paths, err := PathsOf(root, env)
	if err != nil {
		return err
	}
	if pid, ok := running(paths); ok {
		return fmt.Errorf("the stand-in of %s is already running (process %d): `. %s` uses it; `go run mage.go standin:stop %s` stops it",
			env, pid, rel(root, paths.Env), env)
	}
	// An earlier stand-in's state describes an account that no longer exists.
	for _, stale := range []string{paths.Env, paths.PID, paths.Log, filepath.Dir(paths.State)} {
		if err := os.RemoveAll(stale); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(paths.State, 0o700); err != nil {
		return err
	}
	fmt.Fprintf(out, "building the stand-in (internal/awsfake): a few seconds, a few minutes on an empty build cache...\n")
	build := exec.CommandContext(ctx, "go", "build", "-o", paths.Binary, "./internal/awsfake/cmd/awsfake")
	build.Dir = root
	if msg, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building the stand-in: %w\n%s", err, msg)
	}
	log, err := os.Create(paths.Log)
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.Command(paths.Binary, "-account", p.AccountID, "-region", p.Region, "-env-file", paths.Env, //nolint:gosec // the binary just built
		"-state", paths.State, "-label", env)
	cmd.Stdout, cmd.Stderr = log, log
	// Its own session: it outlives this command, and a Ctrl-C in the
	// terminal that started it does not reach it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the stand-in: %w", err)
	}
	pid := cmd.Process.Pid
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	if err := os.WriteFile(paths.PID, []byte(strconv.Itoa(pid)+"\n"), 0o600); err != nil {
		return err
	}
	if err := waitFor(paths, exited); err != nil {
		_ = syscall.Kill(pid, syscall.SIGTERM)
		return err
	}
	fmt.Fprintf(out, "the stand-in of %s (account %s, %s) is running, process %d; its settings: %s\n", env, p.AccountID, p.Region, pid, rel(root, paths.Env))
	fmt.Fprintf(out, "  . %s                 # in each shell that runs the targets against it\n", rel(root, paths.Env))
	fmt.Fprintf(out, "  go run mage.go standin:show %s     # what its account holds\n", env)
	fmt.Fprintf(out, "  go run mage.go standin:stop %s     # stops it; what it holds is lost\n", env)
	return nil
}

// waitFor waits until the stand-in wrote its settings, or exited, or 60 s
// passed.
func waitFor(paths Paths, exited <-chan error) error {
	deadline := time.After(60 * time.Second)
	for {
		if _, err := os.Stat(paths.Env); err == nil {
			return nil
		}
		select {
		case err := <-exited:
			msg, _ := os.ReadFile(paths.Log)
			return fmt.Errorf("the stand-in exited before serving (%w):\n%s", err, msg)
		case <-deadline:
			return fmt.Errorf("the stand-in did not serve within 60 s; its log: %s", paths.Log)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// running is the process ID of env's stand-in, if it is running.
func running(paths Paths) (int, bool) {
	raw, err := os.ReadFile(paths.PID)
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil || pid <= 0 {
		return 0, false
	}
	// Signal 0 checks the process exists; a recycled PID is told apart by
	// the settings file, which only a serving stand-in leaves.
	if syscall.Kill(pid, 0) != nil {
		return 0, false
	}
	if _, err := os.Stat(paths.Env); err != nil {
		return 0, false
	}
	return pid, true
}

// Stop stops env's stand-in and removes its settings file, so that no shell
// sources settings of a stand-in that is gone. The state backend stays
// until the next Start empties it.
func Stop(root, env string, out io.Writer) error {
	if _, err := profile.ParseEnvironment(env); err != nil {
		return err
	}
	paths, err := PathsOf(root, env)
	if err != nil {
		return err
	}
	pid, ok := running(paths)
	if !ok {
		fmt.Fprintf(out, "the stand-in of %s is not running\n", env)
		return errors.Join(os.RemoveAll(paths.Env), os.RemoveAll(paths.PID))
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		return fmt.Errorf("stopping the stand-in of %s (process %d): %w", env, pid, err)
	}
	for i := 0; i < 100 && syscall.Kill(pid, 0) == nil; i++ {
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Fprintf(out, "the stand-in of %s (process %d) is stopped; what it held is gone\n", env, pid)
	return errors.Join(os.RemoveAll(paths.Env), os.RemoveAll(paths.PID))
}

// Resource is one resource the stand-in's account holds.
type Resource struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

// Holdings is what env's running stand-in holds.
func Holdings(ctx context.Context, root, env string) ([]Resource, error) {
	paths, err := PathsOf(root, env)
	if err != nil {
		return nil, err
	}
	if _, ok := running(paths); !ok {
		return nil, fmt.Errorf("the stand-in of %s is not running (`go run mage.go standin:start %s` starts it)", env, env)
	}
	listing := ""
	raw, err := os.ReadFile(paths.Env)
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "export STANDIN_LISTING="); ok {
			listing = strings.Trim(v, "'")
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, listing, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out []Resource
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("the stand-in's listing: %w", err)
	}
	return out, nil
}

// Show prints what env's stand-in holds, one resource a line, by type.
func Show(ctx context.Context, root, env string, out io.Writer) error {
	held, err := Holdings(ctx, root, env)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "the stand-in of %s holds %d resources:\n", env, len(held))
	for _, r := range held {
		fmt.Fprintf(out, "  %-50s %s\n", r.Type, r.Name)
	}
	return nil
}

func rel(root, path string) string {
	abs, err := filepath.Abs(root)
	if err != nil {
		return path
	}
	if r, err := filepath.Rel(abs, path); err == nil {
		return r
	}
	return path
}
