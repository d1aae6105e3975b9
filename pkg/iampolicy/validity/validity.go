package validity

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/acmepay/platform/pkg/iampolicy"
)

// This file holds AWS's validity rules for the documents the project writes:
// what IAM, AWS Organizations, KMS, S3, DynamoDB and SNS refuse to store, as
// their documentation states it. The evaluator (eval.go) models how AWS
// decides a request; it accepts documents AWS would never store. A document
// is checked here before it is written, deployed or evaluated as proof.

// Kind is what a document is to AWS, which decides its grammar and size.
type Kind string

// The kinds of document the project writes.
const (
	// ManagedPolicy is a customer-managed IAM policy: a role's policy,
	// guardrail or permissions boundary.
	ManagedPolicy Kind = "managed policy"
	// InlinePolicy is a role's inline policy; a role's inline policies
	// share one size limit (InlinePoliciesOfOneRole).
	InlinePolicy Kind = "inline policy"
	// TrustPolicy is a role's trust policy.
	TrustPolicy Kind = "trust policy"
	// SCP is an AWS Organizations service control policy.
	SCP Kind = "service control policy"
	// RCP is an AWS Organizations resource control policy.
	RCP Kind = "resource control policy"
	// KeyPolicy is a KMS key's policy.
	KeyPolicy Kind = "key policy"
	// BucketPolicy is an S3 bucket policy.
	BucketPolicy Kind = "bucket policy"
	// TablePolicy is a DynamoDB table's resource-based policy.
	TablePolicy Kind = "table policy"
	// TopicPolicy is an SNS topic's access policy.
	TopicPolicy Kind = "topic policy"
)

// Rule is one of AWS's validity rules, with the page that states it.
type Rule struct {
	Name   string
	Source string
}

// The rules, each with its source.
var (
	RuleVersion = Rule{"Version is present and 2012-10-17",
		"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html"}
	RuleEffect = Rule{"Effect is Allow or Deny",
		"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html"}
	RuleSid = Rule{"Sid holds ASCII letters and digits only, and is unique in the document",
		"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html"}
	RuleAction = Rule{"a statement has Action or NotAction, not both; each is service:action",
		"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html"}
	RuleResource = Rule{"a statement has Resource or NotResource, not both (a trust policy has neither)",
		"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html"}
	RulePrincipal = Rule{"an identity policy, SCP or boundary names no Principal; a resource or trust policy names one",
		"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"}
	RuleNotPrincipal = Rule{"NotPrincipal only with Deny, and never in a trust policy, SCP or RCP",
		"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"}
	RuleTrustActions = Rule{"a trust policy allows only STS's role actions",
		"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles"}
	RuleRCPDenyOnly = Rule{"an RCP statement denies (Allow is only AWS's own RCPFullAWSAccess)",
		"https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html"}
	RuleRCPElements = Rule{"an RCP statement has Principal \"*\", Action, and Resource or NotResource; no NotAction, no NotPrincipal",
		"https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html"}
	RuleSCPElements = Rule{"an SCP statement has no Principal or NotPrincipal",
		"https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html"}
	RuleOperator = Rule{"condition operators are IAM's, IfExists on all but Null, ForAnyValue/ForAllValues as set prefixes",
		"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"}
	RuleConditionKey = Rule{"condition keys exist: AWS's global keys, or the service's own keys in the Service Authorization Reference",
		"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"}
	RuleConditionValue = Rule{"Bool and Null take true or false, Numeric operators take numbers",
		"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"}
	RuleSize = Rule{"the document fits its kind's size limit", ""}
)

// Limit is a kind's size limit and where AWS states it.
type Limit struct {
	// Max is the largest size AWS stores.
	Max int
	// Whitespace: AWS counts whitespace (Organizations does, IAM does not).
	Whitespace bool
	Unit       string
	Source     string
}

// Limits are the size limits of each kind of document.
var Limits = map[Kind]Limit{
	ManagedPolicy: {6144, false, "characters", "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length"},
	InlinePolicy:  {10240, false, "characters", "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length"},
	// 2,048 is the default quota; it can be raised to 4,096.
	TrustPolicy:  {2048, false, "characters", "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entities"},
	SCP:          {5120, true, "characters", "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html#min-max-values"},
	RCP:          {5120, true, "characters", "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html#min-max-values"},
	KeyPolicy:    {32768, true, "bytes", "https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html#key-policy-limit"},
	BucketPolicy: {20480, true, "bytes", "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html"},
	TablePolicy:  {20480, true, "bytes", "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/rbac-considerations.html"},
	TopicPolicy:  {30720, true, "bytes", "https://docs.aws.amazon.com/general/latest/gr/sns.html#limits_sns"},
}

// Violation is one broken rule in one document.
type Violation struct {
	Document string
	Kind     Kind
	// Statement is the statement's Sid (or #index), "" for the document.
	Statement string
	Rule      Rule
	Detail    string
}

func (v Violation) Error() string {
	where := v.Document + " (" + string(v.Kind) + ")"
	if v.Statement != "" {
		where += " statement " + v.Statement
	}
	return fmt.Sprintf("%s: %s: %s", where, v.Rule.Name, v.Detail)
}

// Validate checks a document against every rule of its kind. name says
// which document it is in the error ("deployer-policy.json"). The error
// joins one Violation per broken rule, nil when AWS would store it.
func Validate(kind Kind, name string, d iampolicy.Document) error {
	if _, ok := Limits[kind]; !ok {
		return fmt.Errorf("%s: unknown kind of document %q", name, kind)
	}
	var errs []error
	add := func(statement string, rule Rule, format string, args ...any) {
		errs = append(errs, Violation{Document: name, Kind: kind, Statement: statement, Rule: rule, Detail: fmt.Sprintf(format, args...)})
	}
	if d.Version != iampolicy.Version {
		add("", RuleVersion, "Version is %q", d.Version)
	}
	if len(d.Statement) == 0 {
		add("", RuleAction, "no statement")
	}
	if err := checkSize(kind, d.JSON()); err != nil {
		add("", RuleSize, "%s", err)
	}
	sids := map[string]bool{}
	for i, s := range d.Statement {
		at := label(s, i)
		if s.Sid != "" {
			if !alphanumeric(s.Sid) {
				add(at, RuleSid, "Sid %q", s.Sid)
			}
			if sids[s.Sid] {
				add(at, RuleSid, "Sid %q is used twice", s.Sid)
			}
			sids[s.Sid] = true
		}
		for _, v := range statementViolations(kind, s) {
			add(at, v.Rule, "%s", v.Detail)
		}
	}
	return errors.Join(errs...)
}

// ValidateInlinePolicies checks the size a role's inline policies share.
func ValidateInlinePolicies(role string, docs ...iampolicy.Document) error {
	total := 0
	for _, d := range docs {
		total += len(stripWhitespace(d.JSON()))
	}
	if l := Limits[InlinePolicy]; total > l.Max {
		return Violation{Document: "the inline policies of " + role, Kind: InlinePolicy, Rule: RuleSize,
			Detail: fmt.Sprintf("%d characters together, over the limit of %d (%s)", total, l.Max, l.Source)}
	}
	return nil
}

// Fits reports whether a document is within its kind's size limit.
func Fits(kind Kind, d iampolicy.Document) bool { return checkSize(kind, d.JSON()) == nil }

// checkSize measures a document as its kind's service does.
func checkSize(kind Kind, text string) error {
	l := Limits[kind]
	if !l.Whitespace {
		text = stripWhitespace(text)
	}
	if len(text) > l.Max {
		return fmt.Errorf("%d %s, over the limit of %d (%s)", len(text), l.Unit, l.Max, l.Source)
	}
	return nil
}

// stripWhitespace drops whitespace outside quoted strings, which IAM does
// not count.
func stripWhitespace(text string) string {
	var b strings.Builder
	quoted, escaped := false, false
	for _, r := range text {
		switch {
		case escaped:
			escaped = false
		case r == '\\' && quoted:
			escaped = true
		case r == '"':
			quoted = !quoted
		case !quoted && unicode.IsSpace(r):
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func alphanumeric(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

type finding struct {
	Rule   Rule
	Detail string
}

var actionPattern = regexp.MustCompile(`^([a-z0-9-]+:[A-Za-z0-9*?]+|\*)$`)

// trustActions are the actions a trust policy may allow.
var trustActions = []string{"sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:TagSession", "sts:SetSourceIdentity", "sts:SetContext"}

func statementViolations(kind Kind, s iampolicy.Statement) []finding {
	var out []finding
	add := func(rule Rule, format string, args ...any) {
		out = append(out, finding{rule, fmt.Sprintf(format, args...)})
	}
	if s.Effect != iampolicy.Allow && s.Effect != iampolicy.Deny {
		add(RuleEffect, "Effect is %q", s.Effect)
	}
	switch {
	case len(s.Action) > 0 && len(s.NotAction) > 0:
		add(RuleAction, "both Action and NotAction")
	case len(s.Action) == 0 && len(s.NotAction) == 0:
		add(RuleAction, "neither Action nor NotAction")
	}
	for _, a := range append(slices.Clone(s.Action), s.NotAction...) {
		if !actionPattern.MatchString(a) {
			add(RuleAction, "action %q is not service:action", a)
		}
	}
	hasResource := len(s.Resource) > 0 || len(s.NotResource) > 0
	if len(s.Resource) > 0 && len(s.NotResource) > 0 {
		add(RuleResource, "both Resource and NotResource")
	}
	switch kind {
	case TrustPolicy:
		if hasResource {
			add(RuleResource, "a trust policy names no Resource: the role is the resource")
		}
	default:
		if !hasResource {
			add(RuleResource, "neither Resource nor NotResource")
		}
	}
	principal := len(s.Principal) > 0
	switch kind {
	case ManagedPolicy, InlinePolicy:
		if principal {
			add(RulePrincipal, "an identity policy names no Principal: it applies to whoever it is attached to")
		}
	case SCP:
		if principal {
			add(RuleSCPElements, "Principal is not an element of an SCP: it applies to the accounts it is attached to")
		}
	case RCP:
		if s.Effect != iampolicy.Deny {
			add(RuleRCPDenyOnly, "Effect is %q: AWS attaches RCPFullAWSAccess itself, and a customer RCP may only deny", s.Effect)
		}
		if !isEveryone(s.Principal) {
			add(RuleRCPElements, "Principal must be \"*\" (scope callers with conditions such as aws:PrincipalOrgID)")
		}
		if len(s.NotAction) > 0 {
			add(RuleRCPElements, "NotAction is not an element of an RCP")
		}
	default:
		if !principal {
			add(RulePrincipal, "a %s names the Principal it applies to", kind)
		}
	}
	if kind == TrustPolicy {
		for _, a := range s.Action {
			if !slices.Contains(trustActions, a) {
				add(RuleTrustActions, "action %q (allowed: %s)", a, strings.Join(trustActions, ", "))
			}
		}
	}
	for op, keys := range s.Condition {
		if err := checkOperator(op); err != nil {
			add(RuleOperator, "%s", err)
			continue
		}
		for key, values := range keys {
			if !KnownConditionKey(key) {
				add(RuleConditionKey, "%s: no such condition key", key)
			}
			if err := checkValues(op, values); err != nil {
				add(RuleConditionValue, "%s on %s: %s", op, key, err)
			}
		}
	}
	return out
}

func isEveryone(p iampolicy.Principals) bool {
	return len(p) == 1 && len(p["*"]) == 1 && p["*"][0] == "*"
}

// Operators are IAM's condition operators, without IfExists or set prefixes.
var Operators = []string{
	"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
	"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals",
	"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
	"Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
}

func checkOperator(op string) error {
	base := op
	if set, rest, ok := strings.Cut(op, ":"); ok {
		if set != "ForAnyValue" && set != "ForAllValues" {
			return fmt.Errorf("%s: %q is not a set operator (ForAnyValue, ForAllValues)", op, set)
		}
		base = rest
	}
	trimmed, ifExists := strings.CutSuffix(base, "IfExists")
	if !slices.Contains(Operators, trimmed) {
		return fmt.Errorf("%s: no such condition operator", op)
	}
	if ifExists && trimmed == "Null" {
		return fmt.Errorf("%s: Null takes no IfExists", op)
	}
	return nil
}

func checkValues(op string, values iampolicy.Values) error {
	base := op
	if _, rest, ok := strings.Cut(op, ":"); ok {
		base = rest
	}
	base = strings.TrimSuffix(base, "IfExists")
	for _, v := range values {
		switch {
		case base == "Bool" || base == "Null":
			if v != "true" && v != "false" {
				return fmt.Errorf("value %q: want true or false", v)
			}
		case strings.HasPrefix(base, "Numeric"):
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				return fmt.Errorf("value %q: want a number", v)
			}
		}
	}
	return nil
}

func label(s iampolicy.Statement, i int) string {
	if s.Sid != "" {
		return s.Sid
	}
	return fmt.Sprintf("#%d", i)
}
