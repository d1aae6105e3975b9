package validity

import (
	"errors"
	"strings"
	"testing"

	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each case breaks one of AWS's rules as its documentation states it; the
// expected rule is written out here, not read back from the validator.
func TestValidateRefusesWhatAWSRefuses(t *testing.T) {
	everyone := iampolicy.Everyone
	cases := []struct {
		name string
		kind Kind
		doc  iampolicy.Document
		rule Rule
	}{
		{"a customer RCP that allows (the published RCP's old first statement)", RCP,
			iampolicy.New(iampolicy.Statement{Sid: "RCPFullAWSAccess", Effect: iampolicy.Allow, Principal: everyone, Action: []string{"*"}, Resource: []string{"*"}}), RuleRCPDenyOnly},
		{"an RCP naming a principal other than *", RCP,
			iampolicy.New(iampolicy.Statement{Effect: iampolicy.Deny, Principal: iampolicy.Principals{"AWS": {"arn:aws:iam::111122223333:root"}}, Action: []string{"s3:*"}, Resource: []string{"*"}}), RuleRCPElements},
		{"an RCP with NotAction", RCP,
			iampolicy.New(iampolicy.Statement{Effect: iampolicy.Deny, Principal: everyone, NotAction: []string{"s3:GetObject"}, Resource: []string{"*"}}), RuleRCPElements},
		{"an SCP naming a principal", SCP,
			iampolicy.New(iampolicy.Statement{Effect: iampolicy.Deny, Principal: everyone, Action: []string{"iam:*"}, Resource: []string{"*"}}), RuleSCPElements},
		{"an identity policy naming a principal", ManagedPolicy,
			iampolicy.New(iampolicy.Statement{Effect: iampolicy.Allow, Principal: everyone, Action: []string{"s3:GetObject"}, Resource: []string{"*"}}), RulePrincipal},
		{"a bucket policy naming no principal", BucketPolicy,
			iampolicy.New(iampolicy.Statement{Effect: iampolicy.Deny, Action: []string{"s3:*"}, Resource: []string{"arn:aws:s3:::b"}}), RulePrincipal},
		{"a trust policy naming a resource", TrustPolicy,
			iampolicy.New(iampolicy.Statement{Effect: iampolicy.Allow, Principal: iampolicy.Principals{"Service": {"lambda.amazonaws.com"}}, Action: []string{"sts:AssumeRole"}, Resource: []string{"*"}}), RuleResource},
		{"a trust policy allowing more than assumption", TrustPolicy,
			iampolicy.New(iampolicy.Statement{Effect: iampolicy.Allow, Principal: iampolicy.Principals{"Service": {"lambda.amazonaws.com"}}, Action: []string{"s3:GetObject"}}), RuleTrustActions},
		{"no Version", ManagedPolicy,
			iampolicy.Document{Statement: []iampolicy.Statement{{Effect: iampolicy.Allow, Action: []string{"s3:GetObject"}, Resource: []string{"*"}}}}, RuleVersion},
		{"an old Version", SCP,
			iampolicy.Document{Version: "2008-10-17", Statement: []iampolicy.Statement{{Effect: iampolicy.Deny, Action: []string{"s3:*"}, Resource: []string{"*"}}}}, RuleVersion},
		{"an effect that is neither", ManagedPolicy, iampolicy.New(iampolicy.Statement{Effect: "Audit", Action: []string{"s3:GetObject"}, Resource: []string{"*"}}), RuleEffect},
		{"a Sid with a hyphen", ManagedPolicy, iampolicy.New(iampolicy.Statement{Sid: "read-only", Effect: iampolicy.Allow, Action: []string{"s3:GetObject"}, Resource: []string{"*"}}), RuleSid},
		{"a Sid used twice", ManagedPolicy, iampolicy.New(
			iampolicy.Statement{Sid: "Read", Effect: iampolicy.Allow, Action: []string{"s3:GetObject"}, Resource: []string{"*"}},
			iampolicy.Statement{Sid: "Read", Effect: iampolicy.Allow, Action: []string{"s3:ListBucket"}, Resource: []string{"*"}}), RuleSid},
		{"Action and NotAction together", ManagedPolicy,
			iampolicy.New(iampolicy.Statement{Effect: iampolicy.Allow, Action: []string{"s3:GetObject"}, NotAction: []string{"s3:PutObject"}, Resource: []string{"*"}}), RuleAction},
		{"an action without its service", ManagedPolicy, iampolicy.New(iampolicy.Statement{Effect: iampolicy.Allow, Action: []string{"GetObject"}, Resource: []string{"*"}}), RuleAction},
		{"an identity policy without a resource", InlinePolicy, iampolicy.New(iampolicy.Statement{Effect: iampolicy.Allow, Action: []string{"s3:GetObject"}}), RuleResource},
		{"an operator IAM does not have", ManagedPolicy, iampolicy.New(iampolicy.Statement{Effect: iampolicy.Allow, Action: []string{"s3:GetObject"}, Resource: []string{"*"},
			Condition: iampolicy.Condition{"StringStartsWith": {"aws:PrincipalArn": {"arn:"}}}}), RuleOperator},
		{"Null with IfExists", ManagedPolicy, iampolicy.New(iampolicy.Statement{Effect: iampolicy.Allow, Action: []string{"s3:GetObject"}, Resource: []string{"*"},
			Condition: iampolicy.Condition{"NullIfExists": {"aws:PrincipalArn": {"true"}}}}), RuleOperator},
		{"a set operator IAM does not have", ManagedPolicy, iampolicy.New(iampolicy.Statement{Effect: iampolicy.Allow, Action: []string{"s3:GetObject"}, Resource: []string{"*"},
			Condition: iampolicy.Condition{"ForEachValue:StringEquals": {"aws:TagKeys": {"a"}}}}), RuleOperator},
		{"a condition key that does not exist", ManagedPolicy, iampolicy.New(iampolicy.Statement{Effect: iampolicy.Allow, Action: []string{"kms:CreateGrant"}, Resource: []string{"*"},
			Condition: iampolicy.Condition{"Bool": {"kms:GrantIsForAwsService": {"true"}}}}), RuleConditionKey},
		{"a Bool that is not true or false", ManagedPolicy, iampolicy.New(iampolicy.Statement{Effect: iampolicy.Allow, Action: []string{"s3:GetObject"}, Resource: []string{"*"},
			Condition: iampolicy.Condition{"Bool": {"aws:SecureTransport": {"yes"}}}}), RuleConditionValue},
		{"a number that is not", TrustPolicy, iampolicy.New(iampolicy.Statement{Effect: iampolicy.Allow, Principal: iampolicy.Principals{"AWS": {"arn:aws:iam::111122223333:role/a"}}, Action: []string{"sts:AssumeRole"},
			Condition: iampolicy.Condition{"NumericLessThan": {"aws:MultiFactorAuthAge": {"an hour"}}}}), RuleConditionValue},
		{"an SCP over 5,120 characters", SCP, iampolicy.New(iampolicy.Statement{Effect: iampolicy.Deny, Action: []string{"s3:*"}, Resource: manyArns(200)}), RuleSize},
		{"a managed policy over 6,144 characters", ManagedPolicy, iampolicy.New(iampolicy.Statement{Effect: iampolicy.Allow, Action: []string{"s3:*"}, Resource: manyArns(250)}), RuleSize},
		{"a trust policy over 2,048 characters", TrustPolicy, iampolicy.New(iampolicy.Statement{Effect: iampolicy.Allow, Principal: iampolicy.Principals{"AWS": manyArns(80)}, Action: []string{"sts:AssumeRole"}}), RuleSize},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.kind, "doc.json", tc.doc)
			require.Error(t, err)
			var v Violation
			require.True(t, errors.As(err, &v))
			assert.Equal(t, tc.rule, v.Rule, "%v", err)
			assert.Contains(t, err.Error(), "doc.json ("+string(tc.kind)+")")
			assert.Contains(t, err.Error(), tc.rule.Name)
		})
	}
}

func manyArns(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "arn:aws:s3:::a-bucket-with-a-long-name-" + strings.Repeat("x", 3) + string(rune('a'+i%26))
	}
	return out
}

// The documents each kind is meant to hold pass: a valid RCP denies with
// Principal "*", a trust names a principal and no resource, an identity
// policy the reverse, and condition keys of services and tag keys are known.
func TestValidateAcceptsWhatAWSStores(t *testing.T) {
	for _, tc := range []struct {
		kind Kind
		doc  iampolicy.Document
	}{
		{RCP, iampolicy.New(iampolicy.Statement{Sid: "OrgOnly", Effect: iampolicy.Deny, Principal: iampolicy.Everyone, Action: []string{"s3:*", "kms:*"}, Resource: []string{"*"},
			Condition: iampolicy.Condition{"StringNotEqualsIfExists": {"aws:PrincipalOrgID": {"o-abc"}}, "BoolIfExists": {"aws:PrincipalIsAWSService": {"false"}}}})},
		{SCP, iampolicy.New(iampolicy.Statement{Effect: iampolicy.Allow, Action: []string{"*"}, Resource: []string{"*"}},
			iampolicy.Statement{Effect: iampolicy.Deny, NotAction: []string{"iam:Get*"}, Resource: []string{"arn:aws:iam::*:role/x"}, Condition: iampolicy.Condition{"ArnNotLike": {"aws:PrincipalArn": {"arn:aws:iam::*:role/admin"}}}})},
		{TrustPolicy, iampolicy.ServiceTrust("lambda.amazonaws.com", "111122223333")},
		{ManagedPolicy, iampolicy.New(iampolicy.Statement{Effect: iampolicy.Deny, Action: []string{"kms:CreateGrant"}, Resource: []string{"*"},
			Condition: iampolicy.Condition{"BoolIfExists": {"kms:GrantIsForAWSResource": {"false"}}, "ForAllValues:StringNotEquals": {"kms:ResourceAliases": {"alias/a"}},
				"StringEquals": {"aws:ResourceTag/Environment": {"prod"}}, "ArnLike": {"kms:EncryptionContext:aws:logs:arn": {"arn:aws:logs:*"}}}})},
		{KeyPolicy, iampolicy.New(iampolicy.Statement{Effect: iampolicy.Allow, Principal: iampolicy.Principals{"AWS": {"arn:aws:iam::111122223333:root"}}, Action: []string{"kms:*"}, Resource: []string{"*"}})},
	} {
		assert.NoError(t, Validate(tc.kind, "doc.json", tc.doc), tc.kind)
	}
}

func TestValidateCountsWhitespaceAsEachServiceDoes(t *testing.T) {
	assert.Equal(t, `{"a":"b c"}`, stripWhitespace("{ \"a\" :\n \"b c\" }"))
	assert.Equal(t, `{"a":"x\" y"}`, stripWhitespace(`{"a": "x\" y"}`))
	one := iampolicy.New(iampolicy.Statement{Effect: iampolicy.Allow, Action: []string{"s3:GetObject"}, Resource: manyArns(120)})
	assert.NoError(t, ValidateInlinePolicies("r", one))
	err := ValidateInlinePolicies("r", one, one, one)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the inline policies of r")
	assert.Contains(t, err.Error(), "over the limit of 10240")
}
