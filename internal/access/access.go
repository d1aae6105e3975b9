// Package access answers "may this principal do that?" for an environment,
// from its compliance manifest: the roles' inline policies and permissions
// boundaries, the bucket and key policies, as recorded, evaluated by
// iampolicy.Evaluate the way AWS evaluates them. The compliance rules and
// the access tests ask it; the live tier asks AWS's own simulator the same
// questions.
package access

import (
	"fmt"
	"sort"

	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/naming"
	"github.com/acmepay/platform/pkg/workload"
)

// Role is one IAM role of the environment with the documents that bound it.
type Role struct {
	Name     string
	Arn      string
	Identity []iampolicy.Document
	// Boundary is nil when the role carries none, or names a policy the
	// environment does not define.
	Boundary    *iampolicy.Document
	BoundaryArn string
}

// Environment holds the access-relevant documents of one environment.
type Environment struct {
	Account, Region string
	Roles           map[string]*Role
	// BucketPolicies by bucket name; KeyPolicies by key ARN.
	BucketPolicies map[string]iampolicy.Document
	KeyPolicies    map[string]iampolicy.Document
	// Policies are the managed policies by ARN (boundaries among them).
	Policies map[string]iampolicy.Document
	// KeyAliases are each key's aliases, by key ARN: a request on a key
	// carries them (kms:ResourceAliases).
	KeyAliases map[string][]string
}

// FromManifest reads the documents out of a manifest.
func FromManifest(m manifest.Manifest) (*Environment, error) {
	e := &Environment{
		Account: m.Account, Region: m.Region, Roles: map[string]*Role{},
		BucketPolicies: map[string]iampolicy.Document{}, KeyPolicies: map[string]iampolicy.Document{},
		Policies: map[string]iampolicy.Document{}, KeyAliases: map[string][]string{},
	}
	scope := iampolicy.Scope{Region: m.Region, Account: m.Account}
	parse := func(r manifest.Resource, field string) (iampolicy.Document, error) {
		text, ok := r.Config[field].(string)
		if !ok {
			return iampolicy.Document{}, fmt.Errorf("%s %s: %s is not a known document", r.Type, r.LogicalName, field)
		}
		d, err := iampolicy.Parse(text)
		if err != nil {
			return iampolicy.Document{}, fmt.Errorf("%s %s: %w", r.Type, r.LogicalName, err)
		}
		return d, nil
	}
	var resources []manifest.Resource
	for _, l := range m.Layers {
		resources = append(resources, l.Resources...)
	}
	for _, r := range resources {
		var err error
		switch r.Type {
		case awstype.Policy:
			var d iampolicy.Document
			if d, err = parse(r, "policy"); err == nil {
				e.Policies[scope.Policy(r.PhysicalName)] = d
			}
		case awstype.BucketPolicy:
			var d iampolicy.Document
			if d, err = parse(r, "policy"); err == nil {
				bucket, _ := r.Config["bucket"].(string)
				e.BucketPolicies[bucket] = d
			}
		case awstype.Role:
			role := e.role(scope, r.PhysicalName)
			role.BoundaryArn, _ = r.Config["permissionsBoundary"].(string)
			path, _ := r.Config["path"].(string)
			role.Arn = scope.RoleAt(path, r.PhysicalName)
		case awstype.Alias:
			target, _ := r.Config["targetKeyId"].(string)
			e.KeyAliases[scope.Key(target)] = append(e.KeyAliases[scope.Key(target)], r.PhysicalName)
		case awstype.Key:
			var d iampolicy.Document
			if d, err = parse(r, "policy"); err == nil {
				e.KeyPolicies[KeyArn(scope, r)] = d
			}
		}
		if err != nil {
			return nil, err
		}
	}
	for _, r := range resources {
		if r.Type != awstype.RolePolicy {
			continue
		}
		d, err := parse(r, "policy")
		if err != nil {
			return nil, err
		}
		// The role input is the role's id, which for IAM is its name.
		name, _ := r.Config["role"].(string)
		if name == manifest.Placeholder || name == "" {
			name = roleOfPolicy(resources, r)
		}
		e.role(scope, name).Identity = append(e.role(scope, name).Identity, d)
	}
	// The workload boundary belongs to the account's bootstrap, not to a
	// layer: it is built from the same code bootstrap applies.
	w := workload.Environment{Scope: scope, Names: naming.New(m.Environment, m.Settings.Suffix)}
	if _, ok := e.Policies[w.BoundaryArn()]; !ok && m.Settings.Suffix != "" {
		e.Policies[w.BoundaryArn()] = workload.Boundary(w, workload.AuditPrefix)
	}
	for _, role := range e.Roles {
		if d, ok := e.Policies[role.BoundaryArn]; ok {
			role.Boundary = &d
		}
	}
	return e, nil
}

// KeyArn is the ARN a key resource is known by in the manifest: its
// recorded arn output, or the account's key ARN with the made-up id masked.
func KeyArn(s iampolicy.Scope, r manifest.Resource) string {
	if r.ID != "" {
		return s.Key(r.ID)
	}
	return s.Key(manifest.Placeholder)
}

// roleOfPolicy finds the role an inline policy belongs to when its role
// input is masked: the role with the same parent component.
func roleOfPolicy(resources []manifest.Resource, p manifest.Resource) string {
	for _, r := range resources {
		if r.Type == awstype.Role && r.Parent == p.Parent && r.LogicalName == p.LogicalName {
			return r.PhysicalName
		}
	}
	return ""
}

func (e *Environment) role(s iampolicy.Scope, name string) *Role {
	r, ok := e.Roles[name]
	if !ok {
		r = &Role{Name: name, Arn: s.Role(name)}
		e.Roles[name] = r
	}
	return r
}

// RoleNames lists the environment's roles, sorted.
func (e *Environment) RoleNames() []string {
	var out []string
	for n := range e.Roles {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Question is one request to decide.
type Question struct {
	// Role names the caller (a role of the environment); Service, when set,
	// makes the caller that service principal instead.
	Role    string
	Service string
	// AllowAll replaces the role's identity policies with one that allows
	// everything: what an escalation or a careless edit would give it. The
	// boundary still applies.
	AllowAll bool
	Action   string
	Resource string
	// Context adds condition keys to the defaults: aws:RequestedRegion (the
	// environment's region) and aws:ResourceAccount (its account).
	Context map[string]string
}

func (q Question) String() string {
	who := q.Role
	if q.Service != "" {
		who = q.Service
	}
	if q.AllowAll {
		who += " (allow-all identity policy)"
	}
	return fmt.Sprintf("%s: %s on %s", who, q.Action, q.Resource)
}

// AllowAllPolicy allows every action on every resource.
var AllowAllPolicy = iampolicy.New(iampolicy.Statement{Sid: "AllowAll", Effect: iampolicy.Allow, Action: []string{"*"}, Resource: []string{"*"}})

// Ask decides a question.
func (e *Environment) Ask(q Question) (iampolicy.Result, error) {
	ctx := map[string]string{"aws:RequestedRegion": e.Region, "aws:ResourceAccount": e.Account}
	for k, v := range q.Context {
		if v == "" {
			delete(ctx, k)
			continue
		}
		ctx[k] = v
	}
	req := iampolicy.Request{Action: q.Action, Resource: q.Resource, Context: ctx}
	if aliases, ok := e.KeyAliases[q.Resource]; ok {
		req.Multi = map[string][]string{workload.KeyAliasesKey: aliases}
	}
	pol := iampolicy.Policies{Account: e.Account, Resource: e.resourcePolicy(q.Resource)}
	if q.Service != "" {
		req.Principal = q.Service
		return iampolicy.Evaluate(req, pol)
	}
	role, ok := e.Roles[q.Role]
	if !ok {
		return iampolicy.Result{}, fmt.Errorf("no role %q in the environment (roles: %v)", q.Role, e.RoleNames())
	}
	req.Principal = role.Arn
	pol.Identity, pol.Boundary = role.Identity, role.Boundary
	if q.AllowAll {
		pol.Identity = []iampolicy.Document{AllowAllPolicy}
	}
	return iampolicy.Evaluate(req, pol)
}

// resourcePolicy is the policy of the bucket or key a resource ARN names.
func (e *Environment) resourcePolicy(arn string) *iampolicy.Document {
	if d, ok := e.KeyPolicies[arn]; ok {
		return &d
	}
	for bucket, d := range e.BucketPolicies {
		b := iampolicy.Bucket(bucket)
		if arn == b || iampolicy.Glob(b+"/*", arn) {
			return &d
		}
	}
	return nil
}
