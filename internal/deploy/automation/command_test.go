package automation

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scriptCLI writes a shell script standing in for the Pulumi CLI.
func scriptCLI(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pulumi")
	require.NoError(t, os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755))
	return path
}

func TestCommandPassesArgumentsAsTheAutomationAPIDoes(t *testing.T) {
	c := &Command{Path: scriptCLI(t, `echo "$@ $PULUMI_AUTOMATION_API $EXTRA"`)}
	stdout, _, code, err := c.Run(context.Background(), t.TempDir(), nil, nil, nil, []string{"EXTRA=x"}, "up", "--yes")
	require.NoError(t, err)
	assert.Equal(t, 0, code)
	assert.Equal(t, "up --yes --non-interactive true x\n", stdout)
}

func TestCancelledCommandStopsAtASafePoint(t *testing.T) {
	c := &Command{Path: scriptCLI(t, `trap 'echo "saving state"; exit 255' INT
echo started
while :; do sleep 0.05; done
`)}
	ctx, cancel := context.WithCancel(context.Background())
	started := &lineWaiter{want: "started\n", seen: make(chan struct{})}
	go func() { <-started.seen; cancel() }()
	stdout, _, code, err := c.Run(ctx, t.TempDir(), nil, []io.Writer{started}, nil, nil, "up")
	require.Error(t, err)
	assert.Equal(t, 255, code, "the CLI exits on its own, after saving")
	assert.Equal(t, "started\nsaving state\n", stdout)
}

func TestSecondSignalForcesTheStop(t *testing.T) {
	force := make(chan struct{})
	// The CLI goes on after the first signal, and says it got it.
	c := &Command{Path: scriptCLI(t, "trap 'echo ignored' INT\necho started\nwhile :; do sleep 0.05; done\n"), Force: force}
	ctx, cancel := context.WithCancel(context.Background())
	started := &lineWaiter{want: "started\n", seen: make(chan struct{})}
	ignored := &lineWaiter{want: "ignored\n", seen: make(chan struct{})}
	go func() {
		<-started.seen
		cancel()
		<-ignored.seen
		close(force)
	}()
	_, _, code, err := c.Run(ctx, t.TempDir(), nil, []io.Writer{started, ignored}, nil, nil, "up")
	require.Error(t, err)
	assert.Equal(t, -1, code, "killed")
}

func TestGraceEndsTheStop(t *testing.T) {
	c := &Command{Path: scriptCLI(t, "trap '' INT\necho started\nwhile :; do sleep 0.05; done\n"), Grace: 300 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	started := &lineWaiter{want: "started\n", seen: make(chan struct{})}
	go func() { <-started.seen; cancel() }()
	_, _, code, err := c.Run(ctx, t.TempDir(), nil, []io.Writer{started}, nil, nil, "up")
	require.Error(t, err)
	assert.Equal(t, -1, code)
}

func TestFirstSignalCancelsSecondForces(t *testing.T) {
	sigs := make(chan os.Signal, 2)
	out := &bytes.Buffer{}
	ctx, force, stop := interruptOn(sigs, out)
	defer stop()
	sigs <- syscall.SIGTERM
	<-ctx.Done()
	select {
	case <-force:
		t.Fatal("one signal does not force")
	case <-time.After(50 * time.Millisecond):
	}
	sigs <- os.Interrupt
	<-force
	assert.Contains(t, out.String(), "TERMINATED: stopping at a safe point")
	assert.Contains(t, out.String(), "INTERRUPT again: forcing the stop")
}

// lineWaiter closes seen once it has been written want.
type lineWaiter struct {
	want string
	buf  bytes.Buffer
	seen chan struct{}
	done bool
}

func (l *lineWaiter) Write(p []byte) (int, error) {
	l.buf.Write(p)
	if !l.done && bytes.Contains(l.buf.Bytes(), []byte(l.want)) {
		l.done = true
		close(l.seen)
	}
	return len(p), nil
}

// A stack the backend holds is selected without starting the CLI; every
// other command, another stack's selection included, still runs it.
func TestAKnownStackIsSelectedWithoutTheCLI(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "ran")
	k := knownStack{Command: &Command{Path: scriptCLI(t, `echo "$@" >> `+marker)}, stack: "dev"}
	_, _, code, err := k.Run(context.Background(), t.TempDir(), nil, nil, nil, nil, "stack", "select", "--stack", "dev")
	require.NoError(t, err)
	assert.Equal(t, 0, code)
	assert.NoFileExists(t, marker, "the CLI did not run")

	for _, args := range [][]string{{"stack", "select", "--stack", "staging"}, {"preview", "--stack", "dev"}} {
		_, _, _, err = k.Run(context.Background(), t.TempDir(), nil, nil, nil, nil, args...)
		require.NoError(t, err)
	}
	ran, err := os.ReadFile(marker)
	require.NoError(t, err)
	assert.Equal(t, "stack select --stack staging --non-interactive\npreview --stack dev --non-interactive\n", string(ran))
}
