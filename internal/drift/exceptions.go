package drift

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"gopkg.in/yaml.v3"

	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/internal/proppath"
	"github.com/acmepay/platform/pkg/profile"
)

// ExceptionsFile is the one reviewed file of drift a team has accepted for a
// while, relative to the repository root.
const ExceptionsFile = "compliance/drift-exceptions.yaml"

// Exception accepts one drifted property of one resource in one
// environment, for a reason, until a date.
type Exception struct {
	Environment string `yaml:"environment" json:"environment"`
	Type        string `yaml:"type" json:"type"`
	Name        string `yaml:"name" json:"name"`
	Property    string `yaml:"property" json:"property"`
	Reason      string `yaml:"reason" json:"reason"`
	Approver    string `yaml:"approvedBy" json:"approvedBy"`
	Expires     string `yaml:"expires" json:"expires"`
}

func (x Exception) String() string {
	return fmt.Sprintf("%s %s %s %s", x.Environment, x.Type, x.Name, x.Property)
}

// LoadExceptions reads root's exceptions file (none is an empty list) and
// refuses an entry that is incomplete, expired on now, or names a resource
// or property the environment's code does not have (its planned manifest).
func LoadExceptions(root string, now time.Time) ([]Exception, error) {
	raw, err := os.ReadFile(filepath.Join(root, ExceptionsFile))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var doc struct {
		Exceptions []Exception `yaml:"exceptions"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", ExceptionsFile, err)
	}
	manifests := map[string]manifest.Manifest{}
	for i, x := range doc.Exceptions {
		where := fmt.Sprintf("%s: exception %d (%s)", ExceptionsFile, i+1, x)
		if _, err := profile.ParseEnvironment(x.Environment); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if x.Type == "" || x.Name == "" || x.Property == "" || x.Reason == "" || x.Approver == "" {
			return nil, fmt.Errorf("%s: type, name, property, reason and approvedBy are all required", where)
		}
		expires, err := time.Parse(time.DateOnly, x.Expires)
		if err != nil {
			return nil, fmt.Errorf("%s: expires %q: want a date such as 2026-12-31", where, x.Expires)
		}
		if !now.Before(expires.AddDate(0, 0, 1)) {
			return nil, fmt.Errorf("%s expired on %s: adopt the hand value (drift:adopt), or delete the entry and let the next deploy put the code's value back (its summary shows the update), or renew the exception with a new approval", where, x.Expires)
		}
		m, ok := manifests[x.Environment]
		if !ok {
			if m, err = manifest.ReadPlanned(root, x.Environment); err != nil {
				return nil, err
			}
			manifests[x.Environment] = m
		}
		if err := hasProperty(m, x); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
	}
	return doc.Exceptions, nil
}

// hasProperty checks that the code has the resource and the property.
func hasProperty(m manifest.Manifest, x Exception) error {
	for _, l := range m.Layers {
		for _, r := range l.Resources {
			if r.Type != x.Type || r.LogicalName != x.Name {
				continue
			}
			inputs := map[string]any{}
			for k, v := range r.Config {
				inputs[k] = v
			}
			if len(r.Tags) > 0 {
				tags := map[string]any{}
				for k, v := range r.Tags {
					tags[k] = v
				}
				inputs["tags"] = tags
			}
			if proppath.Get(inputs, x.Property) == nil {
				return fmt.Errorf("%s %s has no property %q", x.Type, x.Name, x.Property)
			}
			return nil
		}
	}
	return fmt.Errorf("the %s code has no %s %s", x.Environment, x.Type, x.Name)
}

// Except moves the drifted properties an exception covers from Drifted to
// Excepted, so they are reported but do not fail the check.
func (r *Report) Except(exceptions []Exception) {
	var kept []Resource
	for _, d := range r.Drifted {
		var still, excepted []Property
		for _, p := range d.Properties {
			if x, ok := covers(exceptions, r.Environment, d, p.Path); ok {
				p.Exception = &x
				excepted = append(excepted, p)
				continue
			}
			still = append(still, p)
		}
		if len(excepted) > 0 {
			e := d
			e.Properties = excepted
			r.Excepted = append(r.Excepted, e)
		}
		if len(still) > 0 || d.Kind == Deleted {
			d.Properties = still
			kept = append(kept, d)
		}
	}
	r.Drifted = kept
}

func covers(exceptions []Exception, env string, d Resource, path string) (Exception, bool) {
	for _, x := range exceptions {
		if x.Environment == env && x.Type == d.Type && x.Name == d.Name && x.Property == path {
			return x, true
		}
	}
	return Exception{}, false
}

// LeaveExcepted runs a layer's program with ignoreChanges on the properties
// an environment's exceptions name: an update then leaves them as they are
// in the account (as the refresh read them) until the exception goes, while
// the rest of each resource still follows the code. It is driven by the
// exceptions, not by what drifts now: once a deploy has recorded the hand
// value, a refresh no longer sees it as drift, and only the exception still
// says to leave it.
func LeaveExcepted(program pulumi.RunFunc, env string, exceptions []Exception) pulumi.RunFunc {
	ignored := map[string][]string{}
	for _, x := range exceptions {
		if x.Environment == env {
			ignored[x.Type+"::"+x.Name] = append(ignored[x.Type+"::"+x.Name], x.Property)
		}
	}
	if len(ignored) == 0 {
		return program
	}
	return func(ctx *pulumi.Context) error {
		// A resource transform, which the engine applies after the program's
		// own transformations: a legacy stack transformation's options would
		// be replaced by the next transformation's (tagging's).
		err := ctx.RegisterResourceTransform(func(_ context.Context, args *pulumi.ResourceTransformArgs) *pulumi.ResourceTransformResult {
			paths, ok := ignored[args.Type+"::"+args.Name]
			if !ok {
				return nil
			}
			args.Opts.IgnoreChanges = append(args.Opts.IgnoreChanges, paths...)
			return &pulumi.ResourceTransformResult{Props: args.Props, Opts: args.Opts}
		})
		if err != nil {
			return fmt.Errorf("leaving excepted drift as it is: %w", err)
		}
		return program(ctx)
	}
}
