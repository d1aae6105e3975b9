// Package naming builds the physical names of every AWS resource as
// {resource-type}-{environment}-{suffix} and enforces each AWS service's length
// and character limits, so a name that AWS would reject fails at plan time with
// a message instead of half-way through a deployment.
package naming

import (
	"fmt"
	"regexp"
	"strings"
)

// Kind is an AWS naming rule: a service's maximum length and allowed
// characters.
type Kind struct {
	Service string
	MaxLen  int
	pattern *regexp.Regexp
	allowed string
}

// NewKind is the naming rule of a service: names of at most maxLen
// characters that match pattern, whose characters allowed describes for
// an error. A component of a type no kind below covers declares its own.
func NewKind(service string, maxLen int, pattern, allowed string) Kind {
	return Kind{service, maxLen, regexp.MustCompile(pattern), allowed}
}

// The kinds of names this project creates. Limits are AWS's documented ones.
var (
	S3Bucket      = Kind{"S3 bucket", 63, regexp.MustCompile(`^[a-z0-9][a-z0-9-]*[a-z0-9]$`), "lowercase letters, digits and hyphens"}
	IAMRole       = Kind{"IAM role", 64, regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]+$`), "letters, digits and +=,.@_-"}
	IAMPolicy     = Kind{"IAM policy", 128, regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]+$`), "letters, digits and +=,.@_-"}
	Lambda        = Kind{"Lambda function", 64, regexp.MustCompile(`^[A-Za-z0-9_-]+$`), "letters, digits, hyphens and underscores"}
	DynamoDB      = Kind{"DynamoDB table", 255, regexp.MustCompile(`^[A-Za-z0-9_.-]{3,}$`), "letters, digits and _.-"}
	Alarm         = Kind{"CloudWatch alarm", 255, regexp.MustCompile(`^[^\x00-\x1f]+$`), "printable characters"}
	Dashboard     = Kind{"CloudWatch dashboard", 255, regexp.MustCompile(`^[A-Za-z0-9_-]+$`), "letters, digits, hyphens and underscores"}
	SNSTopic      = Kind{"SNS topic", 256, regexp.MustCompile(`^[A-Za-z0-9_-]+$`), "letters, digits, hyphens and underscores"}
	SecurityGroup = Kind{"security group", 255, regexp.MustCompile(`^[A-Za-z0-9 ._:/()#,@\[\]+=&;{}!$*-]+$`), "letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*"}
	LogGroup      = Kind{"CloudWatch log group", 512, regexp.MustCompile(`^[A-Za-z0-9_/.#-]+$`), "letters, digits and _-/.#"}
	KMSAlias      = Kind{"KMS alias", 250, regexp.MustCompile(`^[A-Za-z0-9/_-]+$`), "letters, digits and /_-"}
	// Tag covers resources whose only name is their Name tag (VPC, subnets, ...).
	Tag = Kind{"Name tag", 256, regexp.MustCompile(`^[^\x00-\x1f]+$`), "printable characters"}
)

// Resource types of the names that more than one package spells: the
// components that create the resources, and the policies that reach them.
const (
	TransactionsTable = "transactions"
	AuditBucket       = "audit-logs"
	// AuditAccessLogs receives the audit bucket's server access logs: every
	// read, write and delete of an audit record, and every denied attempt.
	AuditAccessLogs     = "audit-access-logs"
	PermissionsBoundary = "permissions-boundary"
	EnvironmentKey      = "payments"
	VPC                 = "vpc"
	// PaymentFunction is the payment-processing function, whose reserved
	// concurrency the deployment's quota check weighs.
	PaymentFunction = "payment-processor"
	FlowLogRole     = "vpc-flow-logs"
)

// Review environments: a pull request's is named ReviewPrefix and its
// number ("pr-4821"); what an account's bootstrap owns for all of them
// (their workload boundary, their access-log bucket) is named for
// ReviewOwner in the environment's place.
const (
	ReviewPrefix = "pr-"
	ReviewOwner  = "review"
)

// Log group paths AWS services write under.
const (
	LambdaLogPath  = "/aws/lambda"
	FlowLogLogPath = "/aws/vpc/flow-logs"
)

var typePattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// Convention matches every physical name of one environment:
// {type}-{env}-{suffix}, after a log group's path or a KMS alias's prefix.
// The compliance rule NAMING_CONVENTION and the layer tests both check it.
func Convention(env, suffix string) *regexp.Regexp {
	return regexp.MustCompile(`^(/[a-z0-9/-]+/|alias/)?[a-z0-9]+(-[a-z0-9]+)*-` + regexp.QuoteMeta(env+"-"+suffix) + `$`)
}

// Namer names the resources of one environment.
type Namer struct {
	env, suffix string
	// longest, for a Namer of a pattern, is the longest environment the
	// pattern matches: each name is checked with it in the pattern's place.
	longest string
}

// New returns a Namer for an environment and the stack's environmentSuffix.
func New(env, suffix string) Namer { return Namer{env: env, suffix: suffix, longest: env} }

// Pattern returns a Namer whose environment is an IAM pattern ("pr-*")
// matching a family of environments, the longest of which is longest: its
// names are patterns for policies, each checked against the service's
// limits as the longest environment's name.
func Pattern(env, longest, suffix string) Namer {
	return Namer{env: env, suffix: suffix, longest: longest}
}

// Name returns {resourceType}-{env}-{suffix}, or an error naming the service
// limit it breaks.
func (n Namer) Name(kind Kind, resourceType string) (string, error) {
	if !typePattern.MatchString(resourceType) {
		return "", fmt.Errorf("naming: resource type %q: allowed lowercase words joined by hyphens", resourceType)
	}
	name := strings.Join([]string{resourceType, n.env, n.suffix}, "-")
	return name, kind.Check(strings.Join([]string{resourceType, n.longest, n.suffix}, "-"))
}

// IsPattern reports whether the Namer names a family of environments.
func (n Namer) IsPattern() bool { return n.env != n.longest }

// ResourceType is the inverse of Name: the resource type a physical name of
// this environment was built from ("payment-processor-prod-pay01" ->
// "payment-processor"); false for a name of another environment.
func (n Namer) ResourceType(physical string) (string, bool) {
	rest, ok := strings.CutSuffix(physical, "-"+n.env+"-"+n.suffix)
	if !ok || !typePattern.MatchString(rest) {
		return "", false
	}
	return rest, true
}

// LogGroup returns the log group name of a physical resource, under the path
// AWS services expect (for example "/aws/lambda/" for functions).
func (n Namer) LogGroup(path, physical string) (string, error) {
	name := strings.TrimSuffix(path, "/") + "/" + physical
	return name, LogGroup.Check(strings.Replace(name, "-"+n.env+"-", "-"+n.longest+"-", 1))
}

// Check validates a complete name against the kind's limits.
func (k Kind) Check(name string) error {
	if len(name) > k.MaxLen {
		return fmt.Errorf("naming: %s name %q is %d characters: allowed at most %d", k.Service, name, len(name), k.MaxLen)
	}
	if !k.pattern.MatchString(name) {
		return fmt.Errorf("naming: %s name %q: allowed %s", k.Service, name, k.allowed)
	}
	return nil
}

// Env and Suffix expose the Namer's parts, for patterns that must match every
// name of an environment (permission boundaries, tests).
func (n Namer) Env() string    { return n.env }
func (n Namer) Suffix() string { return n.suffix }
