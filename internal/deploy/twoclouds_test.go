package deploy

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/awsfake"
	"github.com/acmepay/platform/internal/moto"
	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/profile"
)

// The break-glass check against a real STS answer (moto's, the second
// cloud). AWS's GetCallerIdentity names a role session
// arn:aws:sts::<account>:assumed-role/<role>/<session> ("IAM identifiers",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns),
// which the stand-in's STS now gives too (it answered user/awsfake for
// every caller before moto showed the difference). The check passes a session of prod's break-glass role, and refuses
// the account's plain user, a session of another of its roles, and a
// session of a role of the same name in another account.
func TestTheBreakGlassCheckAgainstAnAssumedRoleFromMoto(t *testing.T) {
	ctx := context.Background()
	const prod, other = "345678901234", "999988887777"
	s := moto.Start(t, prod)
	cfg := s.DefaultConfig()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + prod + `:root"},"Action":"sts:AssumeRole"}]}`
	for _, name := range []string{bootstrapiam.BreakGlassRoleName, bootstrapiam.DeployerRoleName} {
		_, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
		require.NoError(t, err, "moto: iam:CreateRole %s", name)
	}
	assume := func(account, role, session string) aws.Credentials {
		out, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{
			RoleArn: aws.String("arn:aws:iam::" + account + ":role/" + role), RoleSessionName: aws.String(session)})
		require.NoError(t, err, "moto: sts:AssumeRole %s in %s", role, account)
		c := out.Credentials
		return aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken)}
	}
	p := profile.Profile{Environment: profile.Prod, AccountID: prod, Region: "us-east-1"}
	check := func(creds aws.Credentials) (string, error) {
		s.Env(t, creds)
		d := &Deployer{Identity: STSIdentity{}}
		arn, err := STSIdentity{}.CallerArn(ctx)
		require.NoError(t, err)
		return arn, d.holdsBreakGlass(ctx, p)
	}

	arn, err := check(assume(prod, bootstrapiam.BreakGlassRoleName, "alice"))
	assert.Equal(t, "arn:aws:sts::"+prod+":assumed-role/payments-break-glass/alice", arn, "AWS's shape of a role session")
	assert.NoError(t, err, "a session of prod's break-glass role holds it")

	for what, creds := range map[string]aws.Credentials{
		"the account's user":                     {},
		"a session of the deployer":              assume(prod, bootstrapiam.DeployerRoleName, "gh-run-1"),
		"break-glass of the same name elsewhere": assume(other, bootstrapiam.BreakGlassRoleName, "mallory"),
	} {
		arn, err := check(creds)
		require.ErrorIs(t, err, ErrNeedsBreakGlass, "%s (%s)", what, arn)
		assert.Contains(t, err.Error(), "the caller is "+arn, what)
	}
}

// The same check against the stand-in's STS, which answers as AWS does: a
// session of the role the stand-in's caller is.
func TestTheBreakGlassCheckAgainstTheStandInsSTS(t *testing.T) {
	ctx := context.Background()
	const prod = "345678901234"
	cloud := awsfake.New(prod, "us-east-1")
	addr, stop, err := cloud.ServeSTS()
	require.NoError(t, err)
	t.Cleanup(func() { _ = stop() })
	for k, v := range map[string]string{"AWS_ENDPOINT_URL_STS": "http://" + addr, "AWS_ACCESS_KEY_ID": "AKIAAWSFAKE", "AWS_SECRET_ACCESS_KEY": "awsfake",
		"AWS_REGION": "us-east-1", "AWS_PROFILE": "", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "AWS_EC2_METADATA_DISABLED": "true"} {
		t.Setenv(k, v)
	}
	p := profile.Profile{Environment: profile.Prod, AccountID: prod, Region: "us-east-1"}
	d := &Deployer{Identity: STSIdentity{}}

	cloud.CallAs("arn:aws:iam::" + prod + ":role/" + bootstrapiam.BreakGlassRoleName)
	arn, err := STSIdentity{}.CallerArn(ctx)
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:sts::"+prod+":assumed-role/payments-break-glass/awsfake", arn)
	assert.NoError(t, d.holdsBreakGlass(ctx, p))

	cloud.CallAs("arn:aws:iam::" + prod + ":role/" + bootstrapiam.DeployerRoleName)
	require.ErrorIs(t, d.holdsBreakGlass(ctx, p), ErrNeedsBreakGlass)
	cloud.CallAs("")
	require.ErrorIs(t, d.holdsBreakGlass(ctx, p), ErrNeedsBreakGlass, "the account's administrator")
}

// The bootstrap version read (ssm:GetParameter) against moto's SSM: a
// missing parameter is "not bootstrapped", never an error or a zero.
func TestTheBootstrapVersionReadAgainstMoto(t *testing.T) {
	ctx := context.Background()
	s := moto.Start(t, fixture.DevAccount)
	s.Env(t, aws.Credentials{})
	_, found, err := SSMBootstrap{}.Version(ctx, "us-east-1")
	require.NoError(t, err)
	assert.False(t, found, "an account never bootstrapped")
	cfg := s.DefaultConfig()
	_, err = ssm.NewFromConfig(cfg).PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(bootstrapiam.VersionParameter), Value: aws.String("2"), Type: ssmtypes.ParameterTypeString})
	require.NoError(t, err)
	v, found, err := SSMBootstrap{}.Version(ctx, "us-east-1")
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, 2, v)
}
