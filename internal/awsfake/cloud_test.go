package awsfake

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/pkg/v3/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/fixture"
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
	c := New(fixture.ProdAccount, "us-east-1")
	fn := create(t, c, fnURN, "aws:lambda/function:Function", resource.PropertyMap{"name": resource.NewStringProperty("payment-processor-prod-" + fixture.ProdSuffix)})
	assert.Equal(t, resource.ID("payment-processor-prod-"+fixture.ProdSuffix), fn.ID, "functions are identified by name")
	out := resource.ToResourcePropertyMap(fn.Properties)
	assert.Equal(t, "arn:aws:lambda:us-east-1:"+fixture.ProdAccount+":function:payment-processor-prod-"+fixture.ProdSuffix, out["arn"].StringValue())
	assert.NotEmpty(t, out["invokeArn"].StringValue())

	vpcURN := "urn:pulumi:prod::network::payments:network:Vpc$aws:ec2/vpc:Vpc::vpc"
	a := create(t, c, vpcURN, "aws:ec2/vpc:Vpc", resource.PropertyMap{"cidrBlock": resource.NewStringProperty("10.30.0.0/16")})
	assert.Regexp(t, `^vpc-[0-9a-f]{16}$`, string(a.ID))
	b := New(fixture.ProdAccount, "us-east-1")
	assert.Equal(t, a.ID, create(t, b, vpcURN, "aws:ec2/vpc:Vpc", resource.PropertyMap{}).ID, "ids derive from the URN: plans are reproducible")
	assert.Equal(t, []string{string(a.ID)}, c.GeneratedIDs(), "made-up ids are known; names are not")
}

func TestReadReflectsConsoleEditsAndDeletions(t *testing.T) {
	c := New(fixture.ProdAccount, "us-east-1")
	fn := create(t, c, fnURN, "aws:lambda/function:Function", resource.PropertyMap{
		"name": resource.NewStringProperty("payment-processor-prod-" + fixture.ProdSuffix), "memorySize": resource.NewNumberProperty(2048),
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
	d := diff("aws:lambda/function:Function", resource.PropertyMap{"memorySize": resource.NewNumberProperty(2048), "runtime": resource.NewStringProperty("provided.al2023")},
		resource.PropertyMap{"memorySize": resource.NewNumberProperty(1024), "runtime": resource.NewStringProperty("provided.al2023")}, nil)
	assert.Equal(t, plugin.DiffSome, d.Changes)
	assert.Equal(t, []resource.PropertyKey{"memorySize"}, d.ChangedKeys)
	assert.Contains(t, d.DetailedDiff, "memorySize")
	assert.Empty(t, d.ReplaceKeys, "memory changes in place")
	assert.Equal(t, plugin.DiffNone, diff("aws:lambda/function:Function", resource.PropertyMap{"a": resource.NewStringProperty("x")}, resource.PropertyMap{"a": resource.NewStringProperty("x")}, nil).Changes)
}

func TestUnknownInvokeIsAnError(t *testing.T) {
	_, err := New("1", "us-east-1").invoke("aws:ec2/getAmi:getAmi", property.Map{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not implemented")
}

func TestChangesAWSCannotMakeInPlaceAreReplacements(t *testing.T) {
	str := resource.NewStringProperty
	cases := []struct {
		name, typ  string
		old, new   resource.PropertyMap
		replaceKey resource.PropertyKey // "" for an update
	}{
		{"renamed table", "aws:dynamodb/table:Table",
			resource.PropertyMap{"name": str("transactions-prod-" + fixture.ProdSuffix)}, resource.PropertyMap{"name": str("transactions-prod-pay02")}, "name"},
		{"new key schema", "aws:dynamodb/table:Table",
			resource.PropertyMap{"name": str("t"), "hashKey": str("transactionId")}, resource.PropertyMap{"name": str("t"), "hashKey": str("id")}, "hashKey"},
		{"table capacity", "aws:dynamodb/table:Table",
			resource.PropertyMap{"name": str("t"), "readCapacity": resource.NewNumberProperty(5)}, resource.PropertyMap{"name": str("t"), "readCapacity": resource.NewNumberProperty(25)}, ""},
		{"renamed bucket", "aws:s3/bucketV2:BucketV2",
			resource.PropertyMap{"bucket": str("audit-logs-prod-" + fixture.ProdSuffix)}, resource.PropertyMap{"bucket": str("audit-logs-prod-pay02")}, "bucket"},
		{"bucket tags", "aws:s3/bucketV2:BucketV2",
			resource.PropertyMap{"bucket": str("b"), "forceDestroy": resource.NewBoolProperty(true)}, resource.PropertyMap{"bucket": str("b"), "forceDestroy": resource.NewBoolProperty(false)}, ""},
		{"versioning of another bucket", "aws:s3/bucketVersioningV2:BucketVersioningV2",
			resource.PropertyMap{"bucket": str("a")}, resource.PropertyMap{"bucket": str("b")}, "bucket"},
		{"dashboard renamed", "aws:cloudwatch/dashboard:Dashboard",
			resource.PropertyMap{"dashboardName": str("a")}, resource.PropertyMap{"dashboardName": str("b")}, "dashboardName"},
		{"subnet cidr", "aws:ec2/subnet:Subnet",
			resource.PropertyMap{"cidrBlock": str("10.30.0.0/24")}, resource.PropertyMap{"cidrBlock": str("10.31.0.0/24")}, "cidrBlock"},
		{"vpc in preview, id not yet known", "aws:ec2/subnet:Subnet",
			resource.PropertyMap{"vpcId": str("vpc-1")}, resource.PropertyMap{"vpcId": resource.MakeComputed(str(""))}, "vpcId"},
		{"route to another nat", "aws:ec2/route:Route",
			resource.PropertyMap{"natGatewayId": str("nat-1")}, resource.PropertyMap{"natGatewayId": str("nat-2")}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := diff(tc.typ, tc.old, tc.new, nil)
			require.Equal(t, plugin.DiffSome, d.Changes)
			if tc.replaceKey == "" {
				assert.Empty(t, d.ReplaceKeys)
				return
			}
			assert.Equal(t, []resource.PropertyKey{tc.replaceKey}, d.ReplaceKeys)
			assert.True(t, d.DetailedDiff[string(tc.replaceKey)].Kind.IsReplace(), "the detailed diff marks the property as replacing")
		})
	}
}

func TestReplacementsGetNewIDsAndNamesAreUnique(t *testing.T) {
	c := New(fixture.ProdAccount, "us-east-1")
	vpcURN := "urn:pulumi:prod::network::payments:network:Vpc$aws:ec2/vpc:Vpc::vpc"
	first := create(t, c, vpcURN, "aws:ec2/vpc:Vpc", resource.PropertyMap{"cidrBlock": resource.NewStringProperty("10.30.0.0/16")})
	second := create(t, c, vpcURN, "aws:ec2/vpc:Vpc", resource.PropertyMap{"cidrBlock": resource.NewStringProperty("10.31.0.0/16")})
	assert.NotEqual(t, first.ID, second.ID, "a replacement (same URN) exists beside the old resource until that is deleted")
	assert.Len(t, c.Resources(), 2)

	table := resource.PropertyMap{"name": resource.NewStringProperty("transactions-prod-" + fixture.ProdSuffix)}
	tableURN := "urn:pulumi:prod::data::payments:data:TransactionsTable$aws:dynamodb/table:Table::transactions"
	create(t, c, tableURN, "aws:dynamodb/table:Table", table)
	_, err := c.provider().Create(context.Background(), plugin.CreateRequest{
		URN: resource.URN(tableURN), Type: "aws:dynamodb/table:Table", Name: "transactions", Properties: resource.FromResourcePropertyMap(table),
	})
	require.Error(t, err, "AWS refuses a second table of the same name")
	assert.Contains(t, err.Error(), "Table transactions-prod-"+fixture.ProdSuffix+" already exists")
}

func TestANonEmptyBucketIsDeletedOnlyWithForceDestroy(t *testing.T) {
	const bucketURN = "urn:pulumi:dev::data::payments:data:AuditBucket$aws:s3/bucketV2:BucketV2::audit-logs"
	for _, force := range []bool{false, true} {
		c := New(fixture.DevAccount, "us-east-1")
		b := create(t, c, bucketURN, "aws:s3/bucketV2:BucketV2", resource.PropertyMap{
			"bucket": resource.NewStringProperty("audit-logs-dev-" + fixture.DevSuffix), "forceDestroy": resource.NewBoolProperty(force),
		})
		require.NoError(t, c.PutObject("audit-logs-dev-"+fixture.DevSuffix, "audit/x.json", time.Now()))
		assert.Equal(t, "", c.Objects("audit-logs-dev-" + fixture.DevSuffix)[0].Mode, "no lock configuration, no retention")
		_, err := c.provider().Delete(context.Background(), plugin.DeleteRequest{URN: bucketURN, ID: b.ID, Type: "aws:s3/bucketV2:BucketV2"})
		if force {
			require.NoError(t, err)
			assert.Empty(t, c.Resources())
		} else {
			require.Error(t, err)
			assert.Contains(t, err.Error(), "BucketNotEmpty")
		}
	}
}

// The stand-in stores no policy document AWS would refuse: a customer RCP
// that allows, a trust policy naming a resource, a role's inline policies
// over their shared size limit. Each is refused on create, naming the
// document and the rule, and nothing is created.
func TestAPolicyDocumentAWSWouldRefuseIsRefused(t *testing.T) {
	c := New(fixture.ProdAccount, "us-east-1")
	ask := func(typ, name string, inputs resource.PropertyMap) error {
		_, err := c.provider().Create(context.Background(), plugin.CreateRequest{
			URN: resource.URN("urn:pulumi:prod::bootstrap::" + typ + "::" + name), Type: tokens.Type(typ), Name: name,
			Properties: resource.FromResourcePropertyMap(inputs),
		})
		return err
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`
	err := ask("aws:iam/role:Role", "fn", resource.PropertyMap{"name": resource.NewStringProperty("fn"), "assumeRolePolicy": resource.NewStringProperty(trust)})
	require.ErrorIs(t, err, ErrMalformedPolicy)
	assert.Contains(t, err.Error(), "Role fn (trust policy) statement #0: a statement has Resource or NotResource, not both (a trust policy has neither)")
	assert.Empty(t, c.Resources(), "nothing is created")

	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":["` + strings.Repeat("arn:aws:s3:::b/", 400) + `"]}]}`
	for i, name := range []string{"one", "two"} {
		err := ask("aws:iam/rolePolicy:RolePolicy", name, resource.PropertyMap{"role": resource.NewStringProperty("deployer"), "name": resource.NewStringProperty(name), "policy": resource.NewStringProperty(big)})
		if i == 0 {
			require.NoError(t, err, "one policy of 6,000 characters fits")
			continue
		}
		require.Error(t, err, "two of them exceed the 10,240 characters a role's inline policies share")
		assert.Contains(t, err.Error(), "LimitExceeded: the inline policies of deployer (inline policy): the document fits its kind's size limit")
	}
}
