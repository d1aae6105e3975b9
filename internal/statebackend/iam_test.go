package statebackend_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
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

	"github.com/acmepay/platform/internal/awsfake"
	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/profile"
)

// The state bucket sits in the tooling account, and every state call of a
// pipeline role crosses accounts: the S3 API served here (awsfake's
// StateBucket) evaluates each request as AWS would.

// callers maps an access key to the role it stands for.
var callers = map[string]string{
	"AKIADEVDEPLOYER": "arn:aws:iam::" + fixture.DevAccount + ":role/payments-pipeline-deployer",
	"AKIADEVREADONLY": "arn:aws:iam::" + fixture.DevAccount + ":role/payments-pipeline-readonly",
	"AKIAPRODDEPLOY1": "arn:aws:iam::" + fixture.ProdAccount + ":role/payments-pipeline-deployer",
}

// enforcing is the tooling account's state bucket behind its IAM, with the
// documents bootstrap writes (the live tier reads them back from the
// accounts it bootstraps).
func enforcing(t *testing.T) *httptest.Server {
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
	bucket := &awsfake.StateBucket{
		Name: pipe.StateBucket, Region: pipe.Region, Account: pipe.ToolingAccountID, OrgID: pipe.OrganizationID, Callers: callers,
		Roles: func(role string) (iampolicy.Policies, error) {
			a := accounts[strings.Split(role, ":")[4]]
			if !strings.HasSuffix(role, bootstrapiam.DeployerRoleName) {
				return iampolicy.Policies{Identity: []iampolicy.Document{a.ReadOnlyPolicy()}}, nil
			}
			b := a.DeployerBoundary()
			return iampolicy.Policies{Identity: append([]iampolicy.Document{a.DeployerPolicy(), a.DeployerGuardrail()}, a.NetworkGuardrails()...), Boundary: &b}, nil
		},
		Resources: func() (awsfake.StateResources, error) {
			return awsfake.StateResources{BucketPolicy: tooling.StateBucketPolicy(), KeyPolicy: tooling.StateKeyPolicy(),
				KeyArn: "arn:aws:kms:us-east-1:" + fixture.ToolingAccount + ":key/state", RCPs: []iampolicy.Document{tooling.ResourceControlPolicy()},
				SCPs: []iampolicy.Document{tooling.ServiceControlPolicy()}}, nil
		},
	}
	return httptest.NewServer(bucket.Handler(gofakes3.New(s3mem.New()).Server()))
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
	srv := enforcing(t)
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
	assert.Contains(t, err.Error(), "arn:aws:iam::"+fixture.ProdAccount+":role/payments-pipeline-deployer is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::"+fixture.StateBucket+"/dev/")
}

type staticCredentials string

func (s staticCredentials) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: string(s), SecretAccessKey: "state-test"}, nil
}

// S3 refuses an unsigned request to a bucket no policy opens to everyone;
// the stand-in's state bucket does too, as moto does (a client that works
// only unsigned would fail against AWS).
func TestTheStateBucketRefusesAnonymousRequests(t *testing.T) {
	srv := enforcing(t)
	t.Cleanup(srv.Close)
	pipe, err := profile.PlannedPipeline()
	require.NoError(t, err)
	resp, err := http.Get(srv.URL + "/" + pipe.StateBucket + "/dev/.pulumi/stacks/network/dev.json") //nolint:noctx // a one-off probe
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, string(body), "<Code>AccessDenied</Code>")
}
