package bootstrapiam

import (
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/naming"
	"github.com/acmepay/platform/pkg/profile"
)

// The review role and what bootstrap attaches to it: created in the
// account of the environments file's review block (review.in) beside that
// environment's pipeline roles. Review environments are deployed by it,
// never by the environment's deployer: a pull request's code has not been
// reviewed yet, and this role reaches only review environments' names,
// tags and state (docs/bootstrap.md, "Review environments").
const (
	ReviewRoleName      = "payments-pipeline-review"
	ReviewBoundaryName  = "payments-pipeline-review-boundary"
	ReviewGuardrailName = "payments-pipeline-review-guardrail"
)

// ReviewNetworkGuardrailNames name the review role's network guardrails,
// in NetworkGuardrails' order.
var ReviewNetworkGuardrailNames = []string{"payments-pipeline-review-network-guardrail-environment", "payments-pipeline-review-network-guardrail-project"}

// RoleNames name one deployer role and the policies bootstrap attaches to
// it: the environment's deployer, or the review role.
type RoleNames struct {
	Deployer, Boundary, Guardrail string
	Network                       []string
}

// RoleNames are the names of the account's deployer: the review role's
// for the review environments' account (Reviews).
func (a Account) RoleNames() RoleNames {
	if a.isReviews() {
		return RoleNames{ReviewRoleName, ReviewBoundaryName, ReviewGuardrailName, ReviewNetworkGuardrailNames}
	}
	return RoleNames{DeployerRoleName, DeployerBoundaryName, DeployerGuardrailName, NetworkGuardrailNames}
}

// Reviews is the account as the review environments running in it see it:
// its profile is every review environment's (named profile.ReviewPattern,
// so its names and tags are patterns matching all of them), and its
// deployer is the review role. False when the account is not the review
// block's.
func (a Account) Reviews() (Account, bool) {
	r, ok := profile.Reviews()
	if !ok || a.Profile.Environment != r.In {
		return Account{}, false
	}
	p, err := r.Profile(a.Profile, profile.ReviewPattern)
	if err != nil {
		return Account{}, false // the block is checked when the file is read
	}
	home := a
	return Account{Profile: p, Pipeline: a.Pipeline, home: &home}, true
}

func (a Account) isReviews() bool { return a.Profile.Environment == profile.ReviewPattern }

// Home is the account of the environment itself: a itself, but for the
// review environments' account, whose home is the environment they run in.
func (a Account) Home() Account {
	if a.home != nil {
		return *a.home
	}
	return a
}

// equals and notEquals compare a tag with the environment: exactly, or,
// for review environments, as the pattern that matches all of them.
func (a Account) equals() string {
	if a.isReviews() {
		return "StringLike"
	}
	return "StringEquals"
}

func (a Account) notEquals() string {
	if a.isReviews() {
		return "StringNotLike"
	}
	return "StringNotEquals"
}

// namer names the account's environment, or the pattern of its review
// environments, checked as the longest of them.
func (a Account) namer() naming.Namer {
	if a.isReviews() {
		return naming.Pattern(a.env(), string(profile.LongestReview), a.Profile.Suffix)
	}
	return naming.New(a.env(), a.Profile.Suffix)
}

// reviewOwned are what the review environments' bootstrap owns in the
// account: the review role, its policies and the review workload boundary.
func (a Account) reviewOwned() []string {
	r, ok := a.Home().Reviews()
	if !ok {
		return nil
	}
	s := a.scope()
	out := []string{s.Role(ReviewRoleName), s.Policy(ReviewBoundaryName), s.Policy(ReviewGuardrailName)}
	for _, n := range ReviewNetworkGuardrailNames {
		out = append(out, s.Policy(n))
	}
	return append(out, r.Workload().BoundaryArn())
}

// fileName is a document's file name: review environments' documents
// begin "review-".
func (a Account) fileName(name string) string {
	if a.isReviews() {
		return profile.ReviewKey + "-" + name
	}
	return name
}

// sweepReads are the review role's listing of what carries review
// environments' tags (review:sweep); the environment's deployer has none.
func (a Account) sweepReads() []iampolicy.Statement {
	if !a.isReviews() {
		return nil
	}
	return []iampolicy.Statement{{Sid: "ListReviewLeftovers", Effect: iampolicy.Allow, Action: []string{"tag:GetResources"}, Resource: []string{"*"}, Condition: a.inRegion()}}
}

// sweepCeiling is what the review role's boundary adds to the ceiling of
// unnamed resources: the sweep's listing.
func (a Account) sweepCeiling() []string {
	if !a.isReviews() {
		return nil
	}
	return []string{"tag:GetResources"}
}
