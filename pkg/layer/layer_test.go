package layer

import (
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/stacktest"
)

// program is a layer program in miniature: begin, two resources, finish.
func program(ctx *pulumi.Context) error {
	s, err := Begin(ctx, "network")
	if err != nil {
		return err
	}
	if _, err := ec2.NewVpc(ctx, "vpc", &ec2.VpcArgs{
		CidrBlock: pulumi.String("10.10.0.0/16"),
		Tags:      pulumi.StringMap{"Name": pulumi.String("vpc-" + s.Names.Env() + "-" + s.Names.Suffix())},
	}); err != nil {
		return err
	}
	if _, err := iam.NewRole(ctx, "role", &iam.RoleArgs{Name: pulumi.String("role-dev-" + fixture.DevSuffix), AssumeRolePolicy: pulumi.String("{}")}); err != nil {
		return err
	}
	s.Finish(ctx)
	return nil
}

func TestBeginTagsAndInventoriesEveryResource(t *testing.T) {
	res, err := stacktest.Run(program, stacktest.Options{Project: "network", Stack: "dev", Config: stacktest.StackConfig(t, "../../network", "dev", nil)})
	require.NoError(t, err)
	for _, r := range res.Resources {
		tags := r.Tags()
		assert.Equal(t, "dev", tags["Environment"], r.Name)
		assert.Equal(t, "network", tags["Layer"], r.Name)
	}
	inventory, ok := res.Exports["inventory"].([]any)
	require.True(t, ok, "the inventory is exported")
	assert.Equal(t, []any{
		map[string]any{"type": "aws:ec2/vpc:Vpc", "name": "vpc", "physicalName": "vpc-dev-" + fixture.DevSuffix, "settings": map[string]any{"cidrBlock": "10.10.0.0/16"}},
		map[string]any{"type": "aws:iam/role:Role", "name": "role", "physicalName": "role-dev-" + fixture.DevSuffix, "settings": map[string]any{"name": "role-dev-" + fixture.DevSuffix}},
	}, inventory)
}

func TestBadConfigIsRefusedBeforeAnyResource(t *testing.T) {
	cfg := stacktest.StackConfig(t, "../../network", "dev", map[string]string{"payments:environmentSuffix": "NOT VALID"})
	res, err := stacktest.Run(program, stacktest.Options{Project: "network", Stack: "dev", Config: cfg})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "network: ")
	assert.Contains(t, err.Error(), "NOT VALID")
	assert.Empty(t, res.Resources, "nothing was registered")
}
