// Package awstype is the registry of the AWS resource types the platform
// creates: one entry per type holds what the tooling knows about it (its
// token, how AWS names it and builds its ARN, whether it takes tags, the
// data it holds, what a change of which input does, how it is priced, found
// after a killed run and summarised in a plan, which settings produce which
// of its properties, and the API calls each operation on it makes), and
// each service's file the deployer's grants that allow those calls. The
// tables of the other packages (the stand-in's cloud and its IAM checks,
// recovery, cost, the plan, adoption, the data-loss guard, tagging, the
// pipeline roles' policies) are read from here. docs/architecture.md lists what else adding a type takes.
package awstype

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/iampolicy/validity"
)

// Type is one resource type's entry.
type Type struct {
	// Token is the Pulumi type token ("aws:lambda/function:Function").
	Token string
	// Untaggable: the type's arguments have no Tags field, so the
	// platform's required tags cannot be put on it. The layer tests check
	// this against the provider's real arguments.
	Untaggable bool
	// Holds names the data a replacement or deletion destroys ("the
	// transactions in it"); empty for a type that holds none. The
	// data-loss guard reads it.
	Holds string
	// NameInput is the input holding the resource's own name in AWS;
	// empty means "name". Types AWS names only by their Name tag have none
	// in practice (the input is absent).
	NameInput string
	// IDIsName: AWS identifies the resource by its name (the provider's ID
	// is the name).
	IDIsName bool
	// IDPrefix starts the IDs AWS generates for the type ("vpc", "rtb");
	// empty means the kind in lower case.
	IDPrefix string
	// Immutable lists the inputs, besides the name, that AWS cannot change
	// in place: a change replaces the resource.
	Immutable []string
	// ARN builds the ARN of a type AWS names by its name (or key ID); nil
	// means the ARN is built from the ID, under ARNResource.
	ARN func(s iampolicy.Scope, r Named) string
	// ARNResource is the resource type in the ARNs of a type whose ARN is
	// built from its ID, and EC2's resource type (DescribeTags); empty
	// means the kind in lower case.
	ARNResource string
	// Document is the input holding a policy document, and what the
	// document is to AWS; nil for a type with none.
	Document *Document
	// Summary lists the configuration paths a plan's table shows.
	Summary []string
	// Price is how a cost estimate prices a resource of the type: its
	// charges a month. nil for a type with NoCharge.
	Price Pricing
	// NoCharge says why the type has no line of its own in a cost
	// estimate; empty for a type with a Price.
	NoCharge string
	// Find says how recovery finds a resource of the type in the cloud by
	// its name; nil for a type that cannot be found (a kill while one is
	// created is settled by hand).
	Find *Finder
	// Unfindable says why a taggable type has no finder (an untaggable one
	// has no Name tag to be found by).
	Unfindable string
	// Settings lists which settings of the environment table produce
	// which of the type's properties: adoption turns a hand change of one
	// back into the setting.
	Settings []Setting
	// Calls are the API calls the provider makes for each operation (the
	// service file's table, beside the entry).
	Calls Operations
	// OutsideTheLayers: no layer creates a resource of the type (the
	// bootstrap does, or nothing does and the entry is there for the
	// stand-in to judge one that tried). The pipeline roles' reads do not
	// cover it.
	OutsideTheLayers bool
	// IDIsARN: the provider's ID of a resource of the type is its ARN.
	IDIsARN bool
	// Computed are the outputs AWS computes for a resource of the type
	// beyond its ID and ARN, which programs read back (a function's
	// qualified ARN, a key's ID); nil for a type with none.
	Computed func(s iampolicy.Scope, r Named, arn string) map[string]string
	// Quota is the account's service quota resources of the type count
	// against; nil for a type none limits in practice.
	Quota *Quota
	// ManagedBy matches the properties a service moves on its own
	// (autoscaling), which are the platform working, not drift.
	ManagedBy *regexp.Regexp
}

// Named is what an ARN is built from: the resource's ID, its name, and its
// inputs.
type Named struct {
	ID, Name string
	Input    func(key string) string
}

// Document is a policy document input.
type Document struct {
	Input string
	Kind  validity.Kind
}

// Finder is how a type is found in an account by its name.
type Finder struct {
	// TagFilter is the Resource Groups Tagging API's resource type filter.
	TagFilter string
	// ID reads the provider's ID from the ARN that API answers.
	ID IDForm
	// ByName is the service's own read of the name, which proves absence
	// when it answers "not found"; ByTagOnly when the type has none.
	ByName NameRead
	// EC2Type is EC2's resource type (DescribeTags' filter) of an EC2 type.
	EC2Type string
}

// IDForm is how a provider ID is read from an ARN.
type IDForm int

// The forms.
const (
	// AfterSlash reads "arn:aws:ec2:us-east-1:1:natgateway/nat-0a" as "nat-0a".
	AfterSlash IDForm = iota
	// AfterColon reads "arn:aws:lambda:us-east-1:1:function:name" as "name"
	// (and a log group's ARN without its ":*").
	AfterColon
	// WholeARN: the ARN is the ID (SNS topics).
	WholeARN
)

// FromARN reads the ID.
func (f IDForm) FromARN(arn string) string {
	switch f {
	case AfterColon:
		arn = strings.TrimSuffix(arn, ":*") // log groups
		return arn[strings.LastIndex(arn, ":")+1:]
	case WholeARN:
		return arn
	}
	return arn[strings.LastIndex(arn, "/")+1:]
}

// NameRead is a service's read of a resource by its name.
type NameRead int

// The reads.
const (
	// ByTagOnly: only the tagging API lists it, a while after it is tagged.
	ByTagOnly NameRead = iota
	// HeadBucket is S3's.
	HeadBucket
	// DescribeTable is DynamoDB's.
	DescribeTable
	// GetFunction is Lambda's.
	GetFunction
	// DescribeTags is EC2's, on the Name tag EC2 sets with the creation
	// (TagSpecifications), under the finder's EC2Type.
	DescribeTags
)

// Setting is one setting behind one property of the resources of a type
// whose logical name matches Name.
type Setting struct {
	Name *regexp.Regexp
	// Path is a regular expression over the property's path.
	Path *regexp.Regexp
	// Key is the environment table's key (profile.Key...).
	Key string
}

// setting anchors its expressions.
func setting(name, path, key string) Setting {
	return Setting{Name: regexp.MustCompile("^(" + name + ")$"), Path: regexp.MustCompile("^(" + path + ")$"), Key: key}
}

// Module is the AWS service of the type ("aws:ec2/vpc:Vpc" -> "ec2").
func (t Type) Module() string { return Module(t.Token) }

// Kind is the resource kind ("aws:ec2/vpc:Vpc" -> "Vpc").
func (t Type) Kind() string { return Kind(t.Token) }

// NameKey is the input holding the resource's own name.
func (t Type) NameKey() string {
	if t.NameInput == "" {
		return "name"
	}
	return t.NameInput
}

// Module returns the AWS service of a token ("aws:ec2/vpc:Vpc" -> "ec2").
func Module(token string) string {
	return strings.SplitN(strings.TrimPrefix(token, "aws:"), "/", 2)[0]
}

// Kind returns the resource kind of a token ("aws:ec2/vpc:Vpc" -> "Vpc").
func Kind(token string) string { return token[strings.LastIndex(token, ":")+1:] }

var registry = map[string]Type{}

// register adds the entries of one service's file, each with its calls.
func register(calls map[string]Operations, types ...Type) {
	for _, t := range types {
		t.Calls = calls[t.Token]
		if _, dup := registry[t.Token]; dup {
			panic(fmt.Sprintf("awstype: %s registered twice", t.Token))
		}
		registry[t.Token] = t
	}
}

// Of returns a token's entry.
func Of(token string) (Type, bool) {
	t, ok := registry[token]
	return t, ok
}

// All returns every entry, by token.
func All() []Type {
	out := make([]Type, 0, len(registry))
	for _, t := range registry {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Token < out[j].Token })
	return out
}

// Untaggable reports whether a token's type takes no tags. Unknown types
// (not AWS's, or not the platform's) count as taggable, so the tagging
// rules look at them.
func Untaggable(token string) bool { return registry[token].Untaggable }

// Holds is the data a resource of the type holds, "" for none.
func Holds(token string) string { return registry[token].Holds }

// NameKey is the input holding a type's own name ("name" for a type
// without an entry).
func NameKey(token string) string { return registry[token].NameKey() }
