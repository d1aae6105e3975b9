package bootstrapiam

import (
	"fmt"
	"slices"

	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/iampolicy/validity"
	"github.com/acmepay/platform/pkg/tagging"
)

// OutsideTheProvider are the pipeline roles' grants that no AWS provider
// call of a resource or data source uses, each with the reason it is
// granted. (sts:GetCallerIdentity, which the deployment's preflight also
// makes, is the provider's getCallerIdentity too.)
var OutsideTheProvider = map[string]string{
	"ssm:GetParameter":                        "the deployment's preflight reads the account's bootstrap version",
	"lambda:GetAccountSettings":               "the deployment's preflight reads the account's Lambda concurrency quota and what is unreserved",
	"servicequotas:GetServiceQuota":           "the deployment's preflight reads the Elastic IP, VPC and NAT gateway quotas",
	"servicequotas:GetAWSDefaultServiceQuota": "the deployment's preflight reads a quota's AWS default where the account never changed it",
	"kms:Decrypt":                             "S3 decrypts the environment's state objects under the tooling account's state key",
	"s3:GetObject":                            "the state backend reads the environment's state in the tooling account",
	"s3:PutObject":                            "the state backend writes the environment's state, its stack locks and the environment lock",
	"s3:DeleteObject":                         "the state backend releases its locks",
	"kms:GenerateDataKey":                     "S3 encrypts the environment's state objects under the tooling account's state key",
	"tag:GetResources": "the review role's review:sweep lists what carries a review environment's tags with no stack left (recover:env's finder uses " +
		"it with the caller's credentials, outside the pipeline)",
	"iam:CreateServiceLinkedRole": "Application Auto Scaling creates its DynamoDB service-linked role on the account's first scalable target, " +
		"once per account; the stand-in does not model it",
}

// quotaReads are the preflight's quota reads, granted to both pipeline
// roles (a preview runs the same preflight). A quota is configuration, not
// data; one statement keeps the break-glass policy, the deployer's plus its
// own, under IAM's size limit. The EC2 counts are the provider's own reads.
func (a Account) quotaReads() iampolicy.Statement {
	return iampolicy.Statement{Sid: "Quotas", Effect: iampolicy.Allow, Resource: []string{"*"}, Condition: a.inRegion(),
		Action: []string{"lambda:GetAccountSettings", "servicequotas:GetAWSDefaultServiceQuota", "servicequotas:GetServiceQuota"}}
}

// DeployerPolicy is what the deployer role may do: exactly what the four
// layers manage, on this environment's resources, plus its own state in the
// tooling account. Its boundary and guardrails cap it whatever it says.
func (a Account) DeployerPolicy() iampolicy.Document {
	return iampolicy.New(slices.Concat(
		a.stateGrants(readsAndWritesState),
		[]iampolicy.Statement{
			{Sid: "Identity", Effect: "Allow", Action: []string{"sts:GetCallerIdentity"}, Resource: []string{"*"}},
			{Sid: "BootstrapVersion", Effect: "Allow", Action: []string{"ssm:GetParameter"}, Resource: []string{a.VersionParameterArn()}},
			a.quotaReads(),
		},
		a.sweepReads(),
		// Each service's grants are written in pkg/awstype, beside the
		// calls they allow.
		awstype.DeployerGrants(a.grantee()),
	)...)
}

// grantee is what the deployer's grants on the layers' resources are
// written from.
func (a Account) grantee() awstype.Grantee {
	p := a.Profile
	return awstype.Grantee{
		Workload: a.Workload(), Env: a.env(), Suffix: p.Suffix, LayerRoles: a.layerRoles(), Boundary: a.Workload().BoundaryArn(),
		OwnTags: iampolicy.Condition{a.equals(): {"aws:ResourceTag/" + tagging.KeyProject: {tagging.Project}, "aws:ResourceTag/" + tagging.KeyEnvironment: {string(p.Environment)}}},
		CreateTagged: iampolicy.Condition{a.equals(): {"aws:RequestedRegion": {p.Region},
			"aws:RequestTag/" + tagging.KeyProject: {tagging.Project}, "aws:RequestTag/" + tagging.KeyEnvironment: {string(p.Environment)}}},
	}
}

// ReadOnlyPolicy is the read-only role's policy: what a refresh, a preview
// and the drift check read, which is configuration. It grants no data read:
// no DynamoDB item, no S3 object, no log event, no decryption, no secret.
// lambda:GetFunction is the one read whose answer links to the code archive:
// the provider reads a function with it, and the archive is this
// repository's own build output.
func (a Account) ReadOnlyPolicy() iampolicy.Document {
	own := []iampolicy.Statement{
		{Sid: "Identity", Effect: iampolicy.Allow, Action: []string{"sts:GetCallerIdentity"}, Resource: []string{"*"}},
		{Sid: "BootstrapVersion", Effect: iampolicy.Allow, Action: []string{"ssm:GetParameter"}, Resource: []string{a.VersionParameterArn()}},
		a.quotaReads(),
		{
			// The provider reads a bucket with HeadBucket, which S3
			// authorizes as s3:ListBucket: it lists the audit records' keys
			// (dated paths and transaction ids), never their content.
			Sid: "HeadTheAuditBucket", Effect: iampolicy.Allow, Action: []string{"s3:ListBucket"},
			Resource: []string{iampolicy.Bucket(a.Workload().Bucket())},
		},
	}
	// Every other read a refresh or a preview makes of what the layers
	// create is configuration: the registry's reads (pkg/awstype), so a
	// new type's reads are granted with its entry. A read that returns
	// data would be a new type's mistake, which the dangerous requests'
	// evaluation (no item, object, log event or decryption) refuses.
	var configuration []string
	for _, action := range awstype.LayerReads() {
		if !slices.ContainsFunc(own, func(s iampolicy.Statement) bool { return slices.Contains(s.Action, action) }) {
			configuration = append(configuration, action)
		}
	}
	return iampolicy.New(slices.Concat(a.stateGrants(readsState), own, []iampolicy.Statement{
		{Sid: "ReadConfiguration", Effect: iampolicy.Allow, Resource: []string{"*"}, Condition: a.inRegion(), Action: configuration},
	})...)
}

// BreakGlassPolicy is the break-glass role's inline policy: what destroys
// payment data beyond what the deployer's grants allow (the prod guardrail,
// which the break-glass role does not carry, is what denies those to the
// deployer). The role also carries the deployer's grants
// (BreakGlassGrants), and the deployer's boundary, so it too stays within
// the environment and cannot touch what bootstrap owns.
func (a Account) BreakGlassPolicy() iampolicy.Document {
	granted := map[string]bool{}
	for _, st := range a.DeployerPolicy().Statement {
		for _, action := range st.Action {
			granted[action] = st.Effect == iampolicy.Allow
		}
	}
	var rest []string
	for _, action := range ProdDataDestruction {
		if !granted[action] {
			rest = append(rest, action)
		}
	}
	return iampolicy.New(iampolicy.Statement{
		Sid: "DestroyPaymentData", Effect: iampolicy.Allow, Action: rest, Resource: a.paymentData(),
	})
}

// BreakGlassGrantsName starts the names of the managed policies that give
// the break-glass role the deployer's grants ("-1", "-2", ...).
const BreakGlassGrantsName = "payments-break-glass-grants"

// BreakGlassGrants are the deployer's grants as the break-glass role's
// managed policies. A role's inline policies share 10,240 characters, which
// the deployer's grants and the break-glass role's own outgrew; a managed
// policy holds 6,144, so the grants are split, statement by statement in
// their order, into as few policies as they fit.
func (a Account) BreakGlassGrants() []iampolicy.Document {
	var out []iampolicy.Document
	var current []iampolicy.Statement
	for _, st := range a.DeployerPolicy().Statement {
		next := append(slices.Clone(current), st)
		if len(current) > 0 && !validity.Fits(validity.ManagedPolicy, iampolicy.New(next...)) {
			out = append(out, iampolicy.New(current...))
			next = []iampolicy.Statement{st}
		}
		current = next
	}
	return append(out, iampolicy.New(current...))
}

// BreakGlassGrantsNames are the names of BreakGlassGrants' policies.
func (a Account) BreakGlassGrantsNames() []string {
	grants := a.BreakGlassGrants()
	names := make([]string, len(grants))
	for i := range grants {
		names[i] = fmt.Sprintf("%s-%d", BreakGlassGrantsName, i+1)
	}
	return names
}
