package awsfake

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/iampolicy/validity"
)

// ErrAccessDenied is an operation IAM would refuse.
var ErrAccessDenied = errors.New("AccessDenied")

// CallAs makes every later operation a call by the role with this ARN: the
// stand-in evaluates each API call of the operation (Calls) under the role's
// live policies and boundary, as its account holds them (the bootstrap
// creates them), and the resource's live policy. "" calls as an
// administrator, whom nothing limits (the bootstrap itself, the offline
// plan).
func (c *Cloud) CallAs(role string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.caller = role
}

func (c *Cloud) record(role, action string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.made == nil {
		c.made = map[string]map[string]bool{}
	}
	if c.made[role] == nil {
		c.made[role] = map[string]bool{}
	}
	c.made[role][action] = true
}

// Made lists, sorted, the actions a role has been allowed so far.
func (c *Cloud) Made(role string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.made[role]))
	for a := range c.made[role] {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// Caller is the role operations run as, "" for an administrator.
func (c *Cloud) Caller() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.caller
}

// authorize evaluates every call of op on a resource; the first one IAM
// denies fails the operation. A type the table does not cover fails too:
// an operation nobody has described cannot be said to be allowed.
func (c *Cloud) authorize(op Op, typ, id string, inputs resource.PropertyMap) error {
	return c.authorizeCalls(op, typ, id, inputs, nil)
}

// authorizeUpdate authorizes an update that changes olds to inputs: the
// row's update calls, and those of each input that changes.
func (c *Cloud) authorizeUpdate(typ, id string, olds, inputs resource.PropertyMap) error {
	return c.authorizeCalls(OpUpdate, typ, id, inputs, olds)
}

func (c *Cloud) authorizeCalls(op Op, typ, id string, inputs, olds resource.PropertyMap) error {
	caller := c.Caller()
	if caller == "" {
		return nil
	}
	list, ok := callsOf(typ, op)
	if op == OpInvoke {
		list, ok = Invokes[typ]
	}
	if ok && op == OpUpdate && olds != nil {
		list = updateCalls(typ, olds, inputs)
	}
	if !ok {
		return fmt.Errorf("awsfake: pkg/awstype has no calls for %s: cannot say whether %s may %s it", typ, caller, op)
	}
	policies, err := c.policiesOf(caller)
	if err != nil {
		return err
	}
	requestTags := map[string]string{}
	if op == OpCreate || op == OpUpdate {
		requestTags = tagsOf(inputs)
	}
	first := ""
	if len(list) > 0 {
		first = list[0].Action
	}
	for _, call := range list {
		for _, t := range c.targets(call, typ, id, inputs) {
			ctx := map[string]string{"aws:RequestedRegion": c.Region, "aws:SecureTransport": "true"}
			for k, v := range requestTags {
				ctx["aws:RequestTag/"+k] = v
			}
			// A resource carries its tags once it exists: not for the call
			// that creates it, nor for tagging at creation.
			beforeItExists := t.self && op == OpCreate && (call.Action == first || tagging(call.Action))
			if !beforeItExists {
				for k, v := range t.tags {
					ctx["aws:ResourceTag/"+k] = v
				}
			}
			for k, v := range c.contextOf(call.Context, inputs) {
				ctx[k] = v
			}
			req := iampolicy.Request{Principal: caller, Action: call.Action, Resource: t.arn, Context: ctx, Multi: c.multi(t.arn)}
			pol := policies
			pol.Account = c.Account
			if c.org != nil {
				ctx["aws:PrincipalOrgID"] = c.org.ID
				pol.SCPs, pol.RCPs = c.org.SCPs, c.org.RCPs
			}
			var own resource.PropertyMap
			if t.self {
				own = inputs
				if own == nil {
					own = resource.PropertyMap{}
				}
			}
			pol.Resource = c.resourcePolicy(t.arn, own)
			res, err := iampolicy.Evaluate(req, pol)
			if err != nil {
				return fmt.Errorf("awsfake: evaluating %s on %s: %w", call.Action, t.arn, err)
			}
			if res.Decision != iampolicy.Allowed {
				return fmt.Errorf("%w: %s is not authorized to perform %s on resource %s (%s %s: %s)",
					ErrAccessDenied, caller, call.Action, t.arn, op, typ, res.By)
			}
			c.record(caller, call.Action)
		}
	}
	return nil
}

// Organisation is the AWS Organization the stand-in account is a member of:
// its ID, and the service and resource control policies over the account
// (AWS's own FullAWSAccess and RCPFullAWSAccess are the caller's to pass
// or imply, as iampolicy.Policies says).
type Organisation struct {
	ID   string
	SCPs []iampolicy.Document
	RCPs []iampolicy.Document
}

// JoinOrganisation makes the account a member of an organisation: every
// later call by a role is evaluated with its SCPs and RCPs attached too,
// and carries aws:PrincipalOrgID.
func (c *Cloud) JoinOrganisation(o Organisation) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.org = &o
}

// multi is a request's multivalued keys: a KMS key's aliases
// (kms:ResourceAliases).
func (c *Cloud) multi(arn string) map[string][]string {
	if !strings.HasPrefix(arn, "arn:aws:kms:") || !strings.Contains(arn, ":key/") {
		return nil
	}
	var aliases []string
	for _, r := range c.Resources() {
		if r.Type != awstype.Alias {
			continue
		}
		if key, ok := c.find(input(r.Inputs, "targetKeyId")); ok && c.arn(key.Type, key.ID, key.ID, key.Inputs) == arn {
			aliases = append(aliases, input(r.Inputs, "name"))
		}
	}
	if len(aliases) == 0 {
		return nil
	}
	sort.Strings(aliases)
	return map[string][]string{"kms:ResourceAliases": aliases}
}

func tagging(action string) bool {
	switch action {
	case "ec2:CreateTags", "iam:TagRole", "kms:TagResource", "s3:PutBucketTagging", "logs:TagResource", "lambda:TagResource",
		"dynamodb:TagResource", "cloudwatch:TagResource", "sns:TagResource", "application-autoscaling:TagResource":
		return true
	}
	return false
}

// target is a resource a call is authorized on: its ARN and tags.
type target struct {
	arn  string
	tags map[string]string
	self bool
}

func (c *Cloud) targets(call Call, typ, id string, inputs resource.PropertyMap) []target {
	switch {
	case call.On.Star:
		return []target{{arn: "*"}}
	case call.On.Input == "":
		name, _ := physicalName(typ, inputs)
		if id == "" {
			id = "*" // not created yet
		}
		if name == "" {
			name = id
		}
		return []target{{arn: c.arn(typ, id, name, inputs), tags: tagsOf(inputs), self: true}}
	case call.On.Input == objectsOf:
		name, _ := physicalName(typ, inputs)
		return []target{{arn: iampolicy.Bucket(name) + "/*"}}
	}
	var out []target
	for _, v := range strs(inputs, call.On.Input) {
		if v == "" {
			continue
		}
		if live, ok := c.find(v); ok {
			name, _ := physicalName(live.Type, live.Inputs)
			if name == "" {
				name = live.ID
			}
			out = append(out, target{arn: c.arn(live.Type, live.ID, name, live.Inputs), tags: tagsOf(live.Inputs)})
			continue
		}
		if strings.HasPrefix(v, "arn:") {
			out = append(out, target{arn: v})
		}
	}
	if len(out) == 0 {
		// Nested inputs (serverSideEncryption.kmsKeyArn) are read by path.
		if v := input(inputs, call.On.Input); v != "" {
			if live, ok := c.find(v); ok {
				return []target{{arn: c.arn(live.Type, live.ID, live.ID, live.Inputs), tags: tagsOf(live.Inputs)}}
			}
			return []target{{arn: v}}
		}
	}
	return out
}

// find looks a live resource up by its id, its name or its ARN.
func (c *Cloud) find(v string) (Live, bool) {
	if live, ok := c.get(v); ok {
		return live, true
	}
	for _, r := range c.Resources() {
		name, _ := physicalName(r.Type, r.Inputs)
		if name == "" {
			name = r.ID
		}
		if c.arn(r.Type, r.ID, name, r.Inputs) == v || (name == v && nameIsID(r.Type)) {
			return r, true
		}
		if r.Type == awstype.Role && name == v {
			return r, true
		}
	}
	return Live{}, false
}

// byName finds a live resource of a type by its physical name.
func (c *Cloud) byName(typ, name string) (Live, bool) {
	for _, r := range c.Resources() {
		if n, _ := physicalName(r.Type, r.Inputs); r.Type == typ && n == name {
			return r, true
		}
	}
	return Live{}, false
}

// policiesOf reads a role's documents from the account's live IAM: its
// inline policies, its attached managed policies and its boundary.
func (c *Cloud) policiesOf(roleArn string) (iampolicy.Policies, error) {
	name := roleArn[strings.LastIndex(roleArn, "/")+1:]
	role, ok := c.byName(awstype.Role, name)
	if !ok {
		return iampolicy.Policies{}, fmt.Errorf("awsfake: the caller %s is not a role of account %s (bootstrap the account first)", roleArn, c.Account)
	}
	var p iampolicy.Policies
	parse := func(what, text string) error {
		d, err := iampolicy.Parse(text)
		if err != nil {
			return fmt.Errorf("awsfake: %s of %s: %w", what, name, err)
		}
		p.Identity = append(p.Identity, d)
		return nil
	}
	managed := func(arn string) (string, bool) {
		for _, r := range c.Resources() {
			if n, _ := physicalName(r.Type, r.Inputs); r.Type == awstype.Policy && c.arn(r.Type, r.ID, n, r.Inputs) == arn {
				return input(r.Inputs, "policy"), true
			}
		}
		return "", false
	}
	for _, r := range c.Resources() {
		switch {
		case r.Type == awstype.RolePolicy && input(r.Inputs, "role") == name:
			if err := parse("inline policy "+input(r.Inputs, "name"), input(r.Inputs, "policy")); err != nil {
				return p, err
			}
		case r.Type == awstype.RolePolicyAttachment && input(r.Inputs, "role") == name:
			text, ok := managed(input(r.Inputs, "policyArn"))
			if !ok {
				return p, fmt.Errorf("awsfake: %s's attached policy %s does not exist", name, input(r.Inputs, "policyArn"))
			}
			if err := parse("attached policy "+input(r.Inputs, "policyArn"), text); err != nil {
				return p, err
			}
		}
	}
	if arn := input(role.Inputs, "permissionsBoundary"); arn != "" {
		text, ok := managed(arn)
		if !ok {
			return p, fmt.Errorf("awsfake: %s's boundary %s does not exist", name, arn)
		}
		d, err := iampolicy.Parse(text)
		if err != nil {
			return p, fmt.Errorf("awsfake: boundary of %s: %w", name, err)
		}
		p.Boundary = &d
	}
	return p, nil
}

// resourcePolicy is the live policy of the bucket or key an ARN names; own
// are the inputs of the resource the call is on, when the ARN is its own (a
// new key's policy is in its inputs), nil otherwise.
func (c *Cloud) resourcePolicy(arn string, own resource.PropertyMap) *iampolicy.Document {
	var text string
	switch {
	case strings.HasPrefix(arn, "arn:aws:s3:::"):
		bucket := strings.SplitN(strings.TrimPrefix(arn, "arn:aws:s3:::"), "/", 2)[0]
		for _, r := range c.Resources() {
			if r.Type == awstype.BucketPolicy && input(r.Inputs, "bucket") == bucket {
				text = input(r.Inputs, "policy")
			}
		}
	case strings.HasPrefix(arn, "arn:aws:dynamodb:"):
		table := strings.SplitN(arn, "/index/", 2)[0]
		for _, r := range c.Resources() {
			if r.Type == awstype.TableResourcePolicy && input(r.Inputs, "resourceArn") == table {
				text = input(r.Inputs, "policy")
			}
		}
	case strings.HasPrefix(arn, "arn:aws:kms:") && strings.Contains(arn, ":key/"):
		if own != nil {
			text = input(own, "policy")
		} else if live, ok := c.find(arn); ok {
			text = input(live.Inputs, "policy")
		}
	}
	if text == "" {
		return nil
	}
	d, err := iampolicy.Parse(text)
	if err != nil {
		return nil
	}
	return &d
}

// ErrMalformedPolicy is a policy document AWS would refuse to store.
var ErrMalformedPolicy = errors.New("MalformedPolicyDocument")

// validDocument refuses, as IAM, KMS, S3, DynamoDB and SNS do, a policy
// document that breaks AWS's grammar or size limits; a role's inline
// policies are measured together. id is the resource being updated ("" for
// a creation).
func (c *Cloud) validDocument(typ, name, id string, inputs resource.PropertyMap) error {
	t, _ := awstype.Of(typ)
	d := t.Document
	if d == nil {
		return nil
	}
	text := input(inputs, d.Input)
	if text == "" {
		return nil
	}
	doc, err := iampolicy.Parse(text)
	if err != nil {
		return fmt.Errorf("%w: %s %s: %w", ErrMalformedPolicy, kind(typ), name, err)
	}
	if err := validity.Validate(d.Kind, kind(typ)+" "+name, doc); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformedPolicy, err)
	}
	if typ != awstype.RolePolicy {
		return nil
	}
	role := input(inputs, "role")
	docs := []iampolicy.Document{doc}
	for _, r := range c.Resources() {
		if r.Type == typ && r.ID != id && input(r.Inputs, "role") == role {
			if other, err := iampolicy.Parse(input(r.Inputs, "policy")); err == nil {
				docs = append(docs, other)
			}
		}
	}
	if err := validity.ValidateInlinePolicies(role, docs...); err != nil {
		return fmt.Errorf("LimitExceeded: %w", err)
	}
	return nil
}
