package awsfake

import (
	"context"
	"testing"

	"github.com/pulumi/pulumi/pkg/v3/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func create(t *testing.T, c *Cloud, urn, typ string, inputs resource.PropertyMap) plugin.CreateResponse {
	t.Helper()
	resp, err := c.provider().Create(context.Background(), plugin.CreateRequest{
		URN: resource.URN(urn), Type: tokens.Type(typ), Name: resource.URN(urn).Name(),
		Properties: resource.FromResourcePropertyMap(inputs),
	})
	require.NoError(t, err)
	return resp
}

func read(t *testing.T, c *Cloud, id resource.ID) plugin.ReadResponse {
	t.Helper()
	resp, err := c.provider().Read(context.Background(), plugin.ReadRequest{URN: fnURN, ID: id})
	require.NoError(t, err)
	return resp
}

const fnURN = "urn:pulumi:prod::compute::payments:compute:PaymentFunction$aws:lambda/function:Function::payment-processor"

func TestCreateAssignsIDsAndComputedOutputs(t *testing.T) {
	c := New("345678901234", "us-east-1")
	fn := create(t, c, fnURN, "aws:lambda/function:Function", resource.PropertyMap{"name": resource.NewStringProperty("payment-processor-prod-pay01")})
	assert.Equal(t, resource.ID("payment-processor-prod-pay01"), fn.ID, "functions are identified by name")
	out := resource.ToResourcePropertyMap(fn.Properties)
	assert.Equal(t, "arn:aws:lambda:us-east-1:345678901234:function:payment-processor-prod-pay01", out["arn"].StringValue())
	assert.NotEmpty(t, out["invokeArn"].StringValue())

	vpcURN := "urn:pulumi:prod::network::payments:network:Vpc$aws:ec2/vpc:Vpc::vpc"
	a := create(t, c, vpcURN, "aws:ec2/vpc:Vpc", resource.PropertyMap{"cidrBlock": resource.NewStringProperty("10.30.0.0/16")})
	assert.Regexp(t, `^vpc-[0-9a-f]{16}$`, string(a.ID))
	b := New("345678901234", "us-east-1")
	assert.Equal(t, a.ID, create(t, b, vpcURN, "aws:ec2/vpc:Vpc", resource.PropertyMap{}).ID, "ids derive from the URN: plans are reproducible")
	assert.Equal(t, []string{string(a.ID)}, c.GeneratedIDs(), "made-up ids are known; names are not")
}

func TestReadReflectsConsoleEditsAndDeletions(t *testing.T) {
	c := New("345678901234", "us-east-1")
	fn := create(t, c, fnURN, "aws:lambda/function:Function", resource.PropertyMap{
		"name": resource.NewStringProperty("payment-processor-prod-pay01"), "memorySize": resource.NewNumberProperty(2048),
	})
	require.NoError(t, c.Edit("aws:lambda/function:Function", "payment-processor", func(in resource.PropertyMap) {
		in["memorySize"] = resource.NewNumberProperty(128)
	}))
	got := read(t, c, fn.ID)
	require.NotNil(t, got.Inputs)
	assert.Equal(t, 128.0, resource.ToResourcePropertyMap(*got.Inputs)["memorySize"].NumberValue(), "inputs come from the live resource")

	require.NoError(t, c.Remove("aws:lambda/function:Function", "payment-processor"))
	assert.Nil(t, read(t, c, fn.ID).Outputs, "a deleted resource reads as gone")
	assert.Error(t, c.Remove("aws:lambda/function:Function", "payment-processor"))
	assert.Error(t, c.Edit("aws:s3/bucketV2:BucketV2", "nope", func(resource.PropertyMap) {}))
}

func TestDiffIsPerProperty(t *testing.T) {
	d := diff(resource.PropertyMap{"memorySize": resource.NewNumberProperty(2048), "runtime": resource.NewStringProperty("provided.al2023")},
		resource.PropertyMap{"memorySize": resource.NewNumberProperty(1024), "runtime": resource.NewStringProperty("provided.al2023")}, nil)
	assert.Equal(t, plugin.DiffSome, d.Changes)
	assert.Equal(t, []resource.PropertyKey{"memorySize"}, d.ChangedKeys)
	assert.Contains(t, d.DetailedDiff, "memorySize")
	assert.Equal(t, plugin.DiffNone, diff(resource.PropertyMap{"a": resource.NewStringProperty("x")}, resource.PropertyMap{"a": resource.NewStringProperty("x")}, nil).Changes)
}

func TestUnknownInvokeIsAnError(t *testing.T) {
	_, err := New("1", "us-east-1").invoke("aws:ec2/getAmi:getAmi", property.Map{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not implemented")
}
