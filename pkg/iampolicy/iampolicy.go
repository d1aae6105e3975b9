// Package iampolicy writes IAM policy documents from typed Go values, and the
// ARNs they name from the environment's account and region, so every policy is
// plain JSON known at plan time: reviewable in a preview, checkable in a test
// and recorded as-is in the manifest.
package iampolicy

import (
	"encoding/json"
	"fmt"
)

// Version is the IAM policy language version.
const Version = "2012-10-17"

// Document is an IAM policy document.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a policy document. Action and Resource (and
// their negations) are always lists, so a reader never has to handle both
// shapes. A statement has Action or NotAction, and Resource or NotResource
// (resource policies and trust policies name a Principal instead of a
// resource where the resource is implied).
type Statement struct {
	Sid         string     `json:"Sid,omitempty"`
	Effect      string     `json:"Effect"`
	Principal   Principals `json:"Principal,omitempty"`
	Action      Strings    `json:"Action,omitempty"`
	NotAction   Strings    `json:"NotAction,omitempty"`
	Resource    Strings    `json:"Resource,omitempty"`
	NotResource Strings    `json:"NotResource,omitempty"`
	Condition   Condition  `json:"Condition,omitempty"`
}

// Principals is a resource policy statement's Principal element: kind
// ("AWS", "Service", "Federated") -> names. Everyone, which IAM writes as the
// plain string "*" (and which a resource control policy must use), is
// Everyone.
type Principals map[string]Strings

// Everyone is the Principal "*".
var Everyone = Principals{"*": {"*"}}

// UnmarshalJSON reads "*" or an object of kinds.
func (p *Principals) UnmarshalJSON(b []byte) error {
	var star string
	if err := json.Unmarshal(b, &star); err == nil {
		if star != "*" {
			return fmt.Errorf("principal %q: want \"*\" or an object", star)
		}
		*p = Everyone
		return nil
	}
	var m map[string]Strings
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*p = m
	return nil
}

// MarshalJSON writes Everyone as "*".
func (p Principals) MarshalJSON() ([]byte, error) {
	if len(p) == 1 && len(p["*"]) == 1 && p["*"][0] == "*" {
		return []byte(`"*"`), nil
	}
	return json.Marshal(map[string]Strings(p))
}

// Condition is a statement's Condition block: operator -> condition key ->
// values. A key's values are alternatives (any may match; for a negated
// operator, none may).
type Condition map[string]map[string]Values

// Values are the values of one condition key. IAM's grammar lets a document
// write one value as a plain string; a single value is written that way, so a
// document's text does not change when it gains the ability to hold more.
type Values []string

// UnmarshalJSON reads a string, a boolean or number (as its text), or a list.
func (v *Values) UnmarshalJSON(b []byte) error {
	var raw any
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	one := func(x any) (string, error) {
		switch t := x.(type) {
		case string:
			return t, nil
		case bool, float64:
			return fmt.Sprint(t), nil
		}
		return "", fmt.Errorf("condition value %v: want a string, boolean or number", x)
	}
	if list, ok := raw.([]any); ok {
		out := make(Values, 0, len(list))
		for _, x := range list {
			s, err := one(x)
			if err != nil {
				return err
			}
			out = append(out, s)
		}
		*v = out
		return nil
	}
	s, err := one(raw)
	*v = Values{s}
	return err
}

// Only is the one value, "" when there are none or several.
func (v Values) Only() string {
	if len(v) == 1 {
		return v[0]
	}
	return ""
}

// MarshalJSON writes one value as a string and several as a list.
func (v Values) MarshalJSON() ([]byte, error) {
	if len(v) == 1 {
		return json.Marshal(v[0])
	}
	return json.Marshal([]string(v))
}

// Strings is a list that IAM's grammar also lets a document write as a single
// string ("Action": "s3:GetObject"). It is always written as a list and read
// in either form.
type Strings []string

// UnmarshalJSON reads a string or a list of strings.
func (s *Strings) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = Strings{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("want a string or a list of strings: %w", err)
	}
	*s = many
	return nil
}

// Effects of a statement.
const (
	Allow = "Allow"
	Deny  = "Deny"
)

// New returns a document of the given statements.
func New(statements ...Statement) Document {
	return Document{Version: Version, Statement: statements}
}

// JSON renders the document. Go's encoder sorts map keys, so the text is
// stable across runs and an unchanged policy never shows as a diff.
func (d Document) JSON() string {
	b, err := json.Marshal(d)
	if err != nil {
		// Only unsupported types fail to marshal, and Document has none.
		panic(fmt.Sprintf("iampolicy: %v", err))
	}
	return string(b)
}

// Parse reads a document written by JSON (or any document using list forms).
func Parse(text string) (Document, error) {
	var d Document
	if err := json.Unmarshal([]byte(text), &d); err != nil {
		return Document{}, fmt.Errorf("iampolicy: %w", err)
	}
	return d, nil
}

// ServiceTrust is the trust policy letting one AWS service assume a role, only
// on behalf of this account (the confused-deputy guard).
func ServiceTrust(service, account string) Document {
	return New(Statement{
		Sid:       "TrustServiceFromThisAccountOnly",
		Effect:    "Allow",
		Principal: map[string]Strings{"Service": {service}},
		Action:    []string{"sts:AssumeRole"},
		Condition: Condition{"StringEquals": {"aws:SourceAccount": {account}}},
	})
}

// Scope names the partition, region and account ARNs are built in.
type Scope struct {
	Region  string
	Account string
}

// LogGroup is the ARN of a CloudWatch log group.
func (s Scope) LogGroup(name string) string {
	return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", s.Region, s.Account, name)
}

// LogStreams is the ARN of a log group's streams (what PutLogEvents is
// authorised on).
func (s Scope) LogStreams(group string) string { return s.LogGroup(group) + ":log-stream:*" }

// Table is the ARN of a DynamoDB table; Indexes covers all its indexes.
func (s Scope) Table(name string) string {
	return fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", s.Region, s.Account, name)
}

// Indexes is the ARN pattern of every index of a table.
func (s Scope) Indexes(table string) string { return s.Table(table) + "/index/*" }

// Bucket is the ARN of an S3 bucket (S3 ARNs carry no region or account).
func Bucket(name string) string { return "arn:aws:s3:::" + name }

// Object is the ARN pattern of the objects under prefix in a bucket.
func Object(bucket, prefix string) string { return Bucket(bucket) + "/" + prefix + "*" }

// ServiceEndpoint is a service's regional endpoint, as the kms:ViaService
// condition key names it ("dynamodb.us-east-1.amazonaws.com").
func (s Scope) ServiceEndpoint(service string) string {
	return fmt.Sprintf("%s.%s.amazonaws.com", service, s.Region)
}

// AccountRoot is the principal that stands for the whole account in a
// resource policy: naming it delegates to the account's IAM policies.
func (s Scope) AccountRoot() string { return fmt.Sprintf("arn:aws:iam::%s:root", s.Account) }

// Role is the ARN of an IAM role at the root path.
func (s Scope) Role(name string) string { return s.RoleAt("/", name) }

// RoleAt is the ARN of an IAM role at a path ("/payments-workload/").
func (s Scope) RoleAt(path, name string) string {
	if path == "" {
		path = "/"
	}
	return fmt.Sprintf("arn:aws:iam::%s:role%s%s", s.Account, path, name)
}

// Policy is the ARN of a customer-managed IAM policy.
func (s Scope) Policy(name string) string {
	return fmt.Sprintf("arn:aws:iam::%s:policy/%s", s.Account, name)
}

// Function is the ARN of a Lambda function.
func (s Scope) Function(name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", s.Region, s.Account, name)
}

// Topic is the ARN of an SNS topic.
func (s Scope) Topic(name string) string {
	return fmt.Sprintf("arn:aws:sns:%s:%s:%s", s.Region, s.Account, name)
}

// Key is the ARN of a KMS key, by its key ID.
func (s Scope) Key(id string) string {
	return fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", s.Region, s.Account, id)
}

// Alias is the ARN of a KMS alias; name includes "alias/".
func (s Scope) Alias(name string) string {
	return fmt.Sprintf("arn:aws:kms:%s:%s:%s", s.Region, s.Account, name)
}

// Alarm is the ARN of a CloudWatch alarm.
func (s Scope) Alarm(name string) string {
	return fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", s.Region, s.Account, name)
}

// Dashboard is the ARN of a CloudWatch dashboard (global: no region).
func (s Scope) Dashboard(name string) string {
	return fmt.Sprintf("arn:aws:cloudwatch::%s:dashboard/%s", s.Account, name)
}

// Trail is the ARN of a CloudTrail trail.
func (s Scope) Trail(name string) string {
	return fmt.Sprintf("arn:aws:cloudtrail:%s:%s:trail/%s", s.Region, s.Account, name)
}

// Secret is the ARN pattern of a Secrets Manager secret (AWS appends six
// random characters to the name).
func (s Scope) Secret(name string) string {
	return fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s", s.Region, s.Account, name)
}

// Resource is the ARN AWS gives a resource of a service and resource type
// that is identified by its ID ("arn:aws:ec2:us-east-1:1:vpc/vpc-0a").
func (s Scope) Resource(service, resourceType, id string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s/%s", service, s.Region, s.Account, resourceType, id)
}
