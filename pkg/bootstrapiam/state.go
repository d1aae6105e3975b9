package bootstrapiam

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/workload"
)

// The state bucket lives in the tooling account. A pipeline role reaches it
// across accounts, so every state call must be allowed twice: by the role's
// own policy (stateGrants) and by the bucket's policy; and every object is
// encrypted under the state key, whose key policy must name the role too.
// Bucket Keys are off: with them KMS would see the bucket, not the object, as
// the encryption context, and a key grant could not be limited to one
// environment's prefix.

// BootstrapPrefix holds the bootstrap stacks' own state, outside every
// environment's prefix, where no pipeline role can write.
const BootstrapPrefix = "bootstrap"

// StateKeyAlias is the alias of the state bucket's key.
const StateKeyAlias = "alias/payments-pulumi-state"

// StatePrefix is an environment's prefix in the state bucket: its
// PULUMI_BACKEND_URL is s3://<bucket>/<env>.
//
// Every review environment's state is under one prefix, "review", which
// only the review role writes: apart from the environment they run beside.
func StatePrefix(env profile.Environment) string {
	if profile.IsReview(env) {
		return profile.ReviewKey
	}
	return string(env)
}

func (a Account) stateObjects() string {
	return iampolicy.Object(a.Pipeline.StateBucket, StatePrefix(a.Profile.Environment)+"/")
}

// StateKeyArns is the ARN pattern of keys in the tooling account: the state
// key's ID is random, and the key policy decides who uses it.
func (a Account) stateKeys() string {
	return fmt.Sprintf("arn:aws:kms:%s:%s:key/*", a.Pipeline.Region, a.Pipeline.ToolingAccountID)
}

// stateEncryption ties a use of the state key to S3 and to this
// environment's objects.
func (a Account) stateEncryption() iampolicy.Condition {
	return iampolicy.Condition{
		"StringEquals": {"kms:ViaService": {fmt.Sprintf("s3.%s.amazonaws.com", a.Pipeline.Region)}},
		"StringLike":   {"kms:EncryptionContext:aws:s3:arn": {a.stateObjects()}},
	}
}

// stateUse is what a pipeline role does with its environment's state.
type stateUse int

const (
	readsState stateUse = iota
	readsAndWritesState
)

// stateGrants are a pipeline role's grants on its environment's state: the
// deployer reads and writes it (and the stack and environment locks); the
// read-only role only reads it, since Pulumi takes no lock for a preview or
// a preview-only refresh.
func (a Account) stateGrants(use stateUse) []iampolicy.Statement {
	objects := []string{"s3:GetObject"}
	key := []string{"kms:Decrypt"}
	if use == readsAndWritesState {
		objects = append(objects, "s3:DeleteObject", "s3:PutObject")
		key = append(key, "kms:GenerateDataKey")
	}
	return []iampolicy.Statement{
		{Sid: "ListOwnState", Effect: iampolicy.Allow, Action: []string{"s3:ListBucket"}, Resource: []string{iampolicy.Bucket(a.Pipeline.StateBucket)},
			Condition: iampolicy.Condition{"StringLike": {"s3:prefix": {StatePrefix(a.Profile.Environment) + "/*"}}}},
		{Sid: "OwnStateObjects", Effect: iampolicy.Allow, Action: objects, Resource: []string{a.stateObjects()}},
		{Sid: "OwnStateKey", Effect: iampolicy.Allow, Action: key, Resource: []string{a.stateKeys()}, Condition: a.stateEncryption()},
	}
}

// Tooling is the tooling account and the environments whose state it holds.
type Tooling struct {
	Pipeline profile.Pipeline
	Accounts []Account
}

func (t Tooling) bucket() string { return iampolicy.Bucket(t.Pipeline.StateBucket) }

// StateBucketPolicy: TLS only; each environment's roles reach only their
// prefix (the deployer and the break-glass role read and write it, the
// read-only role reads it); nobody outside the organisation.
func (t Tooling) StateBucketPolicy() iampolicy.Document {
	st := []iampolicy.Statement{{
		Sid: "DenyInsecureTransport", Effect: iampolicy.Deny, Principal: iampolicy.Everyone,
		Action: []string{"s3:*"}, Resource: []string{t.bucket(), t.bucket() + "/*"},
		Condition: iampolicy.Condition{"Bool": {"aws:SecureTransport": {"false"}}},
	}}
	for _, a := range t.Accounts {
		prefix := StatePrefix(a.Profile.Environment)
		writers, readers := a.stateRoles()
		name := title(prefix)
		st = append(st,
			iampolicy.Statement{Sid: "List" + name, Effect: iampolicy.Allow, Principal: iampolicy.Principals{"AWS": readers},
				Action: []string{"s3:ListBucket"}, Resource: []string{t.bucket()},
				Condition: iampolicy.Condition{"StringLike": {"s3:prefix": {prefix + "/*"}}}},
			iampolicy.Statement{Sid: "Read" + name, Effect: iampolicy.Allow, Principal: iampolicy.Principals{"AWS": readers},
				Action: []string{"s3:GetObject"}, Resource: []string{a.stateObjects()}},
			iampolicy.Statement{Sid: "Write" + name, Effect: iampolicy.Allow, Principal: iampolicy.Principals{"AWS": writers},
				Action: []string{"s3:DeleteObject", "s3:PutObject"}, Resource: []string{a.stateObjects()}},
		)
	}
	return iampolicy.New(st...)
}

// StateKeyPolicy: the tooling account administers the key (its root
// delegates to its own IAM policies); each environment's roles use it only
// through S3 and only for objects under their prefix.
func (t Tooling) StateKeyPolicy() iampolicy.Document {
	root := fmt.Sprintf("arn:aws:iam::%s:root", t.Pipeline.ToolingAccountID)
	st := []iampolicy.Statement{{
		Sid: "ToolingAccountAdministers", Effect: iampolicy.Allow, Principal: iampolicy.Principals{"AWS": {root}},
		Action: []string{"kms:*"}, Resource: []string{"*"},
	}}
	for _, a := range t.Accounts {
		writers, readers := a.stateRoles()
		name := title(StatePrefix(a.Profile.Environment))
		st = append(st,
			iampolicy.Statement{Sid: "Write" + name + "State", Effect: iampolicy.Allow, Principal: iampolicy.Principals{"AWS": writers},
				Action: []string{"kms:Decrypt", "kms:GenerateDataKey"}, Resource: []string{"*"}, Condition: a.stateEncryption()})
		if only := readers[len(writers):]; len(only) > 0 {
			st = append(st, iampolicy.Statement{Sid: "Read" + name + "State", Effect: iampolicy.Allow, Principal: iampolicy.Principals{"AWS": only},
				Action: []string{"kms:Decrypt"}, Resource: []string{"*"}, Condition: a.stateEncryption()})
		}
	}
	return iampolicy.New(st...)
}

// stateRoles are the roles that write the environment's state (its
// deployer, and its break-glass role) and those that read it: the writers,
// then the read-only role. Review environments' state is the review role's
// alone.
func (a Account) stateRoles() (writers, readers []string) {
	writers = []string{a.Role(a.RoleNames().Deployer)}
	if a.HasBreakGlass() {
		writers = append(writers, a.Role(BreakGlassRoleName))
	}
	readers = slices.Clone(writers)
	if !a.isReviews() {
		readers = append(readers, a.Role(ReadOnlyRoleName))
	}
	return writers, readers
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// AccessLogBucketPolicy: TLS only, and only S3's logging service writes, for
// this account's audit bucket, under the access-log prefix.
func AccessLogBucketPolicy(a Account) iampolicy.Document {
	w := a.Workload()
	bucket := iampolicy.Bucket(w.AccessLogBucket())
	return iampolicy.New(
		iampolicy.Statement{
			Sid: "DenyInsecureTransport", Effect: iampolicy.Deny, Principal: iampolicy.Everyone,
			Action: []string{"s3:*"}, Resource: []string{bucket, bucket + "/*"},
			Condition: iampolicy.Condition{"Bool": {"aws:SecureTransport": {"false"}}},
		},
		iampolicy.Statement{
			Sid: "S3WritesTheAuditBucketsAccessLogs", Effect: iampolicy.Allow, Principal: iampolicy.Principals{"Service": {"logging.s3.amazonaws.com"}},
			Action: []string{"s3:PutObject"}, Resource: []string{iampolicy.Object(w.AccessLogBucket(), workload.AccessLogPrefix)},
			Condition: iampolicy.Condition{
				"StringEquals": {"aws:SourceAccount": {a.Profile.AccountID}},
				"ArnLike":      {"aws:SourceArn": {iampolicy.Bucket(w.Bucket())}},
			},
		},
	)
}

// ErrStateOutsidePolicy is a state backend the state bucket's policy does
// not give the stacks that would use it.
var ErrStateOutsidePolicy = errors.New("the state bucket's policy does not cover this backend")

// CheckBackend refuses, before anything is touched, an S3 state backend
// other than the one bootstrap's policies give these stacks: an
// environment's layers keep their state in s3://<stateBucket>/<env>, the
// bootstrap stacks in s3://<stateBucket>/bootstrap, where no pipeline role
// writes. want is the prefix (StatePrefix(env) or BootstrapPrefix). A local
// file:// backend, an administrator's own, is not the bucket and is not
// checked.
func CheckBackend(pipe profile.Pipeline, backendURL, want, whose string) error {
	u, err := url.Parse(backendURL)
	if err != nil {
		return fmt.Errorf("PULUMI_BACKEND_URL=%q is not a URL (%w); want s3://%s/%s or a file:// backend", backendURL, err, pipe.StateBucket, want)
	}
	if u.Scheme != "s3" {
		return nil
	}
	got := strings.Trim(u.Path, "/")
	if u.Host == pipe.StateBucket && got == want {
		return nil
	}
	return fmt.Errorf("%w: PULUMI_BACKEND_URL=s3://%s/%s, but the state bucket's policy gives %s only s3://%s/%s (pipeline.stateBucket in pkg/profile/environments.yaml, one prefix per environment); refusing to touch anything",
		ErrStateOutsidePolicy, u.Host, got, whose, pipe.StateBucket, want)
}
