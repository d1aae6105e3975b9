package offline

import (
	"fmt"
	"io"
	"strings"
	"sync"
)

// CommandTB lets the engine's test framework run outside `go test` (the
// offline plan): logs go to a writer, failures are collected and reported as
// one error.
type CommandTB struct {
	Out io.Writer

	mu     sync.Mutex
	errs   []string
	failed bool
}

// failNow is the panic value FailNow raises; Recover turns it into an error.
type failNow struct{}

func (c *CommandTB) Helper()      {}
func (c *CommandTB) Name() string { return "plan" }
func (c *CommandTB) Logf(format string, args ...any) {
	if c.Out != nil {
		fmt.Fprintf(c.Out, format+"\n", args...)
	}
}
func (c *CommandTB) Log(args ...any)                  { c.Logf("%s", fmt.Sprint(args...)) }
func (c *CommandTB) Skipf(format string, args ...any) { c.Logf(format, args...) }
func (c *CommandTB) Skip(args ...any)                 { c.Log(args...) }
func (c *CommandTB) SkipNow()                         {}
func (c *CommandTB) Errorf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
	c.failed = true
}
func (c *CommandTB) Error(args ...any)                 { c.Errorf("%s", fmt.Sprint(args...)) }
func (c *CommandTB) Fatalf(format string, args ...any) { c.Errorf(format, args...); c.FailNow() }
func (c *CommandTB) Fatal(args ...any)                 { c.Error(args...); c.FailNow() }
func (c *CommandTB) FailNow()                          { c.Fail(); panic(failNow{}) }
func (c *CommandTB) Fail() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failed = true
}
func (c *CommandTB) Failed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.failed
}

// Err returns the collected failures, or nil.
func (c *CommandTB) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.failed {
		return nil
	}
	if len(c.errs) == 0 {
		return fmt.Errorf("engine run failed")
	}
	return fmt.Errorf("%s", strings.Join(c.errs, "\n"))
}

// Recover turns a FailNow raised in fn into the collected error.
func (c *CommandTB) Recover(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(failNow); !ok {
				panic(r)
			}
			err = c.Err()
		}
	}()
	if err := fn(); err != nil {
		return err
	}
	return c.Err()
}
