package access

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/acmepay/platform/pkg/iampolicy"
)

// SimulatorAPI is the part of the IAM client the simulator calls.
type SimulatorAPI interface {
	SimulateCustomPolicy(ctx context.Context, in *iam.SimulateCustomPolicyInput, opts ...func(*iam.Options)) (*iam.SimulateCustomPolicyOutput, error)
}

// Simulator asks AWS's own policy simulator (iam:SimulateCustomPolicy) the
// questions the offline evaluator answers, with the same documents: the
// role's policies, its boundary, and the resource's policy. It needs
// credentials allowed iam:SimulateCustomPolicy, which reads nothing of the
// account.
type Simulator struct {
	Client SimulatorAPI
}

// booleanKeys are the condition keys the simulator wants typed as booleans.
var booleanKeys = map[string]bool{"aws:SecureTransport": true, "aws:MultiFactorAuthPresent": true, "aws:ViaAWSService": true}

// Ask returns AWS's decision on a role's question. Questions asked as a
// service principal cannot be simulated and are refused.
func (s Simulator) Ask(ctx context.Context, e *Environment, q Question) (iampolicy.Decision, error) {
	if q.Service != "" {
		return "", fmt.Errorf("%s: the simulator cannot act as a service principal", q)
	}
	role, ok := e.Roles[q.Role]
	if !ok {
		return "", fmt.Errorf("no role %q in the environment", q.Role)
	}
	identity := role.Identity
	if q.AllowAll {
		identity = []iampolicy.Document{AllowAllPolicy}
	}
	in := &iam.SimulateCustomPolicyInput{
		ActionNames:  []string{q.Action},
		ResourceArns: []string{q.Resource},
		CallerArn:    aws.String(role.Arn),
	}
	for _, d := range identity {
		in.PolicyInputList = append(in.PolicyInputList, d.JSON())
	}
	if role.Boundary != nil {
		in.PermissionsBoundaryPolicyInputList = []string{role.Boundary.JSON()}
	}
	if rp := e.resourcePolicy(q.Resource); rp != nil {
		in.ResourcePolicy = aws.String(rp.JSON())
		in.ResourceOwner = aws.String(iampolicy.Scope{Account: e.Account}.AccountRoot())
	}
	ctxKeys := map[string]string{"aws:RequestedRegion": e.Region, "aws:ResourceAccount": e.Account}
	for k, v := range q.Context {
		ctxKeys[k] = v
	}
	for k, v := range ctxKeys {
		if v == "" {
			continue
		}
		typ := iamtypes.ContextKeyTypeEnumString
		if booleanKeys[k] {
			typ = iamtypes.ContextKeyTypeEnumBoolean
		}
		in.ContextEntries = append(in.ContextEntries, iamtypes.ContextEntry{
			ContextKeyName: aws.String(k), ContextKeyType: typ, ContextKeyValues: []string{v},
		})
	}
	out, err := s.Client.SimulateCustomPolicy(ctx, in)
	if err != nil {
		return "", fmt.Errorf("%s: %w", q, err)
	}
	if len(out.EvaluationResults) != 1 {
		return "", fmt.Errorf("%s: %d evaluation results, want 1", q, len(out.EvaluationResults))
	}
	switch d := strings.ToLower(string(out.EvaluationResults[0].EvalDecision)); d {
	case "allowed":
		return iampolicy.Allowed, nil
	case "explicitdeny":
		return iampolicy.ExplicitDeny, nil
	case "implicitdeny":
		return iampolicy.ImplicitDeny, nil
	default:
		return "", fmt.Errorf("%s: unknown decision %q", q, d)
	}
}
