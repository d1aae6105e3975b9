package awstype

// An entry's Calls say which API calls the AWS provider makes for each
// operation on the type, as IAM authorizes them: the action, the resource
// it is authorized on, and the condition keys AWS documents for it. The
// in-memory AWS (internal/awsfake), told who calls, evaluates every call of
// an operation against that role's live policies and boundary and the
// resource's own policy, and refuses the operation at the first call IAM
// would deny, naming the role, the action and the resource.
//
// Sources: the Service Authorization Reference ("Actions, resources, and
// condition keys for <service>": which resource types each action is
// authorized on, and which condition keys it takes), and the AWS provider's
// resource implementations (terraform-provider-aws, internal/service/<service>/
// <resource>.go: which calls a create, read, update and delete make; tags at
// creation are request tags, later tag changes are Tag/Untag calls). The
// live AWS tier is where the calls meet reality: the calls CloudTrail
// records during a live deploy must all be here (skipped without an
// account).

// Call is one API call as IAM authorizes it.
type Call struct {
	Action string
	// On is the resource the call is authorized on.
	On Target
	// Context is the condition keys the call carries beyond the region, TLS
	// and tags.
	Context Context
}

// Target says which resource a call is authorized on.
type Target struct {
	// Star: the action has no resource type ("*").
	Star bool
	// Input names the input holding the id (or ARN, or name) of another
	// live resource the call touches ("vpcId"), or Objects; empty is the
	// resource itself.
	Input string
}

// Objects, as a Target's Input, stands for a bucket's objects ("<bucket
// ARN>/*").
const Objects = "\x00objects"

// Context is the condition keys a call carries, worked out from the
// resource's inputs and the live resources it refers to.
type Context struct {
	// PassedToService is iam:PassedToService: the service a role is passed
	// to.
	PassedToService string
	// GrantForService: a KMS grant the service ("dynamodb") creates for
	// itself on the caller's behalf (kms:GrantIsForAWSResource,
	// kms:ViaService).
	GrantForService string
	// RoleBoundary: iam:PermissionsBoundary, the boundary in the request
	// (CreateRole) or the role's own (PutRolePolicy).
	RoleBoundary bool
}

// Operations are one resource type's calls per operation. Update lists the
// calls of any change (the provider's update path); UpdateWhen, the calls
// the provider makes only when one top-level input changes.
type Operations struct {
	Create, Read, Update, Delete []Call
	UpdateWhen                   map[string][]Call
}

var (
	self = Target{}
	star = Target{Star: true}
)

func ref(input string) Target { return Target{Input: input} }

func calls(on Target, actions ...string) []Call {
	out := make([]Call, len(actions))
	for i, a := range actions {
		out[i] = Call{Action: a, On: on}
	}
	return out
}

func join(lists ...[]Call) []Call {
	var out []Call
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func withContext(list []Call, ctx Context) []Call {
	for i := range list {
		list[i].Context = ctx
	}
	return list
}

func passRoleTo(service string) Context { return Context{PassedToService: service} }

// grantFor is the context of a grant an AWS service creates for itself on
// the caller's behalf.
func grantFor(service string) Context { return Context{GrantForService: service} }

// roleBoundary is the iam:PermissionsBoundary key of a call on a role.
var roleBoundary = Context{RoleBoundary: true}

// ec2Row is an EC2 resource created with its tags (TagSpecifications:
// ec2:CreateTags on the new resource, with the same request tags).
func ec2Row(create string, touches []string, describe string, deletes ...string) Operations {
	c := join(calls(self, create, "ec2:CreateTags"))
	for _, in := range touches {
		c = append(c, calls(ref(in), create)...)
	}
	return Operations{
		Create: append(c, calls(star, describe)...),
		Read:   calls(star, describe),
		Update: calls(self, "ec2:CreateTags", "ec2:DeleteTags"),
		Delete: calls(self, deletes...),
	}
}

var s3BucketReads = calls(self, "s3:GetAccelerateConfiguration", "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketLogging",
	"s3:GetBucketObjectLockConfiguration", "s3:GetBucketPolicy", "s3:GetBucketRequestPayment", "s3:GetBucketTagging",
	"s3:GetBucketVersioning", "s3:GetBucketWebsite", "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration",
	"s3:GetReplicationConfiguration", "s3:ListBucket")

// bucketSetting is an S3 bucket sub-resource: one Put, one Get, on the
// bucket named by its "bucket" input; deleteWith is the call its delete
// makes (often the same Put, or nothing).
func bucketSetting(put, get string, deleteWith ...string) Operations {
	return Operations{
		Create: calls(ref("bucket"), put, get), Read: calls(ref("bucket"), get),
		Update: calls(ref("bucket"), put), Delete: calls(ref("bucket"), deleteWith...),
	}
}
