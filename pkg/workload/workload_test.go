package workload

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/naming"
)

// The boundary is a managed policy: IAM refuses one over 6,144 characters.
// Built with the longest suffix a stack may have, it also proves every name
// the boundary derives fits its service's limits (Environment panics on one
// that does not).
func TestBoundaryFitsIAMsManagedPolicyLimit(t *testing.T) {
	e := Environment{
		Scope:  iampolicy.Scope{Region: "us-east-1", Account: "123456789012"},
		Names:  naming.New("staging", "abcdefghijkl"),
		KeyArn: "arn:aws:kms:us-east-1:123456789012:key/0123abcd-0123-abcd-0123-0123456789ab",
	}
	doc := Boundary(e, "audit/").JSON()
	assert.LessOrEqual(t, len(doc), 6144)
	t.Logf("boundary: %d of 6,144 characters", len(doc))
}

// Every allow statement of the boundary is a role grant: the boundary allows
// nothing no workload role asks for.
func TestBoundaryAllowsExactlyTheWorkloadsGrants(t *testing.T) {
	e := Environment{Scope: iampolicy.Scope{Region: "us-east-1", Account: "123456789012"}, Names: naming.New("prod", "pay01"), KeyArn: "arn:aws:kms:us-east-1:123456789012:key/k"}
	var actions []string
	for _, s := range Boundary(e, "audit/").Statement {
		if s.Effect == iampolicy.Allow {
			actions = append(actions, s.Action...)
		}
	}
	assert.ElementsMatch(t, []string{
		"dynamodb:GetItem", "dynamodb:PutItem", "s3:PutObject",
		"logs:CreateLogStream", "logs:PutLogEvents",
		"kms:Decrypt", "kms:GenerateDataKey", "kms:Decrypt", "kms:GenerateDataKey",
		"ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
		"ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:UnassignPrivateIpAddresses",
		"xray:PutTelemetryRecords", "xray:PutTraceSegments",
		"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents",
	}, actions)
}
