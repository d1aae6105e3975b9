package deploy

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Timeline records where a command's time goes, stage by stage, for the
// line its output ends with and for the benchmark that reads that line.
type Timeline struct {
	mu     sync.Mutex
	start  time.Time
	last   time.Time
	stages []Stage
}

// Stage is one stage of a command and how long it took.
type Stage struct {
	Name string
	Took time.Duration
}

// NewTimeline starts a timeline at start (when the process began, if that
// is known) and records the time until now as its first stage, named
// first.
func NewTimeline(start time.Time, first string) *Timeline {
	t := &Timeline{start: start, last: start}
	t.Mark(first)
	return t
}

// Mark records the time since the last mark as the stage name. A nil
// timeline records nothing.
func (t *Timeline) Mark(name string) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	t.stages = append(t.stages, Stage{Name: name, Took: now.Sub(t.last)})
	t.last = now
}

// Stages are the stages recorded so far, in order.
func (t *Timeline) Stages() []Stage {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Stage(nil), t.stages...)
}

// String is the breakdown: "time: start 1.2s, preflight 0.8s, ..., total 9.4s".
func (t *Timeline) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	parts := make([]string, 0, len(t.stages)+1)
	for _, s := range t.stages {
		parts = append(parts, fmt.Sprintf("%s %.1fs", s.Name, s.Took.Seconds()))
	}
	parts = append(parts, fmt.Sprintf("total %.1fs", t.last.Sub(t.start).Seconds()))
	return "time: " + strings.Join(parts, ", ")
}

func (d *Deployer) mark(name string) { d.Timeline.Mark(name) }
