package iampolicy

import (
	"fmt"
	"strings"
)

// This file evaluates a request against policy documents the way AWS
// documents it for a request within one account ("Policy evaluation logic",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
// and "Permissions boundaries for IAM entities", section "Evaluating effective
// permissions with boundaries"):
//
//  1. An explicit Deny in any applicable policy (identity, boundary, resource)
//     denies.
//  2. A service principal (cloudwatch.amazonaws.com) is authorised by the
//     resource policy alone.
//  3. An IAM role is limited by its permissions boundary: the boundary must
//     allow the request. A resource policy that names the role's ARN does not
//     lift that limit (it would only for a user or a role session ARN).
//  4. A role is then allowed when its identity policies or the resource
//     policy allow the request.
//  5. A KMS key is reachable only through its key policy: the key policy
//     must allow the role itself, or the account root, which delegates to
//     the role's identity policies.
//
// Statements match on Action/NotAction (case-insensitive, with * and ?),
// Resource/NotResource (case-sensitive, with * and ?), Principal, and the
// condition operators below, with the IfExists suffix. Service control
// policies, session policies and cross-account requests are out of scope: the
// platform uses none of them.

// Decision is the outcome of an evaluation.
type Decision string

// Decisions, as AWS's policy simulator names them.
const (
	Allowed      Decision = "allowed"
	ImplicitDeny Decision = "implicitDeny"
	ExplicitDeny Decision = "explicitDeny"
)

// Request is one API call to evaluate.
type Request struct {
	// Principal is the caller: a role ARN, or a service principal such as
	// "cloudwatch.amazonaws.com".
	Principal string
	Action    string
	Resource  string
	// Context holds the request's condition keys (aws:RequestedRegion,
	// aws:SourceAccount, iam:PermissionsBoundary, ...). A key absent here is
	// absent from the request.
	Context map[string]string
}

// Policies are the documents that apply to a request.
type Policies struct {
	Identity []Document
	// Boundary is the caller's permissions boundary, nil when it has none.
	Boundary *Document
	// Resource is the resource's own policy (bucket policy, key policy,
	// topic policy), nil when it has none.
	Resource *Document
	// Account owns the resource; a resource policy naming
	// arn:aws:iam::<Account>:root delegates to identity policies.
	Account string
}

// Result is a decision and the statement that made it.
type Result struct {
	Decision Decision
	// By names the deciding statement ("boundary/DenyOtherRegions") or why
	// nothing allowed the request.
	By string
}

// Evaluate decides one request. It fails on a condition operator it does not
// implement rather than guessing.
func Evaluate(req Request, p Policies) (Result, error) {
	type source struct {
		name string
		doc  *Document
	}
	var sources []source
	for i := range p.Identity {
		sources = append(sources, source{fmt.Sprintf("identity[%d]", i), &p.Identity[i]})
	}
	if p.Boundary != nil {
		sources = append(sources, source{"boundary", p.Boundary})
	}
	if p.Resource != nil {
		sources = append(sources, source{"resource", p.Resource})
	}
	for _, s := range sources {
		sid, err := firstMatch(s.doc, Deny, req, s.name == "resource")
		if err != nil {
			return Result{}, fmt.Errorf("%s: %w", s.name, err)
		}
		if sid != "" {
			return Result{ExplicitDeny, s.name + "/" + sid}, nil
		}
	}

	resourceAllows := func(principal string) (string, error) {
		if p.Resource == nil {
			return "", nil
		}
		r := req
		r.Principal = principal
		return firstMatch(p.Resource, Allow, r, true)
	}
	if !strings.HasPrefix(req.Principal, "arn:") { // a service principal
		sid, err := resourceAllows(req.Principal)
		if err != nil || sid == "" {
			return Result{ImplicitDeny, "no resource policy statement allows the service"}, err
		}
		return Result{Allowed, "resource/" + sid}, nil
	}

	if p.Boundary != nil {
		sid, err := firstMatch(p.Boundary, Allow, req, false)
		if err != nil {
			return Result{}, fmt.Errorf("boundary: %w", err)
		}
		if sid == "" {
			return Result{ImplicitDeny, "the permissions boundary does not allow it"}, nil
		}
	}
	identity := func() (string, error) {
		for i := range p.Identity {
			sid, err := firstMatch(&p.Identity[i], Allow, req, false)
			if err != nil || sid != "" {
				return fmt.Sprintf("identity[%d]/%s", i, sid), err
			}
		}
		return "", nil
	}

	if strings.HasPrefix(req.Resource, "arn:aws:kms:") {
		if sid, err := resourceAllows(req.Principal); err != nil || sid != "" {
			return Result{Allowed, "resource/" + sid}, err
		}
		root, err := resourceAllows(fmt.Sprintf("arn:aws:iam::%s:root", p.Account))
		if err != nil || root == "" {
			return Result{ImplicitDeny, "the key policy neither allows the role nor delegates to the account"}, err
		}
		by, err := identity()
		if err != nil || by == "" {
			return Result{ImplicitDeny, "no identity policy allows it"}, err
		}
		return Result{Allowed, by}, nil
	}

	by, err := identity()
	if err != nil {
		return Result{}, err
	}
	if by != "" {
		return Result{Allowed, by}, nil
	}
	if sid, err := resourceAllows(req.Principal); err != nil || sid != "" {
		return Result{Allowed, "resource/" + sid}, err
	}
	return Result{ImplicitDeny, "no identity or resource policy allows it"}, nil
}

// firstMatch returns the Sid (or "#<index>") of the first statement of effect
// that matches the request, "" when none does.
func firstMatch(d *Document, effect string, req Request, resourcePolicy bool) (string, error) {
	for i, s := range d.Statement {
		if s.Effect != effect {
			continue
		}
		ok, err := s.matches(req, resourcePolicy)
		if err != nil {
			return "", fmt.Errorf("statement %s: %w", label(s, i), err)
		}
		if ok {
			return label(s, i), nil
		}
	}
	return "", nil
}

func label(s Statement, i int) string {
	if s.Sid != "" {
		return s.Sid
	}
	return fmt.Sprintf("#%d", i)
}

func (s Statement) matches(req Request, resourcePolicy bool) (bool, error) {
	if resourcePolicy && !s.principalMatches(req.Principal) {
		return false, nil
	}
	switch {
	case len(s.Action) > 0 && !anyMatch(s.Action, req.Action, true):
		return false, nil
	case len(s.NotAction) > 0 && anyMatch(s.NotAction, req.Action, true):
		return false, nil
	case len(s.Action) == 0 && len(s.NotAction) == 0:
		return false, fmt.Errorf("neither Action nor NotAction")
	}
	switch {
	case len(s.Resource) > 0 && !anyMatch(s.Resource, req.Resource, false):
		return false, nil
	case len(s.NotResource) > 0 && anyMatch(s.NotResource, req.Resource, false):
		return false, nil
	case len(s.Resource) == 0 && len(s.NotResource) == 0 && !resourcePolicy:
		return false, fmt.Errorf("neither Resource nor NotResource")
	}
	return conditionsHold(s.Condition, req.Context)
}

// principalMatches reads the Principal element of a resource policy: "*",
// an ARN (an account is named by its root ARN), or a service.
func (s Statement) principalMatches(principal string) bool {
	for kind, values := range s.Principal {
		for _, v := range values {
			switch {
			case kind == "AWS" && v == "*":
				return true
			case v == principal:
				return true
			}
		}
	}
	return false
}

func anyMatch(patterns []string, value string, foldCase bool) bool {
	for _, p := range patterns {
		if foldCase {
			if Glob(strings.ToLower(p), strings.ToLower(value)) {
				return true
			}
		} else if Glob(p, value) {
			return true
		}
	}
	return false
}

// Glob matches value against an IAM pattern: * is any run of characters
// (including none, and including ':' and '/'), ? exactly one character.
func Glob(pattern, value string) bool {
	// Iterative matching with backtracking to the last star: linear in
	// practice, no recursion.
	p, v := 0, 0
	star, mark := -1, 0
	for v < len(value) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == value[v]):
			p++
			v++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, v
			p++
		case star >= 0:
			p = star + 1
			mark++
			v = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// conditionsHold evaluates a Condition block: every operator, and every key
// under it, must hold; a key's values are alternatives.
func conditionsHold(cond map[string]map[string]string, ctx map[string]string) (bool, error) {
	for op, keys := range cond {
		base, ifExists := strings.CutSuffix(op, "IfExists")
		for key, want := range keys {
			got, present := ctx[key]
			if base == "Null" {
				if (want == "true") != !present {
					return false, nil
				}
				continue
			}
			if !present {
				// A missing key matches under IfExists, and under a negated
				// operator (the value is not equal to anything); otherwise
				// the condition is false.
				if ifExists || negated(base) {
					continue
				}
				return false, nil
			}
			ok, err := compare(base, want, got)
			if err != nil {
				return false, fmt.Errorf("condition %s on %s: %w", op, key, err)
			}
			if !ok {
				return false, nil
			}
		}
	}
	return true, nil
}

func negated(op string) bool { return strings.Contains(op, "Not") }

func compare(op, want, got string) (bool, error) {
	switch op {
	case "StringEquals", "ArnEquals":
		return want == got, nil
	case "StringNotEquals", "ArnNotEquals":
		return want != got, nil
	case "StringEqualsIgnoreCase":
		return strings.EqualFold(want, got), nil
	case "StringNotEqualsIgnoreCase":
		return !strings.EqualFold(want, got), nil
	case "StringLike", "ArnLike":
		return Glob(want, got), nil
	case "StringNotLike", "ArnNotLike":
		return !Glob(want, got), nil
	case "Bool":
		return strings.EqualFold(want, got), nil
	}
	return false, fmt.Errorf("operator not implemented")
}
