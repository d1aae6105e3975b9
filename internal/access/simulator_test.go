package access

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/iampolicy"
)

type fakeSimulator struct {
	in *iam.SimulateCustomPolicyInput
}

func (f *fakeSimulator) SimulateCustomPolicy(_ context.Context, in *iam.SimulateCustomPolicyInput, _ ...func(*iam.Options)) (*iam.SimulateCustomPolicyOutput, error) {
	f.in = in
	return &iam.SimulateCustomPolicyOutput{EvaluationResults: []iamtypes.EvaluationResult{{EvalDecision: iamtypes.PolicyEvaluationDecisionTypeExplicitDeny}}}, nil
}

// The simulator is handed the same documents the offline evaluator uses:
// the role's policies (or the allow-all one), its boundary, the bucket's
// policy with its owner, and typed context keys.
func TestSimulatorAsksWithTheSameDocuments(t *testing.T) {
	_, e := load(t, "prod")
	n := names("prod", fixture.ProdAccount)
	fake := &fakeSimulator{}
	audit := "arn:aws:s3:::audit-logs-prod-" + fixture.ProdSuffix + "/audit/x.json"
	got, err := Simulator{Client: fake}.Ask(context.Background(), e, Question{
		Role: n.FunctionRole, AllowAll: true, Action: "s3:GetObject", Resource: audit, Context: map[string]string{"aws:SecureTransport": "true"},
	})
	require.NoError(t, err)
	assert.Equal(t, iampolicy.ExplicitDeny, got)
	in := fake.in
	assert.Equal(t, []string{AllowAllPolicy.JSON()}, in.PolicyInputList)
	require.Len(t, in.PermissionsBoundaryPolicyInputList, 1)
	assert.Contains(t, in.PermissionsBoundaryPolicyInputList[0], "DenyAuditRecordReadsAndChanges")
	assert.Contains(t, *in.ResourcePolicy, "DenyInsecureTransport")
	assert.Equal(t, "arn:aws:iam::"+fixture.ProdAccount+":root", *in.ResourceOwner)
	assert.Equal(t, "arn:aws:iam::"+fixture.ProdAccount+":role/payments-workload/payment-processor-role-prod-"+fixture.ProdSuffix, *in.CallerArn)
	types := map[string]iamtypes.ContextKeyTypeEnum{}
	for _, c := range in.ContextEntries {
		types[*c.ContextKeyName] = c.ContextKeyType
	}
	assert.Equal(t, map[string]iamtypes.ContextKeyTypeEnum{
		"aws:SecureTransport": iamtypes.ContextKeyTypeEnumBoolean, "aws:RequestedRegion": iamtypes.ContextKeyTypeEnumString,
		"aws:ResourceAccount": iamtypes.ContextKeyTypeEnumString,
	}, types)
}

// TestEvaluatorAgreesWithAWSSimulator is the live tier: every role question
// of every environment goes to AWS's simulator as well, and both must give
// the same decision. It needs credentials allowed iam:SimulateCustomPolicy.
func TestEvaluatorAgreesWithAWSSimulator(t *testing.T) {
	if os.Getenv("AWS_ACCESS_KEY_ID") == "" && os.Getenv("AWS_PROFILE") == "" && os.Getenv("AWS_WEB_IDENTITY_TOKEN_FILE") == "" {
		t.Skip("no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_PROFILE or AWS_WEB_IDENTITY_TOKEN_FILE): " +
			"the offline evaluator's answers are not compared with iam:SimulateCustomPolicy here")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"), config.WithEC2IMDSClientEnableState(imds.ClientDisabled))
	require.NoError(t, err)
	sim := Simulator{Client: iam.NewFromConfig(cfg)}
	// A planned manifest masks the key's id; AWS wants a well-formed ARN.
	const keyID = "00000000-0000-0000-0000-000000000000"
	for _, tc := range environments {
		t.Run(tc.env, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("..", "..", "manifests", "planned", tc.env+".json"))
			require.NoError(t, err)
			var m manifest.Manifest
			require.NoError(t, json.Unmarshal([]byte(strings.ReplaceAll(string(raw), manifest.Placeholder, keyID)), &m))
			e, err := FromManifest(m)
			require.NoError(t, err)
			live := func(env, account string) Names {
				scope := iampolicy.Scope{Region: "us-east-1", Account: account}
				return NamesFor(scope, env, fixture.DevSuffix, "arn:aws:kms:us-east-1:"+account+":key/"+keyID)
			}
			n := live(tc.env, tc.account)
			for _, c := range append(FunctionChecks(n, live(tc.other, tc.otherAccount)), DangerousChecks(n)...) {
				offline, err := e.Ask(c.Question)
				require.NoError(t, err)
				aws, err := sim.Ask(ctx, e, c.Question)
				require.NoError(t, err)
				assert.Equal(t, offline.Decision == iampolicy.Allowed, aws == iampolicy.Allowed, "%s: offline %s (%s), AWS %s", c, offline.Decision, offline.By, aws)
			}
		})
	}
}
