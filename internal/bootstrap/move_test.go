package bootstrap

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/pulumi/pulumi/pkg/v3/backend/diy"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/stage"
)

func diyBackend(t *testing.T, u string) diy.Backend {
	t.Helper()
	b, err := diy.New(context.Background(), diag.DefaultSink(io.Discard, io.Discard, diag.FormatOptions{Color: "never"}), u,
		&workspace.Project{Name: "bootstrap", Runtime: workspace.NewProjectRuntimeInfo("go", nil)})
	require.NoError(t, err)
	return b
}

// The bootstrap stacks start in a local file backend (the bucket that will
// hold every state does not exist yet), and move into the bucket's
// bootstrap/ prefix once it does: every stack the local backend has, with
// its state unchanged; a second move is refused rather than overwriting.
func TestTheBootstrapStateMovesIntoTheBucket(t *testing.T) {
	ctx := context.Background()
	local := "file://" + t.TempDir()
	src := diyBackend(t, local)
	for stack, arn := range map[string]string{"dev": "arn:aws:iam::" + fixture.DevAccount + ":role/payments-pipeline-deployer", "tooling": "arn:aws:s3:::" + fixture.StateBucket} {
		ref, err := src.ParseStackReference("organization/bootstrap/" + stack)
		require.NoError(t, err)
		created, err := src.CreateStack(ctx, ref, "", nil, nil)
		require.NoError(t, err)
		raw, err := json.Marshal(apitype.DeploymentV3{Resources: []apitype.ResourceV3{{
			URN: resource.URN("urn:pulumi:" + stack + "::bootstrap::pulumi:pulumi:Stack::bootstrap-" + stack), Type: "pulumi:pulumi:Stack",
			Outputs: map[string]any{"owned": arn},
		}}})
		require.NoError(t, err)
		require.NoError(t, src.ImportDeployment(ctx, created, &apitype.UntypedDeployment{Version: 3, Deployment: raw}))
	}

	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "AKIATOOLINGADMIN", "AWS_SECRET_ACCESS_KEY": "x", "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"} {
		t.Setenv(k, v)
	}
	client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true, Credentials: credentials.NewStaticCredentialsProvider("AKIATOOLINGADMIN", "x", "")})
	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(fixture.StateBucket)})
	require.NoError(t, err)
	q := url.Values{"endpoint": {srv.URL}, "region": {"us-east-1"}, "use_path_style": {"true"},
		"request_checksum_calculation": {"when_required"}, "response_checksum_validation": {"when_required"}}
	bucket := "s3://" + fixture.StateBucket + "/bootstrap?" + q.Encode()

	moved, err := MoveStacks(ctx, local, bucket)
	require.NoError(t, err)
	assert.Equal(t, []string{"tooling", "dev"}, moved, "every bootstrap stack the local backend has; staging and prod were never created there")
	dst := diyBackend(t, bucket)
	for stack, want := range map[string]string{"dev": "arn:aws:iam::" + fixture.DevAccount + ":role/payments-pipeline-deployer", "tooling": "arn:aws:s3:::" + fixture.StateBucket} {
		ref, err := dst.ParseStackReference("organization/bootstrap/" + stack)
		require.NoError(t, err)
		got, err := dst.GetStack(ctx, ref)
		require.NoError(t, err)
		require.NotNil(t, got, "%s moved", stack)
		dep, err := dst.ExportDeployment(ctx, got)
		require.NoError(t, err)
		assert.Contains(t, string(dep.Deployment), want, "%s's state is unchanged", stack)
	}
	out, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(fixture.StateBucket)})
	require.NoError(t, err)
	for _, o := range out.Contents {
		assert.Regexp(t, `^bootstrap/`, aws.ToString(o.Key), "the bootstrap's state lives under bootstrap/, outside every environment's prefix")
	}

	_, err = MoveStacks(ctx, local, bucket)
	require.ErrorIs(t, err, ErrStateExists, "a second move overwrites nothing")
}

// Before the tooling account's bootstrap is destroyed, its stacks' state
// moves back out of the bucket (bootstrap:moveState with PULUMI_BACKEND_URL
// the bucket and BOOTSTRAP_STATE a file backend), and bootstrap:destroyState
// refuses to run while that state is still in the bucket it destroys.
func TestTheBootstrapStateMovesOutBeforeTheBucketIsDestroyed(t *testing.T) {
	ctx := context.Background()
	local := "file://" + t.TempDir()
	src := diyBackend(t, local)
	ref, err := src.ParseStackReference("organization/bootstrap/tooling")
	require.NoError(t, err)
	_, err = src.CreateStack(ctx, ref, "", nil, nil)
	require.NoError(t, err)
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "AKIATOOLINGADMIN", "AWS_SECRET_ACCESS_KEY": "x", "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"} {
		t.Setenv(k, v)
	}
	client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true, Credentials: credentials.NewStaticCredentialsProvider("AKIATOOLINGADMIN", "x", "")})
	_, err = client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(fixture.StateBucket)})
	require.NoError(t, err)
	q := url.Values{"endpoint": {srv.URL}, "region": {"us-east-1"}, "use_path_style": {"true"},
		"request_checksum_calculation": {"when_required"}, "response_checksum_validation": {"when_required"}}
	bucket := "s3://" + fixture.StateBucket + "/bootstrap?" + q.Encode()
	_, err = MoveStacks(ctx, local, bucket)
	require.NoError(t, err)

	// destroyState with the state in the bucket is refused, before the
	// account or the CLI is even asked.
	b, r := bootstrapper(fixture.ToolingAccount)
	b.Runner = backendRunner{recordingRunner: r, backend: bucket}
	err = b.State(ctx, stage.Destroy)
	require.ErrorIs(t, err, ErrStateInBucket)
	assert.Contains(t, err.Error(), "PULUMI_BACKEND_URL=s3://"+fixture.StateBucket+"/bootstrap is in s3://"+fixture.StateBucket+", the bucket bootstrap:destroyState destroys")
	assert.Contains(t, err.Error(), "BOOTSTRAP_STATE=file://<directory> go run mage.go bootstrap:moveState")
	assert.Empty(t, r.runs)
	require.NoError(t, b.State(ctx, stage.Up), "an update of the bucket keeps its state there")

	// The move out, as the page runs it.
	out := t.TempDir()
	env := map[string]string{"PULUMI_BACKEND_URL": bucket, "BOOTSTRAP_STATE": "file://" + out}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	var printed bytes.Buffer
	require.NoError(t, MoveState(ctx, Options{Root: t.TempDir(), Lookup: lookup, Out: &printed}))
	assert.Equal(t, "moved bootstrap/tooling to file://"+out+"\n", printed.String())
	back := diyBackend(t, "file://"+out)
	ref, err = back.ParseStackReference("organization/bootstrap/tooling")
	require.NoError(t, err)
	got, err := back.GetStack(ctx, ref)
	require.NoError(t, err)
	assert.NotNil(t, got, "the tooling stack is in the file backend")
	b.Runner = backendRunner{recordingRunner: r, backend: "file://" + out}
	require.NoError(t, b.State(ctx, stage.Destroy))
	assert.Equal(t, []string{"up bootstrap/tooling", "destroy bootstrap/tooling"}, r.runs)

	env["BOOTSTRAP_STATE"] = bucket
	err = MoveState(ctx, Options{Root: t.TempDir(), Lookup: lookup, Out: io.Discard})
	require.ErrorContains(t, err, "is where the bootstrap stacks are already")
}

// backendRunner is a runner whose state is in backend.
type backendRunner struct {
	*recordingRunner
	backend string
}

func (b backendRunner) StateBackend() string { return b.backend }
