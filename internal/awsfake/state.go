package awsfake

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/iampolicy"
)

// StateBucket is the tooling account's state bucket served over S3's API
// (gofakes3, path-style), with AWS's authorization in front of it: every
// request of a pipeline role crosses accounts, so it is evaluated as AWS
// would, with the role's own documents (policy, guardrails, boundary), the
// bucket's policy, the organisation's RCPs and, for an object's encryption,
// the state key's policy. The caller is told by its access key.
type StateBucket struct {
	// Name is the bucket's name; Region and Account are the tooling
	// account's, OrgID the organisation's.
	Name, Region, Account, OrgID string
	// Callers maps an access key to the role ARN it stands for. Any other
	// key is the tooling account's administrator, whom nothing here limits.
	Callers map[string]string
	// Roles reads a role's identity policies and boundary, as its account
	// holds them.
	Roles func(role string) (iampolicy.Policies, error)
	// Resources reads the bucket's policy, the state key's ARN and policy,
	// and the RCPs the organisation attaches to the tooling account.
	Resources func() (StateResources, error)
}

// StateResources are the documents a state call meets: the tooling
// account's, the RCPs over it and the SCPs over the caller's account.
type StateResources struct {
	BucketPolicy, KeyPolicy iampolicy.Document
	KeyArn                  string
	RCPs, SCPs              []iampolicy.Document
}

// Serve serves an empty S3 API behind the authorization on a loopback port,
// and returns its endpoint URL. The bucket itself is created by Create (the
// tooling account's bootstrap creates it in AWS).
func (s *StateBucket) Serve() (endpoint string, stop func()) {
	srv := httptest.NewServer(s.Handler(gofakes3.New(s3mem.New()).Server()))
	return srv.URL, srv.Close
}

var credential = regexp.MustCompile(`Credential=([A-Za-z0-9]+)/`)

// Handler puts the authorization in front of an S3 API.
func (s *StateBucket) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		role, isRole := "", false
		m := credential.FindStringSubmatch(r.Header.Get("Authorization"))
		if m == nil && r.URL.Query().Get("X-Amz-Credential") == "" {
			// S3 refuses an anonymous request to a bucket no policy opens
			// to everyone, as this one is not.
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			_, _ = fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Anonymous access is denied</Message></Error>`)
			return
		}
		if m != nil {
			role, isRole = s.Callers[m[1]]
		}
		if !isRole {
			next.ServeHTTP(w, r)
			return
		}
		if err := s.authorize(r, role); err != nil {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			_, _ = fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>%s</Message></Error>`, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *StateBucket) authorize(r *http.Request, role string) error {
	identity, err := s.Roles(role)
	if err != nil {
		return err
	}
	docs, err := s.Resources()
	if err != nil {
		return err
	}
	for _, call := range s.calls(r, docs.KeyArn) {
		ctx := map[string]string{"aws:SecureTransport": "true", "aws:RequestedRegion": s.Region, "aws:PrincipalOrgID": s.OrgID}
		for k, v := range call.ctx {
			ctx[k] = v
		}
		resourcePolicy := &docs.BucketPolicy
		if strings.HasPrefix(call.action, "kms:") {
			resourcePolicy = &docs.KeyPolicy
		}
		p := identity
		p.Resource, p.Account, p.RCPs, p.SCPs = resourcePolicy, s.Account, docs.RCPs, docs.SCPs
		res, err := iampolicy.Evaluate(iampolicy.Request{Principal: role, Action: call.action, Resource: call.resource, Context: ctx}, p)
		if err != nil {
			return fmt.Errorf("User: %s is not authorized to perform: %s on resource: %s (%w)", role, call.action, call.resource, err) //nolint:staticcheck // S3's own wording, which the CLI prints
		}
		if res.Decision != iampolicy.Allowed {
			return fmt.Errorf("User: %s is not authorized to perform: %s on resource: %s (%s)", role, call.action, call.resource, res.By) //nolint:staticcheck // S3's own wording, which the CLI prints
		}
	}
	return nil
}

type stateCall struct {
	action, resource string
	ctx              map[string]string
}

// calls are the IAM authorizations of one S3 request (path-style), and the
// state key's for an object written or read under SSE-KMS with Bucket Keys
// off (KMS sees the object as the encryption context).
func (s *StateBucket) calls(r *http.Request, keyArn string) []stateCall {
	key := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/"+s.Name), "/")
	bucket := iampolicy.Bucket(s.Name)
	object := bucket + "/" + key
	viaS3 := map[string]string{"kms:ViaService": "s3." + s.Region + ".amazonaws.com", "kms:EncryptionContext:aws:s3:arn": object}
	switch {
	case key == "" && r.URL.Query().Has("versions"):
		return []stateCall{{action: "s3:ListBucketVersions", resource: bucket}}
	case key == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		return []stateCall{{action: "s3:ListBucket", resource: bucket, ctx: map[string]string{"s3:prefix": r.URL.Query().Get("prefix")}}}
	case key == "":
		return []stateCall{{action: "s3:" + strings.ToLower(r.Method) + "Bucket", resource: bucket}}
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		return []stateCall{{action: "s3:GetObject", resource: object}, {action: "kms:Decrypt", resource: keyArn, ctx: viaS3}}
	case r.Method == http.MethodPut || r.Method == http.MethodPost:
		return []stateCall{{action: "s3:PutObject", resource: object}, {action: "kms:GenerateDataKey", resource: keyArn, ctx: viaS3}}
	case r.Method == http.MethodDelete:
		return []stateCall{{action: "s3:DeleteObject", resource: object}}
	}
	return []stateCall{{action: "s3:" + r.Method, resource: object}}
}

// PoliciesOf reads a role's documents from the account's live IAM: its
// inline policies, its attached managed policies and its boundary.
func (c *Cloud) PoliciesOf(role string) (iampolicy.Policies, error) { return c.policiesOf(role) }

// LivePolicy is the live resource policy of the bucket or key an ARN names
// (a bucket's BucketPolicy, a key's own policy); ok is false when it has
// none.
func (c *Cloud) LivePolicy(arn string) (iampolicy.Document, bool) {
	d := c.resourcePolicy(arn, nil)
	if d == nil {
		return iampolicy.Document{}, false
	}
	return *d, true
}

// KeyByAlias is the ARN of the live key an alias (alias/...) names.
func (c *Cloud) KeyByAlias(alias string) (string, bool) {
	for _, a := range c.Resources() {
		if a.Type != awstype.Alias || input(a.Inputs, "name") != alias {
			continue
		}
		key, ok := c.find(input(a.Inputs, "targetKeyId"))
		if !ok {
			return "", false
		}
		return c.arn(key.Type, key.ID, key.ID, key.Inputs), true
	}
	return "", false
}
