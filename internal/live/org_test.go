package live

import (
	"context"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/awsfake"
	"github.com/acmepay/platform/internal/bootstrap"
	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/profile"
)

// An organisation of the stand-in: dev's account, the tooling account, and
// the tooling account's state bucket served over S3's API with AWS's
// authorization in front of it. Which account and which caller a CLI run
// talks to is told by the process's environment, which every CLI run
// inherits: the provider's port and the STS and SSM endpoints say the
// account, the access key says the caller.

// account is one account of the organisation, served to the CLI.
type account struct {
	cloud    *awsfake.Cloud
	provider int
	sts      string
}

type org struct {
	dev, tooling account
	state        *awsfake.StateBucket
	endpoint     string // the state bucket's S3 API
	pipe         profile.Pipeline
}

// The access keys of the roles the pipeline runs as; any other key is an
// account's administrator.
const (
	adminKey    = "AKIAACCOUNTADMIN"
	deployerKey = "AKIADEVDEPLOYER"
	readOnlyKey = "AKIADEVREADONLY"
	reviewKey   = "AKIADEVREVIEW"
)

var (
	devDeployer = "arn:aws:iam::" + fixture.DevAccount + ":role/" + bootstrapiam.DeployerRoleName
	devReadOnly = "arn:aws:iam::" + fixture.DevAccount + ":role/" + bootstrapiam.ReadOnlyRoleName
	devReview   = "arn:aws:iam::" + fixture.DevAccount + ":role/" + bootstrapiam.ReviewRoleName
)

func serveAccount(t *testing.T, id string) account {
	t.Helper()
	cloud := awsfake.New(id, "us-east-1")
	cancel := make(chan bool)
	t.Cleanup(func() { close(cancel) })
	provider, err := cloud.ServeProvider(cancel)
	require.NoError(t, err)
	sts, stop, err := cloud.ServeSTS()
	require.NoError(t, err)
	t.Cleanup(func() { _ = stop() })
	return account{cloud: cloud, provider: provider.Port, sts: sts}
}

// newOrg serves the organisation; it skips without a CLI. The state
// bucket's documents are read from the accounts as bootstrap leaves them:
// a role's policies and boundary from dev's IAM, the bucket and key
// policies from the tooling account, and the organisation's RCP as
// `bootstrap:statePolicies` writes it for the organisation's administrator.
func newOrg(t *testing.T, root string) *org {
	t.Helper()
	requireCLI(t)
	pipe, err := profile.PlannedPipeline()
	require.NoError(t, err)
	tooling, err := bootstrap.Tooling(root)
	require.NoError(t, err)
	o := &org{dev: serveAccount(t, fixture.DevAccount), tooling: serveAccount(t, pipe.ToolingAccountID), pipe: pipe}
	o.state = &awsfake.StateBucket{
		Name: pipe.StateBucket, Region: pipe.Region, Account: pipe.ToolingAccountID, OrgID: pipe.OrganizationID,
		Callers: map[string]string{deployerKey: devDeployer, readOnlyKey: devReadOnly, reviewKey: devReview},
		Roles:   o.dev.cloud.PoliciesOf,
		Resources: func() (awsfake.StateResources, error) {
			var r awsfake.StateResources
			bucket, ok := o.tooling.cloud.LivePolicy(iampolicy.Bucket(pipe.StateBucket))
			if !ok {
				return r, os.ErrNotExist
			}
			keyArn, ok := o.tooling.cloud.KeyByAlias(bootstrapiam.StateKeyAlias)
			if !ok {
				return r, os.ErrNotExist
			}
			key, ok := o.tooling.cloud.LivePolicy(keyArn)
			if !ok {
				return r, os.ErrNotExist
			}
			return awsfake.StateResources{BucketPolicy: bucket, KeyPolicy: key, KeyArn: keyArn,
				RCPs: []iampolicy.Document{tooling.ResourceControlPolicy()}, SCPs: []iampolicy.Document{tooling.ServiceControlPolicy()}}, nil
		},
	}
	// Dev's account is in the organisation: every call its roles make is
	// evaluated with the SCP and RCP attached too.
	o.dev.cloud.JoinOrganisation(awsfake.Organisation{ID: pipe.OrganizationID,
		SCPs: []iampolicy.Document{tooling.ServiceControlPolicy()}, RCPs: []iampolicy.Document{tooling.ResourceControlPolicy()}})
	var stop func()
	o.endpoint, stop = o.state.Serve()
	t.Cleanup(stop)
	for k, v := range map[string]string{
		"PULUMI_HOME": t.TempDir(), "PULUMI_SKIP_UPDATE_CHECK": "1", "AWS_SECRET_ACCESS_KEY": "awsfake",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true", // the stand-in is the aws provider
		"AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
	} {
		t.Setenv(k, v)
	}
	t.Setenv("PULUMI_BACKEND_URL", "")
	require.NoError(t, os.Unsetenv("PULUMI_BACKEND_URL"))
	return o
}

// as points every later CLI run, and the deployment code, at an account,
// as the caller an access key stands for.
func (o *org) as(t *testing.T, a account, key string) {
	t.Helper()
	for k, v := range map[string]string{
		"PULUMI_DEBUG_PROVIDERS": "aws:" + strconv.Itoa(a.provider),
		"AWS_ENDPOINT_URL_STS":   "http://" + a.sts, "AWS_ENDPOINT_URL_SSM": "http://" + a.sts,
		"AWS_ENDPOINT_URL_LAMBDA": "http://" + a.sts, "AWS_ENDPOINT_URL_SERVICE_QUOTAS": "http://" + a.sts, "AWS_ENDPOINT_URL_EC2": "http://" + a.sts, "AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API": "http://" + a.sts,
		"AWS_ACCESS_KEY_ID": key,
	} {
		t.Setenv(k, v)
	}
	a.cloud.CallAs(o.state.Callers[key])
}

// backend is the PULUMI_BACKEND_URL of a prefix of the state bucket.
func (o *org) backend(prefix string) string {
	q := url.Values{
		"endpoint": {o.endpoint}, "region": {"us-east-1"}, "use_path_style": {"true"},
		"request_checksum_calculation": {"when_required"}, "response_checksum_validation": {"when_required"},
	}
	return "s3://" + o.pipe.StateBucket + "/" + prefix + "?" + q.Encode()
}

// createBucket makes the state bucket exist in the S3 API, as the tooling
// account's bootstrap makes it exist in AWS.
func (o *org) createBucket(t *testing.T) {
	t.Helper()
	client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(o.endpoint), UsePathStyle: true,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: adminKey, SecretAccessKey: "awsfake"}, nil
		})})
	_, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(o.pipe.StateBucket)})
	require.NoError(t, err)
}

// putObject writes an object of the state bucket as the caller of a key.
func (o *org) putObject(key, object string) error {
	client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(o.endpoint), UsePathStyle: true,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: key, SecretAccessKey: "awsfake"}, nil
		})})
	_, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(o.pipe.StateBucket), Key: aws.String(object), Body: strings.NewReader("{}")})
	return err
}
