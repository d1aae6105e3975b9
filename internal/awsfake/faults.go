package awsfake

import (
	"context"
	"fmt"
	"time"

	"github.com/acmepay/platform/pkg/awstype"
)

// Fault is what the stand-in does to the creates of one resource type, as
// AWS sometimes does.
type Fault struct {
	// Fail is how many creates are refused before any succeeds, as an AWS
	// API error (a throttle, an eventual-consistency miss) would be:
	// nothing is made.
	Fail int
	// Delay is how long a create waits after the resource exists before it
	// reports, as the provider waits for a NAT gateway to become available.
	// A caller that goes away meanwhile (a killed CLI) leaves the resource
	// made and unreported.
	Delay time.Duration
	// Timeout makes the create report, after Delay, that the resource did
	// not become ready in time: it exists, and the engine records it with
	// the error, as the provider does.
	Timeout bool
}

// Inject sets the fault on every later create of a type.
func (c *Cloud) Inject(typ string, f Fault) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.faults == nil {
		c.faults = map[string]*Fault{}
	}
	c.faults[typ] = &f
}

// Creates counts the resources of a type the stand-in has made, over its
// whole life: a resource made twice shows here though the first was removed.
func (c *Cloud) Creates(typ string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.created[typ]
}

// refuse applies an injected failure before a create makes anything.
func (c *Cloud) refuse(typ, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f := c.faults[typ]; f != nil && f.Fail > 0 {
		f.Fail--
		return fmt.Errorf("awsfake: creating %s %s: injected failure (ServiceUnavailable), %d more to come", kind(typ), name, f.Fail)
	}
	return nil
}

// wait applies an injected delay and timeout after a create made the
// resource.
func (c *Cloud) wait(ctx context.Context, typ, name string) error {
	c.mu.Lock()
	f := c.faults[typ]
	c.mu.Unlock()
	if f == nil {
		return nil
	}
	select {
	case <-time.After(f.Delay):
	case <-ctx.Done():
		return ctx.Err()
	}
	if f.Timeout {
		return fmt.Errorf("awsfake: waiting for %s %s to become available: timeout after %s", kind(typ), name, f.Delay)
	}
	return nil
}

// FindByName lists the IDs of the live resources of a type whose physical
// name or Name tag is name, as a lookup by tag in AWS would.
func (c *Cloud) FindByName(typ, name string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ids []string
	for id, r := range c.resources {
		if r.Type == typ && awstype.Physical(typ, r.Inputs.Mappable()) == name {
			ids = append(ids, id)
		}
	}
	return ids
}
