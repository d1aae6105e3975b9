package statebackend_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/pulumi/pulumi/pkg/v3/backend"
	"github.com/pulumi/pulumi/pkg/v3/backend/diy"
	"github.com/pulumi/pulumi/pkg/v3/secrets/b64"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/moto"
	"github.com/acmepay/platform/internal/recovery"
	"github.com/acmepay/platform/internal/statebackend"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/profile"
)

// The team's state backend is an S3 bucket with one prefix per environment.
// These tests run Pulumi's own DIY backend package (what the CLI uses)
// against an S3 API served in process by gofakes3, with versioning on as
// docs/bootstrap.md asks.

const bucket = "payments-state"

// helperEnv makes the test binary a process that takes a stack lock through
// the DIY backend and waits to be killed.
const helperEnv = "STATEBACKEND_TEST_HOLD_LOCK"

func TestMain(m *testing.M) {
	if u := os.Getenv(helperEnv); u != "" {
		holdLock(u)
		return
	}
	os.Exit(m.Run())
}

func holdLock(backendURL string) {
	ctx := context.Background()
	b, ref := openDIY(ctx, backendURL)
	if err := b.Lock(ctx, ref); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("locked")
	time.Sleep(time.Minute)
}

// The S3 APIs the state backend's tests run against: the stand-in
// (gofakes3, in process) and moto, the second cloud, which signs and checks
// every request as S3 does.
var s3Clouds = []string{"stand-in", "moto"}

// eachS3 runs a test against each S3 API.
func eachS3(t *testing.T, test func(t *testing.T, cloud string)) {
	for _, cloud := range s3Clouds {
		t.Run(cloud, func(t *testing.T) { test(t, cloud) })
	}
}

// s3Backend serves an empty versioned bucket and returns the backend URL of
// a prefix in it, and a client for the bucket, signing with the same
// credentials as the backend.
func s3Backend(t *testing.T, cloud, prefix string) (string, *s3.Client) {
	t.Helper()
	var endpoint string
	switch cloud {
	case "moto":
		endpoint = moto.Start(t, fixture.ToolingAccount).URL
	default:
		srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
		t.Cleanup(srv.Close)
		endpoint = srv.URL
	}
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIASTATETEST", "AWS_SECRET_ACCESS_KEY": "state-test", "AWS_REGION": "us-east-1",
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
	} {
		t.Setenv(k, v)
	}
	client := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("AKIASTATETEST", "state-test", ""),
	})
	ctx := context.Background()
	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	_, err = client.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket: aws.String(bucket), VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled},
	})
	require.NoError(t, err)
	return backendURL(endpoint, prefix), client
}

func backendURL(endpoint, prefix string) string { return backendURLIn(endpoint, bucket, prefix) }

// backendURLIn is the backend URL of a prefix of a named bucket.
func backendURLIn(endpoint, bucket, prefix string) string {
	q := url.Values{
		"endpoint": {endpoint}, "region": {"us-east-1"}, "use_path_style": {"true"},
		"request_checksum_calculation": {"when_required"}, "response_checksum_validation": {"when_required"},
	}
	return "s3://" + bucket + "/" + prefix + "?" + q.Encode()
}

// openDIY opens the backend as the CLI does in the network layer.
func openDIY(ctx context.Context, backendURL string) (diy.Backend, backend.StackReference) {
	sink := diag.DefaultSink(io.Discard, io.Discard, diag.FormatOptions{Color: "never"})
	project := &workspace.Project{Name: "network", Runtime: workspace.NewProjectRuntimeInfo("go", nil)}
	b, err := diy.New(ctx, sink, backendURL, project)
	if err != nil {
		panic(err)
	}
	ref, err := b.ParseStackReference("organization/network/dev")
	if err != nil {
		panic(err)
	}
	return b, ref
}

// networkStack creates network's dev stack with a state exporting vpcId.
func networkStack(t *testing.T, backendURL, vpcID string) (diy.Backend, backend.Stack) {
	t.Helper()
	ctx := context.Background()
	b, ref := openDIY(ctx, backendURL)
	stack, err := b.CreateStack(ctx, ref, "", nil, nil)
	require.NoError(t, err)
	require.NoError(t, b.ImportDeployment(ctx, stack, deployment(t, vpcID)))
	return b, stack
}

// deployment is a network state whose stack exports one output.
func deployment(t *testing.T, vpcID string) *apitype.UntypedDeployment {
	t.Helper()
	dep := apitype.DeploymentV3{Resources: []apitype.ResourceV3{{
		URN: "urn:pulumi:dev::network::pulumi:pulumi:Stack::network-dev", Custom: false, Type: "pulumi:pulumi:Stack",
		Outputs: map[string]any{"vpcId": vpcID},
	}}}
	raw, err := json.Marshal(dep)
	require.NoError(t, err)
	return &apitype.UntypedDeployment{Version: 3, Deployment: raw}
}

func TestS3BackendHoldsStateAndServesStackReferences(t *testing.T) {
	eachS3(t, func(t *testing.T, cloud string) {
		ctx := context.Background()
		u, _ := s3Backend(t, cloud, "dev")
		b, _ := networkStack(t, u, "vpc-0a1b")

		// What a StackReference to network reads, through the engine's client.
		outputs, err := backend.NewBackendClient(b, b64.Base64SecretsProvider).GetStackOutputs(ctx, "organization/network/dev", nil)
		require.NoError(t, err)
		assert.Equal(t, "vpc-0a1b", outputs.Get("vpcId").AsString())

		// What the recovery check reads, straight from the bucket.
		store, err := statebackend.Open(ctx, u)
		require.NoError(t, err)
		dep, ok, err := store.Checkpoint(ctx, "network", "dev")
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, "vpc-0a1b", dep.Resources[0].Outputs["vpcId"])
		_, ok, err = store.Checkpoint(ctx, "data", "dev")
		require.NoError(t, err)
		assert.False(t, ok, "a stack never created has no state")
	})
}

// Two runs on one stack: the second is refused by Pulumi's lock, and the
// recovery check names the holder as live. When the holder is killed, its
// lock is provably stale (same machine, process gone) and recovery removes
// it; Pulumi's lock then works again.
func TestS3LockContentionAndStaleLockRecovery(t *testing.T) {
	eachS3(t, func(t *testing.T, cloud string) {
		ctx := context.Background()
		u, _ := s3Backend(t, cloud, "dev")
		b, ref := openDIY(ctx, u)
		_, err := b.CreateStack(ctx, ref, "", nil, nil)
		require.NoError(t, err)

		holder := exec.Command(os.Args[0], "-test.run=^$")
		holder.Env = append(os.Environ(), helperEnv+"="+u)
		stdout, err := holder.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, holder.Start())
		line, err := bufio.NewReader(stdout).ReadString('\n')
		require.NoError(t, err)
		require.Equal(t, "locked\n", line)

		err = b.Lock(ctx, ref)
		require.Error(t, err, "a second run cannot lock the stack")
		assert.Contains(t, err.Error(), "currently locked by 1 lock(s)")

		store, err := statebackend.Open(ctx, u)
		require.NoError(t, err)
		host, err := statebackend.ThisHost()
		require.NoError(t, err)
		check := recovery.Checker{Locks: store, States: recovery.BackendStates{Store: store}, Host: host, Layers: []string{"network"}}
		_, err = check.Before(ctx, profile.Dev, "up", recovery.Exclusive)
		require.ErrorIs(t, err, recovery.ErrBusy)
		assert.Contains(t, err.Error(), fmt.Sprintf("(pid %d)", holder.Process.Pid))

		require.NoError(t, holder.Process.Signal(syscall.SIGKILL))
		_ = holder.Wait()
		_, err = check.Before(ctx, profile.Dev, "up", recovery.Exclusive)
		require.ErrorIs(t, err, recovery.ErrInterrupted)
		assert.Contains(t, err.Error(), fmt.Sprintf("process %d on this machine", holder.Process.Pid))

		out := &strings.Builder{}
		require.NoError(t, recovery.Recoverer{Checker: check, Out: out}.Run(ctx, profile.Dev))
		assert.Contains(t, out.String(), "[network] removed the lock of ")
		require.NoError(t, b.Lock(ctx, ref), "the stack can be locked again")
		b.(interface {
			Unlock(context.Context, backend.StackReference)
		}).Unlock(ctx, ref)
	})
}

// One run of an environment at a time, refused at once with the holder;
// other environments (other prefixes) run side by side.
func TestEnvironmentLockThroughS3(t *testing.T) {
	eachS3(t, func(t *testing.T, cloud string) {
		ctx := context.Background()
		u, _ := s3Backend(t, cloud, "dev")
		dev, err := statebackend.Open(ctx, u)
		require.NoError(t, err)
		staging, err := statebackend.Open(ctx, strings.Replace(u, "/dev?", "/staging?", 1))
		require.NoError(t, err)

		release, err := dev.AcquireEnv(ctx, "dev", "up")
		require.NoError(t, err)
		_, err = dev.AcquireEnv(ctx, "dev", "destroy")
		require.ErrorIs(t, err, statebackend.ErrEnvironmentLocked, "refused while held (AcquireEnv never waits)")
		assert.Contains(t, err.Error(), fmt.Sprintf("dev is held: up by %s@", currentUser(t)))

		releaseStaging, err := staging.AcquireEnv(ctx, "staging", "up")
		require.NoError(t, err, "another environment is not blocked")
		require.NoError(t, releaseStaging(ctx))

		require.NoError(t, release(ctx))
		again, err := dev.AcquireEnv(ctx, "dev", "destroy")
		require.NoError(t, err, "released, the environment can be taken again")
		require.NoError(t, again(ctx))
		locks, err := dev.EnvLocks(ctx, "dev")
		require.NoError(t, err)
		assert.Empty(t, locks)
	})
}

// The restore procedure of docs/bootstrap.md: with versioning on, an earlier
// version of a stack's state file is fetched and imported over a bad one.
func TestRestoreAnEarlierStateVersion(t *testing.T) {
	eachS3(t, func(t *testing.T, cloud string) {
		ctx := context.Background()
		u, client := s3Backend(t, cloud, "dev")
		b, stack := networkStack(t, u, "vpc-good")
		time.Sleep(1100 * time.Millisecond) // S3 times versions to the second
		require.NoError(t, b.ImportDeployment(ctx, stack, deployment(t, "vpc-bad")))

		// aws s3api list-object-versions --bucket B --prefix dev/.pulumi/stacks/network/dev.json
		key := "dev/.pulumi/stacks/network/dev.json"
		versions, err := client.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String(key)})
		require.NoError(t, err)
		// A prefix also matches the backend's dev.json.bak: only the state
		// file's own versions are candidates (the doc's query filters on Key).
		var own []s3types.ObjectVersion
		for _, v := range versions.Versions {
			if aws.ToString(v.Key) == key {
				own = append(own, v)
			}
		}
		require.GreaterOrEqual(t, len(own), 3, "created, then written twice")
		// The newest version before the latest.
		sort.SliceStable(own, func(i, j int) bool {
			return own[i].LastModified.After(aws.ToTime(own[j].LastModified))
		})
		var previous string
		for _, v := range own {
			if !aws.ToBool(v.IsLatest) {
				previous = aws.ToString(v.VersionId)
				break
			}
		}
		require.NotEmpty(t, previous)

		// aws s3api get-object --version-id V, then
		// jq '{version: .version, deployment: .checkpoint.latest}'
		obj, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(previous)})
		require.NoError(t, err)
		raw, err := io.ReadAll(obj.Body)
		require.NoError(t, err)
		var cp struct {
			Version    int `json:"version"`
			Checkpoint struct {
				Latest json.RawMessage `json:"latest"`
			} `json:"checkpoint"`
		}
		require.NoError(t, json.Unmarshal(raw, &cp))
		// pulumi stack import --file restore.json
		require.NoError(t, b.ImportDeployment(ctx, stack, &apitype.UntypedDeployment{Version: cp.Version, Deployment: cp.Checkpoint.Latest}))

		store, err := statebackend.Open(ctx, u)
		require.NoError(t, err)
		dep, ok, err := store.Checkpoint(ctx, "network", "dev")
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, "vpc-good", dep.Resources[0].Outputs["vpcId"], "the earlier version is the state again")
	})
}

func currentUser(t *testing.T) string {
	t.Helper()
	u, err := user.Current()
	require.NoError(t, err)
	return u.Username
}

// A backend that cannot be reached is named, with the first layer read,
// before anything is touched.
func TestUnreachableBackendIsRefusedNamingTheLayer(t *testing.T) {
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	srv.Close() // nothing listens there any more
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIASTATETEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "state-test")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	ctx := context.Background()
	store, err := statebackend.Open(ctx, backendURL(srv.URL, "dev"))
	require.NoError(t, err, "opening is lazy")
	host, err := statebackend.ThisHost()
	require.NoError(t, err)
	check := recovery.Checker{Locks: store, States: recovery.BackendStates{Store: store}, Host: host, Layers: []string{"network", "data"}}
	_, err = check.Before(ctx, profile.Dev, "up", recovery.Exclusive)
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "[network] listing the locks in s3://payments-state/dev?"), err.Error())
	assert.Contains(t, err.Error(), "connection refused")
}
