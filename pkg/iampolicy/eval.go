package iampolicy

import (
	"fmt"
	"slices"
	"strings"
)

// This file evaluates a request against every policy that applies to it, the
// way AWS documents it ("Policy evaluation logic",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
// its cross-account page "Cross-account policy evaluation logic", "Permissions
// boundaries for IAM entities", and AWS Organizations' "SCP evaluation" and
// "RCP evaluation"):
//
//  1. An explicit Deny in any applicable policy (SCP, RCP, identity, boundary,
//     resource) denies.
//  2. Resource control policies, where they apply (a member account's
//     resource of a service RCPs cover, not a service-linked role's request),
//     only deny: AWS attaches its own RCPFullAWSAccess at every level and it
//     cannot be detached, and a customer RCP may not allow ("RCP syntax").
//     An RCP holding an Allow statement is refused, not evaluated.
//  3. Service control policies, where they apply (an IAM principal of a
//     member account, not a service-linked role), must allow at every level.
//  4. A service principal (cloudwatch.amazonaws.com) is then authorised by the
//     resource policy alone.
//  5. Within one account, a resource policy naming a role *session* allows
//     whatever the role's boundary says. A boundary limits the rest: it must
//     allow the request, even when a resource policy names the role's ARN.
//     The role is then allowed when its identity policies or a resource
//     policy that names it allow the request; a resource policy naming the
//     account root only delegates to the identity policies.
//  6. A KMS key is reachable only through its key policy, and a role assumed
//     only through its trust policy: it must allow the principal itself, or
//     the account root, which delegates to the principal's identity
//     policies.
//  7. Across accounts, both sides must allow: the caller's identity policies
//     (within its boundary) and the resource policy of the resource's
//     account, naming the caller or its account.
//
// Statements match on Action/NotAction (case-insensitive, with * and ?),
// Resource/NotResource (case-sensitive, with * and ?), Principal, and the
// condition operators of compare, with the IfExists suffix and the
// ForAnyValue/ForAllValues set operators for multivalued keys. Session
// policies are out of scope: the platform uses none.

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
	// Principal is the caller: a role ARN, a role session ARN
	// (arn:aws:sts::<account>:assumed-role/<role>/<session>), or a service
	// principal such as "cloudwatch.amazonaws.com".
	Principal string
	Action    string
	Resource  string
	// Context holds the request's single-valued condition keys
	// (aws:RequestedRegion, aws:SourceAccount, iam:PermissionsBoundary, ...).
	// A key absent here is absent from the request.
	Context map[string]string
	// Multi holds the request's multivalued condition keys (aws:TagKeys,
	// kms:ResourceAliases, aws:PrincipalOrgPaths, ...). Policies test them
	// with ForAnyValue or ForAllValues.
	Multi map[string][]string
}

// Policies are the documents that apply to a request.
type Policies struct {
	Identity []Document
	// Boundary is the caller's permissions boundary, nil when it has none.
	Boundary *Document
	// Resource is the resource's own policy (bucket policy, key policy,
	// topic policy, a role's trust policy for sts:AssumeRole), nil when it
	// has none.
	Resource *Document
	// Account owns the resource; a resource policy naming
	// arn:aws:iam::<Account>:root delegates to identity policies. When the
	// caller's account differs, the request is cross-account.
	Account string
	// SCPs are the service control policies over the caller's account, one
	// document per level from the organisation's root down; empty when the
	// account is in no organisation (or is its management account).
	SCPs []Document
	// RCPs are the customer resource control policies over the resource's
	// account, at any level; empty likewise. AWS's RCPFullAWSAccess, at
	// every level, is implied.
	RCPs []Document
}

// RCPServices are the services whose resources resource control policies
// cover ("List of AWS services that support RCPs"); an RCP does not apply to
// a request on any other service.
var RCPServices = []string{"kms", "s3", "secretsmanager", "sqs", "sts"}

// Result is a decision and the statement that made it.
type Result struct {
	Decision Decision
	// By names the deciding statement ("boundary/DenyOtherRegions",
	// "scp[1]/DenyLeavingTheOrganisation") or why nothing allowed the
	// request.
	By string
}

type source struct {
	name string
	doc  *Document
}

// Evaluate decides one request. It fails on a condition operator it does not
// implement rather than guessing.
func Evaluate(req Request, p Policies) (Result, error) {
	if err := customerRCPsOnlyDeny(p.RCPs); err != nil {
		return Result{}, err
	}
	e := evaluation{req: withPrincipalKeys(req), p: p}
	sources := e.sources()
	if r, decided, err := e.explicitDeny(sources); decided || err != nil {
		return r, err
	}
	if r, decided, err := e.guardrailsWithhold(sources); decided || err != nil {
		return r, err
	}
	return e.allow()
}

// customerRCPsOnlyDeny refuses an RCP that allows: AWS Organizations
// accepts Allow only in the RCPFullAWSAccess it attaches itself.
func customerRCPsOnlyDeny(rcps []Document) error {
	for i, d := range rcps {
		for j, st := range d.Statement {
			if st.Effect != Deny {
				return fmt.Errorf("rcp[%d]: statement %s allows: %s", i, label(st, j), "a customer RCP may only deny (AWS attaches RCPFullAWSAccess itself)")
			}
		}
	}
	return nil
}

// evaluation is one request against the documents that apply to it.
type evaluation struct {
	req Request
	p   Policies
}

// service: the caller is an AWS service principal, not an ARN.
func (e evaluation) service() bool { return !strings.HasPrefix(e.req.Principal, "arn:") }

// sources are the documents that can deny the request, the account's own
// first, so the statement named is the one the account itself holds when
// both it and the organisation's guardrails deny. SCPs do not apply to
// service principals and service-linked roles; RCPs apply to the services
// AWS lists, except to service-linked roles.
func (e evaluation) sources() []source {
	linked := strings.Contains(e.req.Principal, ":role/aws-service-role/")
	scps := !e.service() && !linked && len(e.p.SCPs) > 0
	rcps := !linked && len(e.p.RCPs) > 0 && slices.Contains(RCPServices, serviceOf(e.req.Action))
	var sources []source
	for i := range e.p.Identity {
		sources = append(sources, source{fmt.Sprintf("identity[%d]", i), &e.p.Identity[i]})
	}
	if e.p.Boundary != nil {
		sources = append(sources, source{"boundary", e.p.Boundary})
	}
	if e.p.Resource != nil {
		sources = append(sources, source{"resource", e.p.Resource})
	}
	if scps {
		for i := range e.p.SCPs {
			sources = append(sources, source{fmt.Sprintf("scp[%d]", i), &e.p.SCPs[i]})
		}
	}
	if rcps {
		for i := range e.p.RCPs {
			sources = append(sources, source{fmt.Sprintf("rcp[%d]", i), &e.p.RCPs[i]})
		}
	}
	return sources
}

// explicitDeny: any explicit deny decides.
func (e evaluation) explicitDeny(sources []source) (Result, bool, error) {
	for _, s := range sources {
		on := onTheCaller
		if s.name == "resource" || strings.HasPrefix(s.name, "rcp") {
			on = onTheResource
		}
		sid, err := firstMatch(s.doc, Deny, e.req, on)
		if err != nil {
			return Result{}, true, fmt.Errorf("%s: %w", s.name, err)
		}
		if sid != "" {
			return Result{ExplicitDeny, s.name + "/" + sid}, true, nil
		}
	}
	return Result{}, false, nil
}

// guardrailsWithhold: SCPs grant nothing, and every level must allow.
// (Every level of RCPs allows: AWS's RCPFullAWSAccess.)
func (e evaluation) guardrailsWithhold(sources []source) (Result, bool, error) {
	for _, s := range sources {
		if !strings.HasPrefix(s.name, "scp") {
			continue
		}
		sid, err := firstMatch(s.doc, Allow, e.req, onTheCaller)
		if err != nil {
			return Result{}, true, fmt.Errorf("%s: %w", s.name, err)
		}
		if sid == "" {
			return Result{ImplicitDeny, s.name + " does not allow it"}, true, nil
		}
	}
	return Result{}, false, nil
}

// resource is the resource policy's first statement granting the request
// in the way asked (none without a resource policy).
func (e evaluation) resource(want grant) (string, error) {
	if e.p.Resource == nil {
		return "", nil
	}
	return firstGrant(e.p.Resource, e.req, want)
}

// identity is the first identity policy statement that allows the request.
func (e evaluation) identity() (string, error) {
	for i := range e.p.Identity {
		sid, err := firstMatch(&e.p.Identity[i], Allow, e.req, onTheCaller)
		if err != nil || sid != "" {
			return fmt.Sprintf("identity[%d]/%s", i, sid), err
		}
	}
	return "", nil
}

// allow decides a request no document denies.
func (e evaluation) allow() (Result, error) {
	if e.service() {
		sid, err := e.resource(direct)
		if err != nil || sid == "" {
			return Result{ImplicitDeny, "no resource policy statement allows the service"}, err
		}
		return Result{Allowed, "resource/" + sid}, nil
	}
	crossAccount := e.p.Account != "" && accountOf(e.req.Principal) != "" && accountOf(e.req.Principal) != e.p.Account
	if !crossAccount {
		// A resource policy naming the session itself is not limited by
		// the role's boundary (only by an explicit deny, checked above).
		if sid, err := e.resource(session); err != nil || sid != "" {
			return Result{Allowed, "resource/" + sid}, err
		}
	}
	if e.p.Boundary != nil {
		sid, err := firstMatch(e.p.Boundary, Allow, e.req, onTheCaller)
		if err != nil {
			return Result{}, fmt.Errorf("boundary: %w", err)
		}
		if sid == "" {
			return Result{ImplicitDeny, "the permissions boundary does not allow it"}, nil
		}
	}
	switch {
	case crossAccount:
		return e.allowCrossAccount()
	case requiresResourcePolicy(e.req):
		return e.allowThroughKeyOrTrust()
	}
	by, err := e.identity()
	if err != nil {
		return Result{}, err
	}
	if by != "" {
		return Result{Allowed, by}, nil
	}
	if sid, err := e.resource(direct); err != nil || sid != "" {
		return Result{Allowed, "resource/" + sid}, err
	}
	return Result{ImplicitDeny, "no identity or resource policy allows it"}, nil
}

// allowCrossAccount: both the caller's account and the resource's must
// allow.
func (e evaluation) allowCrossAccount() (Result, error) {
	by, err := e.identity()
	if err != nil {
		return Result{}, err
	}
	if by == "" {
		return Result{ImplicitDeny, "cross-account: no identity policy of the caller's account allows it"}, nil
	}
	sid, err := e.resource(direct | delegated)
	if err != nil {
		return Result{}, err
	}
	if sid == "" {
		return Result{ImplicitDeny, "cross-account: the resource policy of account " + e.p.Account + " does not allow the caller"}, nil
	}
	return Result{Allowed, by + " and resource/" + sid}, nil
}

// allowThroughKeyOrTrust: a key's policy and a role's trust policy are
// required: nothing reaches the key or assumes the role unless they allow
// it.
func (e evaluation) allowThroughKeyOrTrust() (Result, error) {
	if sid, err := e.resource(direct); err != nil || sid != "" {
		return Result{Allowed, "resource/" + sid}, err
	}
	root, err := e.resource(delegated)
	if err != nil || root == "" {
		return Result{ImplicitDeny, "the key or trust policy neither allows the caller nor delegates to the account"}, err
	}
	by, err := e.identity()
	if err != nil || by == "" {
		return Result{ImplicitDeny, "no identity policy allows it"}, err
	}
	return Result{Allowed, by}, nil
}

// requiresResourcePolicy: a KMS key is reachable only through its key policy,
// and a role is assumed only when its trust policy allows it.
func requiresResourcePolicy(req Request) bool {
	kmsKey := strings.HasPrefix(req.Resource, "arn:aws:kms:") && strings.Contains(req.Resource, ":key/")
	return kmsKey || strings.HasPrefix(strings.ToLower(req.Action), "sts:assumerole")
}

// withPrincipalKeys adds the global keys AWS sets from the caller itself,
// unless the request states them: aws:PrincipalArn (a session's role),
// aws:PrincipalAccount and aws:PrincipalIsAWSService.
func withPrincipalKeys(req Request) Request {
	ctx := make(map[string]string, len(req.Context)+3)
	for k, v := range req.Context {
		ctx[k] = v
	}
	set := func(k, v string) {
		if _, ok := ctx[k]; !ok && v != "" {
			ctx[k] = v
		}
	}
	if strings.HasPrefix(req.Principal, "arn:") {
		set("aws:PrincipalArn", roleOf(req.Principal))
		set("aws:PrincipalAccount", accountOf(req.Principal))
		set("aws:PrincipalIsAWSService", "false")
	} else {
		set("aws:PrincipalIsAWSService", "true")
	}
	req.Context = ctx
	return req
}

// accountOf is the account of an IAM or STS ARN, "" for anything else.
func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || (parts[2] != "iam" && parts[2] != "sts") {
		return ""
	}
	return parts[4]
}

// roleOf is the role ARN of a role session ARN; any other ARN is returned as
// it is.
func roleOf(arn string) string {
	rest, ok := strings.CutPrefix(arn, "arn:aws:sts::")
	if !ok {
		return arn
	}
	account, path, _ := strings.Cut(rest, ":assumed-role/")
	role, _, _ := strings.Cut(path, "/")
	return fmt.Sprintf("arn:aws:iam::%s:role/%s", account, role)
}

// serviceOf is the service prefix of an action ("s3:GetObject" -> "s3").
func serviceOf(action string) string {
	service, _, _ := strings.Cut(strings.ToLower(action), ":")
	return service
}

// attachment is where a document applies: to the caller (identity
// policies, boundaries, SCPs), or to the resource (resource policies and
// RCPs), whose statements name a Principal and may leave Resource out.
type attachment int

const (
	onTheCaller attachment = iota
	onTheResource
)

// firstMatch returns the Sid (or "#<index>") of the first statement of effect
// that matches the request, "" when none does. For a resource policy (or an
// RCP) the statement's Principal must name the caller in any way.
func firstMatch(d *Document, effect string, req Request, on attachment) (string, error) {
	var named grant // on the caller, no Principal to name it
	if on == onTheResource {
		named = direct | session | delegated
	}
	return first(d, effect, req, on, named, "")
}

// firstGrant is firstMatch for the allow statements of a resource policy
// whose Principal names the caller in one of the ways want admits.
func firstGrant(d *Document, req Request, want grant) (string, error) {
	return first(d, Allow, req, onTheResource, want, "resource: ")
}

// first is the first statement of effect whose Principal names the caller
// in one of the ways named admits (none: any statement) and that matches
// the request; where starts its errors.
func first(d *Document, effect string, req Request, on attachment, named grant, where string) (string, error) {
	for i, s := range d.Statement {
		if s.Effect != effect || named != 0 && s.grantTo(req.Principal)&named == 0 {
			continue
		}
		ok, err := s.matches(req, on)
		if err != nil {
			return "", fmt.Errorf("%sstatement %s: %w", where, label(s, i), err)
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

func (s Statement) matches(req Request, on attachment) (bool, error) {
	switch {
	case len(s.Action) > 0 && !anyActionMatch(s.Action, req.Action):
		return false, nil
	case len(s.NotAction) > 0 && anyActionMatch(s.NotAction, req.Action):
		return false, nil
	case len(s.Action) == 0 && len(s.NotAction) == 0:
		return false, fmt.Errorf("neither Action nor NotAction")
	}
	switch {
	case len(s.Resource) > 0 && !anyMatch(s.Resource, req.Resource):
		return false, nil
	case len(s.NotResource) > 0 && anyMatch(s.NotResource, req.Resource):
		return false, nil
	case len(s.Resource) == 0 && len(s.NotResource) == 0 && on != onTheResource:
		return false, fmt.Errorf("neither Resource nor NotResource")
	}
	return conditionsHold(s.Condition, req)
}

// grant is how a resource policy's Principal names a caller.
type grant int

const (
	// direct: "*", the service, the caller's ARN, or the role of a session.
	direct grant = 1 << iota
	// session: the exact role session ARN, which no boundary limits.
	session
	// delegated: the caller's account (its root ARN or its ID), which only
	// lets the account's own policies decide.
	delegated
)

// grantTo reads the Principal element of a resource policy statement.
func (s Statement) grantTo(principal string) grant {
	var g grant
	account := accountOf(principal)
	for kind, values := range s.Principal {
		for _, v := range values {
			switch {
			case (kind == "AWS" || kind == "*") && v == "*":
				g |= direct
			case v == principal && strings.Contains(principal, ":assumed-role/"):
				g |= direct | session
			case v == principal:
				g |= direct
			case kind == "AWS" && account != "" && strings.Contains(principal, ":assumed-role/") && v == roleOf(principal):
				g |= direct
			case kind == "AWS" && account != "" && (v == account || v == "arn:aws:iam::"+account+":root"):
				g |= delegated
			}
		}
	}
	return g
}
