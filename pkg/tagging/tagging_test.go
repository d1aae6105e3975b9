package tagging

import (
	"reflect"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeArgs has the shape of every taggable AWS provider argument struct.
type fakeArgs struct {
	Name pulumi.StringInput
	Tags pulumi.StringMapInput
}

type untaggableArgs struct {
	Name pulumi.StringInput
}

func (*fakeArgs) ElementType() reflect.Type       { return reflect.TypeOf(fakeArgs{}) }
func (*untaggableArgs) ElementType() reflect.Type { return reflect.TypeOf(untaggableArgs{}) }

var std = Standard{Environment: "prod", CostCenter: "payments-prod", DataClassification: "restricted", Layer: "data"}

func TestAddsRequiredTagsAndKeepsOwnTags(t *testing.T) {
	args := &fakeArgs{Tags: pulumi.StringMap{"Name": pulumi.String("vpc-prod-pay01"), "Environment": pulumi.String("dev")}}
	res := Transformation(std)(&pulumi.ResourceTransformationArgs{Type: "aws:ec2/vpc:Vpc", Name: "vpc", Props: args})
	require.NotNil(t, res)
	tags, ok := args.Tags.(pulumi.StringMap)
	require.True(t, ok, "plain tags stay plain")
	assert.Equal(t, pulumi.StringMap{
		"Name":               pulumi.String("vpc-prod-pay01"),
		"Environment":        pulumi.String("prod"), // the required value wins
		"CostCenter":         pulumi.String("payments-prod"),
		"DataClassification": pulumi.String("restricted"),
		"Project":            pulumi.String("payments-platform"),
		"Layer":              pulumi.String("data"),
		"ManagedBy":          pulumi.String("pulumi"),
	}, tags)
}

func TestTagsResourcesWithoutOwnTags(t *testing.T) {
	args := &fakeArgs{}
	Transformation(std)(&pulumi.ResourceTransformationArgs{Props: args})
	tags, ok := args.Tags.(pulumi.StringMap)
	require.True(t, ok)
	assert.Len(t, tags, 6)
}

func TestLeavesUntaggableResourcesAlone(t *testing.T) {
	args := &untaggableArgs{Name: pulumi.String("x")}
	assert.Nil(t, Transformation(std)(&pulumi.ResourceTransformationArgs{Props: args}))
	assert.Nil(t, Transformation(std)(&pulumi.ResourceTransformationArgs{Props: nil}), "components have no props")
}

func TestRequiredKeys(t *testing.T) {
	assert.Equal(t, []string{"CostCenter", "DataClassification", "Environment", "Layer", "ManagedBy", "Project"}, Required())
}
