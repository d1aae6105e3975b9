package automation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
)

// StopGrace is how long a cancelled CLI is given to stop at a safe point
// before it is killed: the engine lets the operations in flight finish (a
// NAT gateway takes a few minutes to create), then saves the state and
// releases its lock. The pipeline's deploy step sends SIGINT at 40 minutes
// and kills at 52, inside the job's 60 (deploy-environment.yml).
const StopGrace = 10 * time.Minute

// Command runs the Pulumi CLI for the Automation API, with the stop a
// deployment needs. The Automation API's own runner kills the CLI 10 seconds
// after its context is cancelled, mid-operation, which leaves a lock and
// pending operations behind. Here the CLI runs in its own process group
// (so a terminal's Ctrl-C reaches only this process), and when the run's
// context is cancelled it gets one SIGINT, on which the engine stops
// starting new operations, finishes the ones in flight, saves the state and
// exits. Force (a second signal) or StopGrace kills it.
type Command struct {
	// Path is the CLI; "pulumi" on PATH when empty.
	Path string
	// Force, when closed, kills a CLI that is stopping.
	Force <-chan struct{}
	// Grace is StopGrace when zero.
	Grace time.Duration

	once    sync.Once
	version semver.Version
}

var _ auto.PulumiCommand = (*Command)(nil)

func (c *Command) path() string {
	if c.Path != "" {
		return c.Path
	}
	if p, err := exec.LookPath("pulumi"); err == nil {
		return p
	}
	return "pulumi"
}

// Version implements auto.PulumiCommand.
func (c *Command) Version() semver.Version {
	c.once.Do(func() {
		out, err := exec.Command(c.path(), "version").Output()
		if err != nil {
			return
		}
		if v, ok := parseVersion(string(out)); ok {
			c.version = semver.Version{Major: uint64(v[0]), Minor: uint64(v[1]), Patch: uint64(v[2])}
		}
	})
	return c.version
}

// Run implements auto.PulumiCommand.
func (c *Command) Run(ctx context.Context, workdir string, stdin io.Reader, outs, errs []io.Writer, env []string, args ...string) (string, string, int, error) {
	if !slices.Contains(args, "--non-interactive") {
		args = append(args, "--non-interactive")
	}
	cmd := exec.Command(c.path(), args...)
	cmd.Dir = workdir
	cmd.Env = append(append(os.Environ(), env...), "PULUMI_AUTOMATION_API=true")
	var stdout, stderr bytes.Buffer
	cmd.Stdout = io.MultiWriter(append(outs, &stdout)...)
	cmd.Stderr = io.MultiWriter(append(errs, &stderr)...)
	cmd.Stdin = stdin
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return "", "", -1, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = cmd.Process.Signal(os.Interrupt)
		grace := c.Grace
		if grace == 0 {
			grace = StopGrace
		}
		select {
		case err = <-done:
		case <-c.Force:
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			err = <-done
		case <-time.After(grace):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			err = <-done
		}
	}
	code := 0
	if exit, ok := errors.AsType[*exec.ExitError](err); ok {
		code = exit.ExitCode()
	} else if err != nil {
		code = -1
	}
	return stdout.String(), stderr.String(), code, err
}

// Interruptible returns a context cancelled by the first SIGINT or SIGTERM
// (what a terminal's Ctrl-C and a cancelled pipeline send) and a channel
// closed by the second, which forces the stop. stop releases the signals.
func Interruptible(out io.Writer) (ctx context.Context, force <-chan struct{}, stop func()) {
	// mage's generated main exits 5 seconds after a SIGINT, mid-stop; its
	// handler is dropped so this one decides when the run ends.
	signal.Reset(os.Interrupt, syscall.SIGTERM)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, force, release := interruptOn(sigs, out)
	return ctx, force, func() { signal.Stop(sigs); release() }
}

func interruptOn(sigs <-chan os.Signal, out io.Writer) (context.Context, <-chan struct{}, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	force := make(chan struct{})
	quit := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			fmt.Fprintf(out, "\n%s: stopping at a safe point: running layers finish their operations in flight and save their state; no new layer starts (signal again to force)\n", strings.ToUpper(s.String()))
			cancel()
		case <-quit:
			return
		}
		select {
		case s := <-sigs:
			fmt.Fprintf(out, "\n%s again: forcing the stop; `go run mage.go recover:env <env>` settles what is left\n", strings.ToUpper(s.String()))
			close(force)
		case <-quit:
		}
	}()
	var once sync.Once
	return ctx, force, func() { once.Do(func() { close(quit); cancel() }) }
}

// knownStack runs the CLI as Command does, but answers `pulumi stack
// select` of a stack the state backend holds without starting it: the
// Automation API names the stack (--stack) on every later command, so the
// selection changes nothing they do, and a no-op deployment starts four
// CLI processes fewer. A stack that is not there after all fails the
// command that follows, naming it.
type knownStack struct {
	*Command
	stack string
}

// Run implements auto.PulumiCommand.
func (k knownStack) Run(ctx context.Context, workdir string, stdin io.Reader, outs, errs []io.Writer, env []string, args ...string) (string, string, int, error) {
	if slices.Equal(args, []string{"stack", "select", "--stack", k.stack}) {
		return "", "", 0, nil
	}
	return k.Command.Run(ctx, workdir, stdin, outs, errs, env, args...)
}
