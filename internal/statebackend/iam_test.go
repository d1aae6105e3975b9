package statebackend_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/pulumi/pulumi/pkg/v3/backend"
	"github.com/pulumi/pulumi/pkg/v3/backend/diy"
	"github.com/pulumi/pulumi/pkg/v3/secrets/b64"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/profile"
)

// The state bucket sits in the tooling account, and every state call of a
// pipeline role crosses accounts: the S3 API served here evaluates each
// request as AWS would, with the role's own documents (policy, guardrails,
// boundary), the bucket's policy, the organisation's RCP and, for the
// object's encryption, the state key's policy. The caller is told by its
// access key.

// callers maps an access key to the role it stands for.
var callers = map[string]string{
	"AKIADEVDEPLOYER": "arn:aws:iam::123456789012:role/payments-pipeline-deployer",
	"AKIADEVREADONLY": "arn:aws:iam::123456789012:role/payments-pipeline-readonly",
	"AKIAPRODDEPLOY1": "arn:aws:iam::345678901234:role/payments-pipeline-deployer",
}

var credential = regexp.MustCompile(`Credential=([A-Z0-9]+)/`)

// enforcing wraps the S3 API with the tooling account's IAM.
func enforcing(t *testing.T, next http.Handler) http.Handler {
	pipe, err := profile.PlannedPipeline()
	require.NoError(t, err)
	tooling := bootstrapiam.Tooling{Pipeline: pipe}
	accounts := map[string]bootstrapiam.Account{}
	for _, env := range profile.Environments() {
		p, err := profile.Planned(env)
		require.NoError(t, err)
		a := bootstrapiam.Account{Profile: p, Pipeline: pipe}
		tooling.Accounts = append(tooling.Accounts, a)
		accounts[p.AccountID] = a
	}
	bucketPolicy, keyPolicy, rcp := tooling.StateBucketPolicy(), tooling.StateKeyPolicy(), tooling.ResourceControlPolicy()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := credential.FindStringSubmatch(r.Header.Get("Authorization"))
		role, isRole := "", false
		if m != nil {
			role, isRole = callers[m[1]]
		}
		if !isRole { // the tooling account's administrator
			next.ServeHTTP(w, r)
			return
		}
		a := accounts[strings.Split(role, ":")[4]]
		identity := []iampolicy.Document{a.ReadOnlyPolicy()}
		var boundary *iampolicy.Document
		if strings.HasSuffix(role, bootstrapiam.DeployerRoleName) {
			b := a.DeployerBoundary()
			identity, boundary = append([]iampolicy.Document{a.DeployerPolicy(), a.DeployerGuardrail()}, a.NetworkGuardrails()...), &b
		}
		for _, call := range stateCalls(r, pipe.StateBucket) {
			ctx := map[string]string{"aws:SecureTransport": "true", "aws:RequestedRegion": "us-east-1", "aws:PrincipalOrgID": pipe.OrganizationID}
			for k, v := range call.ctx {
				ctx[k] = v
			}
			resourcePolicy := &bucketPolicy
			if strings.HasPrefix(call.action, "kms:") {
				resourcePolicy = &keyPolicy
			}
			res, err := iampolicy.Evaluate(iampolicy.Request{Principal: role, Action: call.action, Resource: call.resource, Context: ctx},
				iampolicy.Policies{Identity: identity, Boundary: boundary, Resource: resourcePolicy, Account: pipe.ToolingAccountID, RCPs: []iampolicy.Document{rcp}})
			if err != nil || res.Decision != iampolicy.Allowed {
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(http.StatusForbidden)
				_, _ = fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>User: %s is not authorized to perform: %s on resource: %s (%s)</Message></Error>`,
					role, call.action, call.resource, res.By)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

type stateCall struct {
	action, resource string
	ctx              map[string]string
}

// stateCalls are the IAM authorizations of one S3 request (path-style), and
// the state key's for an object written or read under SSE-KMS.
func stateCalls(r *http.Request, bucket string) []stateCall {
	path := strings.TrimPrefix(r.URL.Path, "/"+bucket)
	key := strings.TrimPrefix(path, "/")
	object := iampolicy.Bucket(bucket) + "/" + key
	viaS3 := map[string]string{"kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": object}
	const stateKey = "arn:aws:kms:us-east-1:456789012345:key/state"
	switch {
	case key == "" && r.URL.Query().Has("versions"):
		return []stateCall{{action: "s3:ListBucketVersions", resource: iampolicy.Bucket(bucket)}}
	case key == "":
		return []stateCall{{action: "s3:ListBucket", resource: iampolicy.Bucket(bucket), ctx: map[string]string{"s3:prefix": r.URL.Query().Get("prefix")}}}
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		return []stateCall{{action: "s3:GetObject", resource: object}, {action: "kms:Decrypt", resource: stateKey, ctx: viaS3}}
	case r.Method == http.MethodPut:
		return []stateCall{{action: "s3:PutObject", resource: object}, {action: "kms:GenerateDataKey", resource: stateKey, ctx: viaS3}}
	case r.Method == http.MethodDelete:
		return []stateCall{{action: "s3:DeleteObject", resource: object}}
	}
	return []stateCall{{action: "s3:" + r.Method, resource: object}}
}

func asCaller(t *testing.T, accessKey string) {
	t.Setenv("AWS_ACCESS_KEY_ID", accessKey)
}

// The pipeline reads and writes its state as its roles, across accounts:
// dev's deployer creates and locks its stack; dev's read-only role reads it
// (a StackReference, a drift check) and can neither write nor lock it; prod's
// deployer cannot even read it.
func TestTheStateBucketHoldsThePipelineRolesToTheirPrefix(t *testing.T) {
	ctx := context.Background()
	srv := httptest.NewServer(enforcing(t, gofakes3.New(s3mem.New()).Server()))
	t.Cleanup(srv.Close)
	t.Setenv("AWS_SECRET_ACCESS_KEY", "state-test")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	asCaller(t, "AKIATOOLINGADMIN")
	admin := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
		Credentials: aws.NewCredentialsCache(staticCredentials("AKIATOOLINGADMIN"))})
	pipe, err := profile.PlannedPipeline()
	require.NoError(t, err)
	_, err = admin.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(pipe.StateBucket)})
	require.NoError(t, err)
	dev := backendURLIn(srv.URL, pipe.StateBucket, "dev")

	asCaller(t, "AKIADEVDEPLOYER")
	b, stack := networkStack(t, dev, "vpc-0a1b")
	require.NoError(t, b.Lock(ctx, stack.Ref()), "dev's deployer takes its stack's lock")
	b.(interface {
		Unlock(context.Context, backend.StackReference)
	}).Unlock(ctx, stack.Ref())

	asCaller(t, "AKIADEVREADONLY")
	ro, ref := openDIY(ctx, dev)
	outputs, err := backend.NewBackendClient(ro, b64.Base64SecretsProvider).GetStackOutputs(ctx, "organization/network/dev", nil)
	require.NoError(t, err, "dev's read-only role reads dev's state")
	assert.Equal(t, "vpc-0a1b", outputs.Get("vpcId").AsString())
	err = ro.Lock(ctx, ref)
	require.Error(t, err, "the read-only role takes no lock")
	assert.Contains(t, err.Error(), "AccessDenied")

	asCaller(t, "AKIAPRODDEPLOY1")
	_, err = diy.New(ctx, diag.DefaultSink(io.Discard, io.Discard, diag.FormatOptions{Color: "never"}), dev,
		&workspace.Project{Name: "network", Runtime: workspace.NewProjectRuntimeInfo("go", nil)})
	require.Error(t, err, "prod's deployer never reads dev's state")
	assert.Contains(t, err.Error(), "arn:aws:iam::345678901234:role/payments-pipeline-deployer is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::acmepay-payments-pulumi-state/dev/")
}

type staticCredentials string

func (s staticCredentials) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: string(s), SecretAccessKey: "state-test"}, nil
}
