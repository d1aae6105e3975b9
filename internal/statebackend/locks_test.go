package statebackend

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStaleOnlyWhenTheOwnerIsProvablyGone(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	h := Host{Name: "runner-1", Now: func() time.Time { return now }, Alive: func(pid int) bool { return pid == 100 }}
	cases := []struct {
		name  string
		lock  Lock
		gone  string
		stale bool
		why   string
	}{
		{"this machine, process gone", Lock{Hostname: "runner-1", Pid: 200, Timestamp: now.Add(-time.Minute)}, "", true, "process 200 on this machine (runner-1) no longer exists"},
		{"this machine, process running, however old", Lock{Hostname: "runner-1", Pid: 100, Timestamp: now.Add(-48 * time.Hour)}, "", false, "still running"},
		{"another machine, recent", Lock{Hostname: "laptop", Pid: 100, Timestamp: now.Add(-119 * time.Minute)}, "", false, "judged abandoned after 2h0m0s"},
		{"another machine, older than any run", Lock{Hostname: "laptop", Pid: 100, Timestamp: now.Add(-121 * time.Minute)}, "", true, "taken on laptop 2h1m0s ago"},
		{"another machine stated gone", Lock{Hostname: "fv-az12", Pid: 7, Timestamp: now.Add(-time.Minute)}, "fv-az12", true, "stated to be gone"},
		{"another machine, a different one stated gone", Lock{Hostname: "fv-az13", Pid: 7, Timestamp: now.Add(-time.Minute)}, "fv-az12", false, "another machine"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h.GoneHost = c.gone
			stale, why := h.Stale(c.lock)
			assert.Equal(t, c.stale, stale)
			assert.Contains(t, why, c.why)
		})
	}
}

func TestProcessAlive(t *testing.T) {
	assert.True(t, processAlive(1), "init exists (EPERM or not, it is alive)")
	assert.False(t, processAlive(0))
	assert.False(t, processAlive(1<<30), "no such process")
}

func TestAZombieIsNotAlive(t *testing.T) {
	cmd := exec.Command("true")
	require.NoError(t, cmd.Start())
	// Not reaped yet: a zombie until Wait.
	require.Eventually(t, func() bool {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", cmd.Process.Pid))
		return err == nil && strings.Contains(string(stat), ") Z ")
	}, 5*time.Second, 10*time.Millisecond)
	assert.False(t, processAlive(cmd.Process.Pid))
	require.NoError(t, cmd.Wait())
}
