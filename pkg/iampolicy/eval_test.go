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
	cases := []struct {
		name string
		req  Request
		pol  Policies
		want Decision
	}{
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
			Policies{Identity: []Document{allowAll, New(Statement{Effect: Deny, Action: []string{"*"}, Resource: []string{"*"}, Condition: map[string]map[string]string{"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}})}}, ExplicitDeny},
		{"StringNotEquals holds when the key is missing", Request{Principal: role, Action: "s3:GetObject", Resource: bucketA + "/k"},
			Policies{Identity: []Document{allowAll, New(Statement{Effect: Deny, Action: []string{"*"}, Resource: []string{"*"}, Condition: map[string]map[string]string{"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}})}}, ExplicitDeny},
		{"StringEquals fails when the key is missing", Request{Principal: role, Action: "iam:CreateRole", Resource: "arn:aws:iam::111122223333:role/x"},
			Policies{Identity: []Document{New(Statement{Effect: Allow, Action: []string{"iam:CreateRole"}, Resource: []string{"*"}, Condition: map[string]map[string]string{"StringEquals": {"iam:PermissionsBoundary": "arn:b"}}})}}, ImplicitDeny},
		{"IfExists holds when the key is missing", Request{Principal: role, Action: "xray:PutTraceSegments", Resource: "*"},
			Policies{Identity: []Document{New(Statement{Effect: Allow, Action: []string{"xray:*"}, Resource: []string{"*"}, Condition: map[string]map[string]string{"StringEqualsIfExists": {"aws:ResourceAccount": account}}})}}, Allowed},
		{"IfExists still tests a present key", Request{Principal: role, Action: "s3:GetObject", Resource: bucketA + "/k", Context: map[string]string{"aws:ResourceAccount": "999988887777"}},
			Policies{Identity: []Document{New(Statement{Effect: Allow, Action: []string{"s3:*"}, Resource: []string{"*"}, Condition: map[string]map[string]string{"StringEqualsIfExists": {"aws:ResourceAccount": account}}})}}, ImplicitDeny},
		{"ArnLike with a wildcard", Request{Principal: "logs.us-east-1.amazonaws.com", Action: "kms:GenerateDataKey", Resource: keyArn, Context: map[string]string{"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/x"}},
			Policies{Resource: ptr(New(Statement{Effect: Allow, Principal: map[string]Strings{"Service": {"logs.us-east-1.amazonaws.com"}}, Action: []string{"kms:GenerateDataKey*"}, Resource: []string{"*"}, Condition: map[string]map[string]string{"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:111122223333:log-group:*"}}})), Account: account}, Allowed},
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
			Policies{Identity: []Document{allowAll}, Resource: ptr(New(Statement{Effect: Deny, Principal: map[string]Strings{"AWS": {"*"}}, Action: []string{"s3:*"}, Resource: []string{bucketA + "/*"}, Condition: map[string]map[string]string{"Bool": {"aws:SecureTransport": "false"}}}))}, ExplicitDeny},
		{"Null true means absent", Request{Principal: role, Action: "s3:GetObject", Resource: bucketA + "/k"},
			Policies{Identity: []Document{allowAll, New(Statement{Effect: Deny, Action: []string{"*"}, Resource: []string{"*"}, Condition: map[string]map[string]string{"Null": {"aws:SourceVpc": "true"}}})}}, ExplicitDeny},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Evaluate(tc.req, tc.pol)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got.Decision, got.By)
		})
	}
}

func TestEvaluateRefusesWhatItDoesNotImplement(t *testing.T) {
	_, err := Evaluate(Request{Principal: role, Action: "s3:GetObject", Resource: bucketA, Context: map[string]string{"aws:CurrentTime": "x"}},
		Policies{Identity: []Document{New(Statement{Effect: Allow, Action: []string{"*"}, Resource: []string{"*"}, Condition: map[string]map[string]string{"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}})}})
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
