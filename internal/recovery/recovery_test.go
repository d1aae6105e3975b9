package recovery

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	tagging "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	taggingtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type taggingStub struct {
	in   *tagging.GetResourcesInput
	arns []string
}

func (s *taggingStub) GetResources(_ context.Context, in *tagging.GetResourcesInput, _ ...func(*tagging.Options)) (*tagging.GetResourcesOutput, error) {
	s.in = in
	out := &tagging.GetResourcesOutput{}
	for _, a := range s.arns {
		out.ResourceTagMappingList = append(out.ResourceTagMappingList, taggingtypes.ResourceTagMapping{ResourceARN: aws.String(a)})
	}
	return out, nil
}

func TestAWSFinderAsksByNameAndEnvironmentAndReadsTheProviderID(t *testing.T) {
	// The filters are the Resource Groups Tagging API's resource types
	// ("service:resourcetype", or the service alone for S3 and SNS).
	cases := []struct{ typ, filter, arn, id string }{
		{"aws:ec2/natGateway:NatGateway", "ec2:natgateway", "arn:aws:ec2:us-east-1:111111111111:natgateway/nat-0abc", "nat-0abc"},
		{"aws:lambda/function:Function", "lambda:function", "arn:aws:lambda:us-east-1:111111111111:function:payment-processor-dev", "payment-processor-dev"},
		{"aws:cloudwatch/logGroup:LogGroup", "logs:log-group", "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/p:*", "/aws/lambda/p"},
		{"aws:sns/topic:Topic", "sns", "arn:aws:sns:us-east-1:111111111111:alarms-dev", "arn:aws:sns:us-east-1:111111111111:alarms-dev"},
		{"aws:s3/bucketV2:BucketV2", "s3", "arn:aws:s3:::audit-dev", "audit-dev"},
		{"aws:kms/key:Key", "kms:key", "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab", "1234abcd-12ab"},
		{"aws:dynamodb/table:Table", "dynamodb:table", "arn:aws:dynamodb:us-east-1:111111111111:table/transactions-dev", "transactions-dev"},
		{"aws:cloudwatch/metricAlarm:MetricAlarm", "cloudwatch:alarm", "arn:aws:cloudwatch:us-east-1:111111111111:alarm:payments-errors-dev", "payments-errors-dev"},
		{"aws:ec2/flowLog:FlowLog", "ec2:vpc-flow-log", "arn:aws:ec2:us-east-1:111111111111:vpc-flow-log/fl-0abc", "fl-0abc"},
	}
	for _, c := range cases {
		stub := &taggingStub{arns: []string{c.arn}}
		id, err := AWS{API: stub, Environment: "dev"}.Find(context.Background(), c.typ, "the-name")
		require.NoError(t, err)
		assert.Equal(t, c.id, id, c.typ)
		assert.Equal(t, []string{c.filter}, stub.in.ResourceTypeFilters)
		require.Len(t, stub.in.TagFilters, 2)
		assert.Equal(t, "Name", aws.ToString(stub.in.TagFilters[0].Key))
		assert.Equal(t, []string{"the-name"}, stub.in.TagFilters[0].Values)
		assert.Equal(t, []string{"dev"}, stub.in.TagFilters[1].Values)
	}
}

func TestFindersNeverGuess(t *testing.T) {
	_, err := AWS{API: &taggingStub{}}.Find(context.Background(), "aws:ec2/route:Route", "x")
	assert.True(t, errors.Is(err, ErrCannotFind), "a route has no name to find it by")
	_, err = AWS{API: &taggingStub{}}.Find(context.Background(), "aws:ec2/vpc:Vpc", "vpc-dev")
	require.ErrorIs(t, err, ErrNotProvenAbsent, "the tagging API's empty answer proves nothing")
	_, err = AWS{API: &taggingStub{arns: []string{"arn:aws:ec2:r:1:vpc/vpc-1", "arn:aws:ec2:r:1:vpc/vpc-2"}}}.Find(context.Background(), "aws:ec2/vpc:Vpc", "vpc-dev")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "2 resources of aws:ec2/vpc:Vpc are named \"vpc-dev\" (vpc-1, vpc-2)")
	_, err = Cloud{Lookup: func(string, string) []string { return []string{"x"} }}.Find(context.Background(), "aws:ec2/route:Route", "r")
	assert.True(t, errors.Is(err, ErrCannotFind), "the stand-in finds no more than AWS can")
}

func TestResolveDeployment(t *testing.T) {
	res := func(urn string) apitype.ResourceV3 {
		return apitype.ResourceV3{URN: resource.URN(urn), Type: "aws:ec2/natGateway:NatGateway", Custom: true,
			Inputs: map[string]any{"tags": map[string]any{"Name": urn}}}
	}
	dep := apitype.DeploymentV3{
		Resources: []apitype.ResourceV3{res("a")},
		PendingOperations: []apitype.OperationV2{
			{Resource: res("b"), Type: apitype.OperationTypeCreating},
			{Resource: res("c"), Type: apitype.OperationTypeCreating},
			{Resource: res("a"), Type: apitype.OperationTypeUpdating},
		},
	}
	assert.Equal(t, []string{"b", "c", "a"}, names(PendingOf("network", dep)))
	require.NoError(t, ResolveDeployment(&dep, []Resolution{{URN: "b", Action: Adopt, ID: "nat-1"}, {URN: "c", Action: Clear}}))
	require.Len(t, dep.Resources, 2)
	assert.Equal(t, "nat-1", string(dep.Resources[1].ID))
	require.Len(t, dep.PendingOperations, 1, "the pending update is left to the refresh")
	assert.Equal(t, apitype.OperationTypeUpdating, dep.PendingOperations[0].Type)

	err := ResolveDeployment(&dep, []Resolution{{URN: "z", Action: Clear}})
	assert.EqualError(t, err, "no pending create of z in the state")
}

func names(ps []Pending) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}
