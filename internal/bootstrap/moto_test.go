package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/moto"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/iampolicy/validity"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/workload"
)

// A second grammar check, by a parser nobody here wrote: every identity
// policy, boundary, guardrail, trust policy and inline role policy the
// project writes, in every environment, is created in moto's IAM as the
// bootstrap and the layers create it (CreatePolicy; CreateRole with its
// trust and boundary; PutRolePolicy). moto parses each one and refuses what
// is malformed. (SCPs and RCPs are not IAM documents: moto's Organizations
// does not check them; validity does.)
func TestMotosIAMAcceptsEveryIAMDocument(t *testing.T) {
	ctx := context.Background()
	for _, env := range profile.Environments() {
		t.Run(string(env), func(t *testing.T) {
			a := account(t, env)
			s := moto.Start(t, a.Profile.AccountID)
			cfg := s.DefaultConfig()
			api := iam.NewFromConfig(cfg)
			files, err := Files(a)
			require.NoError(t, err)
			managed := map[string]string{} // file -> policy ARN
			created := 0
			for _, f := range files {
				if f.Kind != validity.ManagedPolicy {
					continue
				}
				name := strings.TrimSuffix(f.Name, ".json")
				arn := fmt.Sprintf("arn:aws:iam::%s:policy/%s", a.Profile.AccountID, name)
				_, err := api.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(f.Doc.JSON())})
				if alreadyThere(err) { // see the role's case below
					got, gerr := api.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")})
					require.NoError(t, gerr)
					requireStored(t, f.Doc, got.PolicyVersion.Document, f.Name)
					err = nil
				}
				require.NoError(t, err, "moto refuses %s", f.Name)
				managed[f.Name] = arn
				created++
			}
			role := func(name string, trust iampolicy.Document, boundary string, inline ...iampolicy.Document) {
				in := &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust.JSON())}
				if boundary != "" {
					in.PermissionsBoundary = aws.String(boundary)
				}
				_, err := api.CreateRole(ctx, in)
				if alreadyThere(err) {
					// The SDK retried a call moto had already carried out
					// (a dropped connection under load): the role's stored
					// trust must be this one, which moto then accepted.
					got, gerr := api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
					require.NoError(t, gerr)
					requireStored(t, trust, got.Role.AssumeRolePolicyDocument, name+"'s trust")
					err = nil
				}
				require.NoError(t, err, "moto refuses role %s's trust", name)
				created++
				for i, d := range inline {
					_, err := api.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(fmt.Sprintf("%s-%d", name, i)), PolicyDocument: aws.String(d.JSON())})
					require.NoError(t, err, "moto refuses role %s's inline policy", name)
					created++
				}
			}
			byName := map[string]iampolicy.Document{}
			for _, f := range files {
				byName[f.Name] = f.Doc
			}
			role("deployer", byName["deployer-trust.json"], managed["deployer-boundary.json"], byName["deployer-policy.json"])
			role("readonly", byName["readonly-trust.json"], "")
			if a.HasBreakGlass() {
				role("break-glass", byName["breakglass-trust.json"], managed["deployer-boundary.json"], byName["breakglass-policy.json"])
			}
			w, sc := a.Workload(), iampolicy.Scope{Region: a.Profile.Region, Account: a.Profile.AccountID}
			fn := workload.FunctionStatements(sc, workload.Function{Table: w.Table(), Bucket: w.Bucket(), AuditPrefix: workload.AuditPrefix,
				LogGroup: fmt.Sprintf("/aws/lambda/payment-processor-%s-%s", env, a.Profile.Suffix), KeyArn: sc.Key("0b5c")})
			role("function", iampolicy.ServiceTrust("lambda.amazonaws.com", a.Profile.AccountID), managed["workload-boundary.json"], iampolicy.New(fn...))
			role("flow-logs", iampolicy.ServiceTrust("vpc-flow-logs.amazonaws.com", a.Profile.AccountID), managed["workload-boundary.json"],
				iampolicy.New(workload.FlowLogStatements(sc, w.FlowLogGroup())...))
			t.Logf("%s: moto's IAM accepted %d documents", env, created)
			assert.GreaterOrEqual(t, created, 12)
		})
	}
}

// requireStored: what IAM holds (URL-encoded, as IAM returns documents) is
// want.
func requireStored(t *testing.T, want iampolicy.Document, stored *string, what string) {
	t.Helper()
	doc, err := url.QueryUnescape(aws.ToString(stored))
	require.NoError(t, err)
	require.JSONEq(t, want.JSON(), doc, "%s exists with another document", what)
}

func alreadyThere(err error) bool {
	var exists *iamtypes.EntityAlreadyExistsException
	return errors.As(err, &exists)
}

// moto's parser is no rubber stamp: a document IAM refuses is refused.
func TestMotosIAMRefusesAMalformedDocument(t *testing.T) {
	ctx := context.Background()
	s := moto.Start(t, fixture.DevAccount)
	cfg := s.DefaultConfig()
	_, err := iam.NewFromConfig(cfg).CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("bad"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}`)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "MalformedPolicyDocument")
}
