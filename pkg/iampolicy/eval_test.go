package iampolicy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	role    = "arn:aws:iam::111122223333:role/app"
	account = "111122223333"
	bucketA = "arn:aws:s3:::bucket-a"
	keyArn  = "arn:aws:kms:us-east-1:111122223333:key/1234"
)

func allow(actions, resources []string) Statement {
	return Statement{Effect: Allow, Action: actions, Resource: resources}
}

// Each case is a behaviour AWS documents on its policy evaluation logic page
// (or its condition operator reference); the expected decision is AWS's.
func TestEvaluateFollowsAWSEvaluationLogic(t *testing.T) {
	allowAll := New(allow([]string{"*"}, []string{"*"}))
	cases := []evaluationCase{
		{"nothing allows: implicit deny", Request{Principal: role, Action: "s3:GetObject", Resource: bucketA + "/k"},
			Policies{}, ImplicitDeny},
		{"identity allows", Request{Principal: role, Action: "s3:GetObject", Resource: bucketA + "/k"},
			Policies{Identity: []Document{New(allow([]string{"s3:GetObject"}, []string{bucketA + "/*"}))}}, Allowed},
		{"actions match case-insensitively", Request{Principal: role, Action: "S3:getobject", Resource: bucketA + "/k"},
			Policies{Identity: []Document{New(allow([]string{"s3:GetObject"}, []string{bucketA + "/*"}))}}, Allowed},
		{"resources match case-sensitively", Request{Principal: role, Action: "s3:GetObject", Resource: "arn:aws:s3:::BUCKET-A/k"},
			Policies{Identity: []Document{New(allow([]string{"s3:GetObject"}, []string{bucketA + "/*"}))}}, ImplicitDeny},
		{"? matches exactly one character", Request{Principal: role, Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket-b/k"},
			Policies{Identity: []Document{New(allow([]string{"s3:Get*"}, []string{"arn:aws:s3:::bucket-?/k"}))}}, Allowed},
		{"? does not match two", Request{Principal: role, Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket-bb/k"},
			Policies{Identity: []Document{New(allow([]string{"s3:Get*"}, []string{"arn:aws:s3:::bucket-?/k"}))}}, ImplicitDeny},
		{"explicit deny beats an allow", Request{Principal: role, Action: "s3:DeleteObject", Resource: bucketA + "/k"},
			Policies{Identity: []Document{allowAll, New(Statement{Effect: Deny, Action: []string{"s3:Delete*"}, Resource: []string{"*"}})}}, ExplicitDeny},
		{"boundary caps an allow-all identity policy", Request{Principal: role, Action: "dynamodb:Scan", Resource: "arn:aws:dynamodb:us-east-1:111122223333:table/t"},
			Policies{Identity: []Document{allowAll}, Boundary: ptr(New(allow([]string{"s3:GetObject"}, []string{"*"})))}, ImplicitDeny},
		{"a boundary grants nothing by itself", Request{Principal: role, Action: "s3:GetObject", Resource: bucketA + "/k"},
			Policies{Boundary: ptr(allowAll)}, ImplicitDeny},
		{"identity within the boundary", Request{Principal: role, Action: "s3:GetObject", Resource: bucketA + "/k"},
			Policies{Identity: []Document{allowAll}, Boundary: ptr(New(allow([]string{"s3:GetObject"}, []string{bucketA + "/*"})))}, Allowed},
		{"an explicit deny in the boundary", Request{Principal: role, Action: "s3:GetObject", Resource: bucketA + "/k"},
			Policies{Identity: []Document{allowAll}, Boundary: ptr(New(allow([]string{"*"}, []string{"*"}), Statement{Effect: Deny, Action: []string{"s3:GetObject"}, Resource: []string{"*"}}))}, ExplicitDeny},
		{"NotAction allows everything else", Request{Principal: role, Action: "s3:PutObject", Resource: bucketA + "/k"},
			Policies{Identity: []Document{New(Statement{Effect: Allow, NotAction: []string{"iam:*"}, Resource: []string{"*"}})}}, Allowed},
		{"NotAction excludes what it names", Request{Principal: role, Action: "iam:CreateRole", Resource: "arn:aws:iam::111122223333:role/x"},
			Policies{Identity: []Document{New(Statement{Effect: Allow, NotAction: []string{"iam:*"}, Resource: []string{"*"}})}}, ImplicitDeny},
		{"deny with NotResource hits every other resource", Request{Principal: role, Action: "s3:GetObject", Resource: "arn:aws:s3:::other/k"},
			Policies{Identity: []Document{allowAll, New(Statement{Effect: Deny, Action: []string{"s3:*"}, NotResource: []string{bucketA + "/*"}})}}, ExplicitDeny},
		{"deny with NotResource spares what it names", Request{Principal: role, Action: "s3:GetObject", Resource: bucketA + "/k"},
			Policies{Identity: []Document{allowAll, New(Statement{Effect: Deny, Action: []string{"s3:*"}, NotResource: []string{bucketA + "/*"}})}}, Allowed},
		{"StringNotEquals on a present key", Request{Principal: role, Action: "s3:GetObject", Resource: bucketA + "/k", Context: map[string]string{"aws:RequestedRegion": "eu-west-1"}},
			Policies{Identity: []Document{allowAll, New(Statement{Effect: Deny, Action: []string{"*"}, Resource: []string{"*"}, Condition: Condition{"StringNotEquals": {"aws:RequestedRegion": {"us-east-1"}}}})}}, ExplicitDeny},
		{"StringNotEquals holds when the key is missing", Request{Principal: role, Action: "s3:GetObject", Resource: bucketA + "/k"},
			Policies{Identity: []Document{allowAll, New(Statement{Effect: Deny, Action: []string{"*"}, Resource: []string{"*"}, Condition: Condition{"StringNotEquals": {"aws:RequestedRegion": {"us-east-1"}}}})}}, ExplicitDeny},
		{"StringEquals fails when the key is missing", Request{Principal: role, Action: "iam:CreateRole", Resource: "arn:aws:iam::111122223333:role/x"},
			Policies{Identity: []Document{New(Statement{Effect: Allow, Action: []string{"iam:CreateRole"}, Resource: []string{"*"}, Condition: Condition{"StringEquals": {"iam:PermissionsBoundary": {"arn:b"}}}})}}, ImplicitDeny},
		{"IfExists holds when the key is missing", Request{Principal: role, Action: "xray:PutTraceSegments", Resource: "*"},
			Policies{Identity: []Document{New(Statement{Effect: Allow, Action: []string{"xray:*"}, Resource: []string{"*"}, Condition: Condition{"StringEqualsIfExists": {"aws:ResourceAccount": {account}}}})}}, Allowed},
		{"IfExists still tests a present key", Request{Principal: role, Action: "s3:GetObject", Resource: bucketA + "/k", Context: map[string]string{"aws:ResourceAccount": "999988887777"}},
			Policies{Identity: []Document{New(Statement{Effect: Allow, Action: []string{"s3:*"}, Resource: []string{"*"}, Condition: Condition{"StringEqualsIfExists": {"aws:ResourceAccount": {account}}}})}}, ImplicitDeny},
		{"ArnLike with a wildcard", Request{Principal: "logs.us-east-1.amazonaws.com", Action: "kms:GenerateDataKey", Resource: keyArn, Context: map[string]string{"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/x"}},
			Policies{Resource: ptr(New(Statement{Effect: Allow, Principal: map[string]Strings{"Service": {"logs.us-east-1.amazonaws.com"}}, Action: []string{"kms:GenerateDataKey*"}, Resource: []string{"*"}, Condition: Condition{"ArnLike": {"kms:EncryptionContext:aws:logs:arn": {"arn:aws:logs:us-east-1:111122223333:log-group:*"}}}})), Account: account}, Allowed},
		{"a service needs the resource policy", Request{Principal: "cloudwatch.amazonaws.com", Action: "kms:GenerateDataKey", Resource: keyArn},
			Policies{Resource: ptr(New(Statement{Effect: Allow, Principal: map[string]Strings{"AWS": {"arn:aws:iam::111122223333:root"}}, Action: []string{"kms:*"}, Resource: []string{"*"}})), Account: account}, ImplicitDeny},
		{"a key policy delegating to the account enables identity policies", Request{Principal: role, Action: "kms:Decrypt", Resource: keyArn},
			Policies{Identity: []Document{New(allow([]string{"kms:Decrypt"}, []string{keyArn}))}, Resource: ptr(New(Statement{Effect: Allow, Principal: map[string]Strings{"AWS": {"arn:aws:iam::111122223333:root"}}, Action: []string{"kms:*"}, Resource: []string{"*"}})), Account: account}, Allowed},
		{"a key policy that does not delegate ignores identity policies", Request{Principal: role, Action: "kms:Decrypt", Resource: keyArn},
			Policies{Identity: []Document{allowAll}, Resource: ptr(New(Statement{Effect: Allow, Principal: map[string]Strings{"Service": {"logs.us-east-1.amazonaws.com"}}, Action: []string{"kms:*"}, Resource: []string{"*"}})), Account: account}, ImplicitDeny},
		{"a key is unreachable without a key policy", Request{Principal: role, Action: "kms:Decrypt", Resource: keyArn},
			Policies{Identity: []Document{allowAll}, Account: account}, ImplicitDeny},
		{"a resource policy naming the role allows without an identity policy", Request{Principal: role, Action: "s3:GetObject", Resource: bucketA + "/k"},
			Policies{Resource: ptr(New(Statement{Effect: Allow, Principal: map[string]Strings{"AWS": {role}}, Action: []string{"s3:GetObject"}, Resource: []string{bucketA + "/*"}}))}, Allowed},
		{"but not past the role's boundary", Request{Principal: role, Action: "s3:GetObject", Resource: bucketA + "/k"},
			Policies{Boundary: ptr(New(allow([]string{"s3:PutObject"}, []string{"*"}))), Resource: ptr(New(Statement{Effect: Allow, Principal: map[string]Strings{"AWS": {role}}, Action: []string{"s3:GetObject"}, Resource: []string{bucketA + "/*"}}))}, ImplicitDeny},
		{"a bucket policy's deny applies to every principal", Request{Principal: role, Action: "s3:GetObject", Resource: bucketA + "/k", Context: map[string]string{"aws:SecureTransport": "false"}},
			Policies{Identity: []Document{allowAll}, Resource: ptr(New(Statement{Effect: Deny, Principal: map[string]Strings{"AWS": {"*"}}, Action: []string{"s3:*"}, Resource: []string{bucketA + "/*"}, Condition: Condition{"Bool": {"aws:SecureTransport": {"false"}}}}))}, ExplicitDeny},
		{"Null true means absent", Request{Principal: role, Action: "s3:GetObject", Resource: bucketA + "/k"},
			Policies{Identity: []Document{allowAll, New(Statement{Effect: Deny, Action: []string{"*"}, Resource: []string{"*"}, Condition: Condition{"Null": {"aws:SourceVpc": {"true"}}}})}}, ExplicitDeny},
	}
	evaluateAll(t, cases)
}

func TestEvaluateRefusesWhatItDoesNotImplement(t *testing.T) {
	_, err := Evaluate(Request{Principal: role, Action: "s3:GetObject", Resource: bucketA, Context: map[string]string{"aws:CurrentTime": "x"}},
		Policies{Identity: []Document{New(Statement{Effect: Allow, Action: []string{"*"}, Resource: []string{"*"}, Condition: Condition{"DateLessThan": {"aws:CurrentTime": {"2030-01-01T00:00:00Z"}}}})}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "DateLessThan")
}

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, value string
		want           bool
	}{
		{"*", "", true}, {"*", "anything:at/all", true}, {"a*c", "abbbc", true}, {"a*c", "abbbd", false},
		{"arn:aws:s3:::b/audit/*", "arn:aws:s3:::b/audit/2026/x.json", true},
		{"arn:aws:s3:::b/audit/*", "arn:aws:s3:::b/other/x.json", false},
		{"*-prod-*", "transactions-prod-pay01", true}, {"a?c", "abc", true}, {"a?c", "ac", false}, {"**x", "yx", true},
	} {
		assert.Equal(t, tc.want, Glob(tc.pattern, tc.value), "%q ~ %q", tc.pattern, tc.value)
	}
}

func TestStringsReadsBothForms(t *testing.T) {
	d, err := Parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":["a","b"]}]}`)
	require.NoError(t, err)
	assert.Equal(t, Strings{"s3:GetObject"}, d.Statement[0].Action)
	assert.Equal(t, Strings{"a", "b"}, d.Statement[0].Resource)
}

func ptr(d Document) *Document { return &d }

// Multivalued keys, set operators, sessions, other accounts and the
// organisation's guardrails: each case is a behaviour AWS documents ("Set
// operators for multivalued context keys", "Cross-account policy evaluation
// logic", "SCP evaluation", "RCP evaluation"), with AWS's answer.
func TestEvaluateAcrossAccountsAndOrganisations(t *testing.T) {
	const (
		other        = "444455556666"
		otherRole    = "arn:aws:iam::444455556666:role/partner"
		session      = "arn:aws:sts::111122223333:assumed-role/app/ci-run-1"
		linked       = "arn:aws:iam::111122223333:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRole"
		tableArn     = "arn:aws:dynamodb:us-east-1:111122223333:table/t"
		appRoleInAcc = "arn:aws:iam::111122223333:role/target"
	)
	allowAll := New(allow([]string{"*"}, []string{"*"}))
	fullAccess := New(Statement{Sid: "FullAWSAccess", Effect: Allow, Action: []string{"*"}, Resource: []string{"*"}})
	bucketFor := func(principals ...string) *Document {
		return ptr(New(Statement{Effect: Allow, Principal: Principals{"AWS": principals}, Action: []string{"s3:GetObject"}, Resource: []string{bucketA + "/*"}}))
	}
	// A data perimeter (AWS's own RCPFullAWSAccess is implied).
	onlyOrg := New(Statement{Sid: "OrgOnly", Effect: Deny, Principal: Everyone, Action: []string{"s3:*", "kms:*"}, Resource: []string{"*"},
		Condition: Condition{"StringNotEqualsIfExists": {"aws:PrincipalOrgID": {"o-abc"}}, "BoolIfExists": {"aws:PrincipalIsAWSService": {"false"}}}})
	cases := []evaluationCase{
		{"ForAnyValue: one tag key among several matches", Request{Principal: role, Action: "ec2:CreateTags", Resource: "*", Multi: map[string][]string{"aws:TagKeys": {"Owner", "Environment"}}},
			Policies{Identity: []Document{New(Statement{Effect: Allow, Action: []string{"ec2:CreateTags"}, Resource: []string{"*"}, Condition: Condition{"ForAnyValue:StringEquals": {"aws:TagKeys": {"Environment", "Project"}}}})}}, Allowed},
		{"ForAnyValue is false when the key is absent", Request{Principal: role, Action: "ec2:CreateTags", Resource: "*"},
			Policies{Identity: []Document{New(Statement{Effect: Allow, Action: []string{"ec2:CreateTags"}, Resource: []string{"*"}, Condition: Condition{"ForAnyValue:StringEquals": {"aws:TagKeys": {"Environment"}}}})}}, ImplicitDeny},
		{"ForAllValues: every value must be allowed", Request{Principal: role, Action: "ec2:CreateTags", Resource: "*", Multi: map[string][]string{"aws:TagKeys": {"Environment", "Owner"}}},
			Policies{Identity: []Document{New(Statement{Effect: Allow, Action: []string{"ec2:CreateTags"}, Resource: []string{"*"}, Condition: Condition{"ForAllValues:StringEquals": {"aws:TagKeys": {"Environment", "Project"}}}})}}, ImplicitDeny},
		{"ForAllValues holds when the key is absent (the documented pitfall)", Request{Principal: role, Action: "ec2:CreateTags", Resource: "*"},
			Policies{Identity: []Document{New(Statement{Effect: Allow, Action: []string{"ec2:CreateTags"}, Resource: []string{"*"}, Condition: Condition{"ForAllValues:StringEquals": {"aws:TagKeys": {"Environment"}}}})}}, Allowed},
		{"ForAnyValue:StringLike over a key's aliases", Request{Principal: role, Action: "kms:Decrypt", Resource: keyArn, Multi: map[string][]string{"kms:ResourceAliases": {"alias/x", "alias/payments-dev-a1"}}},
			Policies{Identity: []Document{New(Statement{Effect: Allow, Action: []string{"kms:Decrypt"}, Resource: []string{"*"}, Condition: Condition{"ForAnyValue:StringLike": {"kms:ResourceAliases": {"alias/payments-dev-*"}}}})},
				Resource: ptr(New(Statement{Effect: Allow, Principal: Principals{"AWS": {"arn:aws:iam::111122223333:root"}}, Action: []string{"kms:*"}, Resource: []string{"*"}})), Account: account}, Allowed},
		{"a negated operator with several values holds only when none matches", Request{Principal: role, Action: "s3:GetObject", Resource: bucketA + "/k", Context: map[string]string{"aws:RequestedRegion": "eu-west-1"}},
			Policies{Identity: []Document{allowAll, New(Statement{Effect: Deny, Action: []string{"*"}, Resource: []string{"*"}, Condition: Condition{"StringNotEquals": {"aws:RequestedRegion": {"us-east-1", "eu-west-1"}}}})}}, Allowed},
		{"NumericLessThan on the MFA age", Request{Principal: role, Action: "sts:AssumeRole", Resource: appRoleInAcc, Context: map[string]string{"aws:MultiFactorAuthAge": "4000"}},
			Policies{Identity: []Document{New(Statement{Effect: Allow, Action: []string{"sts:AssumeRole"}, Resource: []string{"*"}, Condition: Condition{"NumericLessThan": {"aws:MultiFactorAuthAge": {"3600"}}}})}}, ImplicitDeny},
		{"cross-account: the bucket policy alone is not enough", Request{Principal: otherRole, Action: "s3:GetObject", Resource: bucketA + "/k"},
			Policies{Resource: bucketFor(otherRole), Account: account}, ImplicitDeny},
		{"cross-account: the caller's identity policy alone is not enough", Request{Principal: otherRole, Action: "s3:GetObject", Resource: bucketA + "/k"},
			Policies{Identity: []Document{allowAll}, Account: account}, ImplicitDeny},
		{"cross-account: both sides allow", Request{Principal: otherRole, Action: "s3:GetObject", Resource: bucketA + "/k"},
			Policies{Identity: []Document{allowAll}, Resource: bucketFor(otherRole), Account: account}, Allowed},
		{"cross-account: naming the other account trusts its policies", Request{Principal: otherRole, Action: "s3:GetObject", Resource: bucketA + "/k"},
			Policies{Identity: []Document{allowAll}, Resource: bucketFor(other), Account: account}, Allowed},
		{"cross-account: a key policy naming only its own account shuts others out", Request{Principal: otherRole, Action: "kms:Decrypt", Resource: keyArn},
			Policies{Identity: []Document{allowAll}, Resource: ptr(New(Statement{Effect: Allow, Principal: Principals{"AWS": {"arn:aws:iam::111122223333:root"}}, Action: []string{"kms:*"}, Resource: []string{"*"}})), Account: account}, ImplicitDeny},
		{"a trust policy naming the session lets it past its boundary", Request{Principal: session, Action: "sts:AssumeRole", Resource: appRoleInAcc},
			Policies{Boundary: ptr(New(allow([]string{"s3:GetObject"}, []string{"*"}))), Resource: ptr(New(Statement{Effect: Allow, Principal: Principals{"AWS": {session}}, Action: []string{"sts:AssumeRole"}})), Account: account}, Allowed},
		{"a trust policy naming the role is still capped by its boundary", Request{Principal: session, Action: "sts:AssumeRole", Resource: appRoleInAcc},
			Policies{Boundary: ptr(New(allow([]string{"s3:GetObject"}, []string{"*"}))), Resource: ptr(New(Statement{Effect: Allow, Principal: Principals{"AWS": {role}}, Action: []string{"sts:AssumeRole"}})), Account: account}, ImplicitDeny},
		{"a session is denied what its boundary explicitly denies, even when named", Request{Principal: session, Action: "sts:AssumeRole", Resource: appRoleInAcc},
			Policies{Boundary: ptr(New(Statement{Effect: Deny, Action: []string{"sts:AssumeRole*"}, Resource: []string{"*"}})), Resource: ptr(New(Statement{Effect: Allow, Principal: Principals{"AWS": {session}}, Action: []string{"sts:AssumeRole"}})), Account: account}, ExplicitDeny},
		{"an SCP with no allow denies even an administrator", Request{Principal: role, Action: "dynamodb:DeleteTable", Resource: tableArn},
			Policies{Identity: []Document{allowAll}, SCPs: []Document{fullAccess, New(allow([]string{"s3:*"}, []string{"*"}))}, Account: account}, ImplicitDeny},
		{"an SCP's deny beats an allow-all", Request{Principal: role, Action: "dynamodb:DeleteTable", Resource: tableArn},
			Policies{Identity: []Document{allowAll}, SCPs: []Document{New(Statement{Sid: "NoTableDeletes", Effect: Allow, Action: []string{"*"}, Resource: []string{"*"}}, Statement{Sid: "NoDelete", Effect: Deny, Action: []string{"dynamodb:DeleteTable"}, Resource: []string{"*"}})}, Account: account}, ExplicitDeny},
		{"an SCP grants nothing", Request{Principal: role, Action: "dynamodb:DeleteTable", Resource: tableArn},
			Policies{SCPs: []Document{fullAccess}, Account: account}, ImplicitDeny},
		{"SCPs do not limit service-linked roles", Request{Principal: linked, Action: "dynamodb:DescribeTable", Resource: tableArn},
			Policies{Identity: []Document{allowAll}, SCPs: []Document{New(Statement{Effect: Deny, Action: []string{"*"}, Resource: []string{"*"}})}, Account: account}, Allowed},
		{"SCPs do not limit service principals", Request{Principal: "logs.us-east-1.amazonaws.com", Action: "kms:Encrypt", Resource: keyArn},
			Policies{SCPs: []Document{New(Statement{Effect: Deny, Action: []string{"*"}, Resource: []string{"*"}})}, Resource: ptr(New(Statement{Effect: Allow, Principal: Principals{"Service": {"logs.us-east-1.amazonaws.com"}}, Action: []string{"kms:*"}, Resource: []string{"*"}})), Account: account}, Allowed},
		{"an RCP keeps principals outside the organisation out of a bucket", Request{Principal: otherRole, Action: "s3:GetObject", Resource: bucketA + "/k", Context: map[string]string{"aws:PrincipalOrgID": "o-other"}},
			Policies{Identity: []Document{allowAll}, Resource: bucketFor(otherRole), RCPs: []Document{onlyOrg}, Account: account}, ExplicitDeny},
		{"the same RCP lets the organisation in", Request{Principal: otherRole, Action: "s3:GetObject", Resource: bucketA + "/k", Context: map[string]string{"aws:PrincipalOrgID": "o-abc"}},
			Policies{Identity: []Document{allowAll}, Resource: bucketFor(otherRole), RCPs: []Document{onlyOrg}, Account: account}, Allowed},
		{"the same RCP lets AWS services in", Request{Principal: "cloudwatch.amazonaws.com", Action: "kms:GenerateDataKey", Resource: keyArn},
			Policies{Resource: ptr(New(Statement{Effect: Allow, Principal: Principals{"Service": {"cloudwatch.amazonaws.com"}}, Action: []string{"kms:*"}, Resource: []string{"*"}})), RCPs: []Document{onlyOrg}, Account: account}, Allowed},
		{"RCPs cover only the services that support them", Request{Principal: role, Action: "dynamodb:Scan", Resource: tableArn},
			Policies{Identity: []Document{allowAll}, RCPs: []Document{New(Statement{Effect: Deny, Principal: Everyone, Action: []string{"*"}, Resource: []string{"*"}})}, Account: account}, Allowed},
	}
	evaluateAll(t, cases)
}

// A customer RCP may only deny: one that allows is a document AWS would
// refuse, so the evaluator refuses it too rather than evaluate it.
func TestEvaluateRefusesAnRCPThatAllows(t *testing.T) {
	rcpFullAccess := New(Statement{Sid: "RCPFullAWSAccess", Effect: Allow, Principal: Everyone, Action: []string{"*"}, Resource: []string{"*"}})
	_, err := Evaluate(Request{Principal: role, Action: "s3:GetObject", Resource: bucketA + "/k"},
		Policies{Identity: []Document{New(allow([]string{"*"}, []string{"*"}))}, RCPs: []Document{rcpFullAccess}, Account: account})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rcp[0]: statement RCPFullAWSAccess allows")
}

func TestEvaluateRefusesASingleValuedOperatorOnAMultivaluedKey(t *testing.T) {
	_, err := Evaluate(Request{Principal: role, Action: "ec2:CreateTags", Resource: "*", Multi: map[string][]string{"aws:TagKeys": {"a"}}},
		Policies{Identity: []Document{New(Statement{Effect: Allow, Action: []string{"*"}, Resource: []string{"*"}, Condition: Condition{"StringEquals": {"aws:TagKeys": {"a"}}}})}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ForAnyValue or ForAllValues")
}

func TestConditionValuesAndPrincipalsKeepIAMsForms(t *testing.T) {
	d := New(Statement{Effect: Allow, Principal: Everyone, Action: []string{"s3:GetObject"}, Resource: []string{"*"},
		Condition: Condition{"StringEquals": {"a": {"one"}, "b": {"x", "y"}}}})
	assert.Equal(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject"],"Resource":["*"],"Condition":{"StringEquals":{"a":"one","b":["x","y"]}}}]}`, d.JSON())
	back, err := Parse(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"n":3600}}}]}`)
	require.NoError(t, err)
	assert.Equal(t, Everyone, back.Statement[0].Principal)
	assert.Equal(t, Values{"false"}, back.Statement[0].Condition["Bool"]["aws:SecureTransport"])
	assert.Equal(t, Values{"3600"}, back.Statement[0].Condition["NumericLessThan"]["n"])
}

// evaluationCase is a request, the policies that apply to it, and the decision
// AWS's documented logic reaches.
type evaluationCase struct {
	name string
	req  Request
	pol  Policies
	want Decision
}

func evaluateAll(t *testing.T, cases []evaluationCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Evaluate(tc.req, tc.pol)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got.Decision, got.By)
		})
	}
}
