package statebackend

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path"
	"strings"
	"syscall"
	"time"

	"gocloud.dev/gcerrors"
)

// StaleAfter is the age after which a lock taken on another machine is
// judged abandoned. Every pipeline job that deploys, previews or checks an
// environment is stopped by GitHub after at most 60 minutes
// (timeout-minutes), and a deployment of every layer from a workstation
// takes minutes, not hours; twice the longest job leaves a wide margin. A
// lock taken on this machine is judged by its process instead, at once.
const StaleAfter = 2 * time.Hour

// Lock is one lock file: a Pulumi stack lock, or an environment lock.
type Lock struct {
	// Key is the lock's object key in the backend.
	Key string `json:"-"`
	// Layer is the locked stack's project; empty for an environment lock.
	Layer string `json:"-"`
	// What the process holding it was doing (environment locks only).
	Operation string    `json:"operation,omitempty"`
	Pid       int       `json:"pid"`
	Username  string    `json:"username"`
	Hostname  string    `json:"hostname"`
	Timestamp time.Time `json:"timestamp"`
}

// Owner names who holds the lock.
func (l Lock) Owner() string {
	return fmt.Sprintf("%s@%s (pid %d)", l.Username, l.Hostname, l.Pid)
}

// Host is what a lock is judged against: this machine's name and whether a
// process of this machine is running.
type Host struct {
	Name  string
	Alive func(pid int) bool
	Now   func() time.Time
	// GoneHost is a machine the operator states no longer exists (a
	// pipeline runner that was cancelled): its locks are stale at any age.
	GoneHost string
}

// ThisHost judges locks from this machine.
func ThisHost() (Host, error) {
	name, err := os.Hostname()
	if err != nil {
		return Host{}, err
	}
	return Host{Name: name, Alive: processAlive, Now: time.Now}, nil
}

// processAlive reports whether a process of this machine exists. A process
// of another user is alive too (EPERM); "no such process" is death, and so
// is a zombie: a killed process whose parent died too stays one until it is
// reaped, and in a container nothing may ever reap it.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no procfs: the signal check is all there is
	}
	// "pid (comm) state ...": comm may hold spaces and parentheses.
	rest := stat[bytes.LastIndexByte(stat, ')')+1:]
	fields := strings.Fields(string(rest))
	return len(fields) == 0 || (fields[0] != "Z" && fields[0] != "X")
}

// Stale reports whether a lock's owner is provably gone, and why.
func (h Host) Stale(l Lock) (bool, string) {
	age := h.Now().Sub(l.Timestamp).Round(time.Second)
	switch {
	case l.Hostname == h.Name && !h.Alive(l.Pid):
		return true, fmt.Sprintf("process %d on this machine (%s) no longer exists", l.Pid, h.Name)
	case l.Hostname == h.Name:
		return false, fmt.Sprintf("process %d on this machine is still running", l.Pid)
	case h.GoneHost != "" && l.Hostname == h.GoneHost:
		return true, fmt.Sprintf("machine %s is stated to be gone (LOCK_HOST_GONE)", l.Hostname)
	case age > StaleAfter:
		return true, fmt.Sprintf("taken on %s %s ago, longer than any run lasts (%s)", l.Hostname, age, StaleAfter)
	}
	return false, fmt.Sprintf("taken on another machine (%s) %s ago; it is judged abandoned after %s", l.Hostname, age, StaleAfter)
}

// StackLocks lists the locks on one layer's stack.
func (s *Store) StackLocks(ctx context.Context, layer, stack string) ([]Lock, error) {
	locks, err := s.readLocks(ctx, path.Join(locksDir, Organization, layer, stack))
	for i := range locks {
		locks[i].Layer = layer
	}
	return locks, err
}

// EnvLocks lists the locks on an environment.
func (s *Store) EnvLocks(ctx context.Context, env string) ([]Lock, error) {
	return s.readLocks(ctx, path.Join(envLocksDir, env))
}

func (s *Store) readLocks(ctx context.Context, dir string) ([]Lock, error) {
	keys, err := s.keys(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("listing the locks in %s/%s: %w", s.URL, dir, err)
	}
	var out []Lock
	for _, key := range keys {
		raw, err := s.readAll(ctx, key)
		if gcerrors.Code(err) == gcerrors.NotFound {
			continue // released while we listed
		}
		if err != nil {
			return nil, fmt.Errorf("reading the lock %s: %w", key, err)
		}
		l := Lock{}
		if err := json.Unmarshal(raw, &l); err != nil {
			return nil, fmt.Errorf("reading the lock %s: %w", key, err)
		}
		l.Key = key
		out = append(out, l)
	}
	return out, nil
}

// Remove deletes a lock. Callers remove only locks judged stale.
func (s *Store) Remove(ctx context.Context, l Lock) error {
	if err := s.bucket.Delete(ctx, l.Key); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return fmt.Errorf("removing the lock %s: %w", l.Key, err)
	}
	return nil
}

// ErrEnvironmentLocked is returned when another run holds the environment.
var ErrEnvironmentLocked = errors.New("the environment is locked by another run")

// AcquireEnv takes the environment lock for an operation, the way the CLI
// takes a stack lock: write this run's lock, then list; when any other lock
// is there, take ours back and refuse, naming the holder. Two runs racing may
// both refuse, never both proceed. The returned function releases it.
func (s *Store) AcquireEnv(ctx context.Context, env, op string) (release func(context.Context) error, err error) {
	mine, err := newLock(op)
	if err != nil {
		return nil, err
	}
	id := make([]byte, 8)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	mine.Key = path.Join(envLocksDir, env, hex.EncodeToString(id)+".json")
	raw, err := json.Marshal(mine)
	if err != nil {
		return nil, err
	}
	if err := s.bucket.WriteAll(ctx, mine.Key, raw, nil); err != nil {
		return nil, fmt.Errorf("taking the lock of %s in %s: %w", env, s.URL, err)
	}
	release = func(ctx context.Context) error { return s.Remove(ctx, mine) }
	locks, err := s.EnvLocks(ctx, env)
	if err != nil {
		_ = release(ctx)
		return nil, err
	}
	var others []string
	for _, l := range locks {
		if l.Key != mine.Key {
			others = append(others, fmt.Sprintf("%s by %s since %s", orUnknown(l.Operation), l.Owner(), l.Timestamp.UTC().Format(time.RFC3339)))
		}
	}
	if len(others) > 0 {
		_ = release(ctx)
		return nil, fmt.Errorf("%w: %s is held: %s; wait for that run to end (or, if it was killed, run `go run mage.go recover:env %s`)",
			ErrEnvironmentLocked, env, strings.Join(others, "; "), env)
	}
	return release, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "a run"
	}
	return s
}

func newLock(op string) (Lock, error) {
	u, err := user.Current()
	if err != nil {
		return Lock{}, err
	}
	host, err := os.Hostname()
	if err != nil {
		return Lock{}, err
	}
	return Lock{Operation: op, Pid: os.Getpid(), Username: u.Username, Hostname: host, Timestamp: time.Now().UTC()}, nil
}
