package component_test

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/appautoscaling"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/awstype"
)

// providerResources are the provider SDK's resource types, by token: the
// property names a registry entry speaks of must be theirs.
var providerResources = map[string]any{
	"aws:appautoscaling/policy:Policy":                                       appautoscaling.Policy{},
	"aws:appautoscaling/target:Target":                                       appautoscaling.Target{},
	"aws:cloudwatch/dashboard:Dashboard":                                     cloudwatch.Dashboard{},
	"aws:cloudwatch/logGroup:LogGroup":                                       cloudwatch.LogGroup{},
	"aws:cloudwatch/metricAlarm:MetricAlarm":                                 cloudwatch.MetricAlarm{},
	"aws:dynamodb/resourcePolicy:ResourcePolicy":                             dynamodb.ResourcePolicy{},
	"aws:dynamodb/table:Table":                                               dynamodb.Table{},
	"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":                      ec2.DefaultSecurityGroup{},
	"aws:ec2/eip:Eip":                                                        ec2.Eip{},
	"aws:ec2/flowLog:FlowLog":                                                ec2.FlowLog{},
	"aws:ec2/internetGateway:InternetGateway":                                ec2.InternetGateway{},
	"aws:ec2/natGateway:NatGateway":                                          ec2.NatGateway{},
	"aws:ec2/route:Route":                                                    ec2.Route{},
	"aws:ec2/routeTable:RouteTable":                                          ec2.RouteTable{},
	"aws:ec2/routeTableAssociation:RouteTableAssociation":                    ec2.RouteTableAssociation{},
	"aws:ec2/securityGroup:SecurityGroup":                                    ec2.SecurityGroup{},
	"aws:ec2/subnet:Subnet":                                                  ec2.Subnet{},
	"aws:ec2/vpc:Vpc":                                                        ec2.Vpc{},
	"aws:ec2/vpcEndpoint:VpcEndpoint":                                        ec2.VpcEndpoint{},
	"aws:iam/openIdConnectProvider:OpenIdConnectProvider":                    iam.OpenIdConnectProvider{},
	"aws:iam/policy:Policy":                                                  iam.Policy{},
	"aws:iam/role:Role":                                                      iam.Role{},
	"aws:iam/rolePolicy:RolePolicy":                                          iam.RolePolicy{},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment":                      iam.RolePolicyAttachment{},
	"aws:kms/alias:Alias":                                                    kms.Alias{},
	"aws:kms/key:Key":                                                        kms.Key{},
	"aws:lambda/function:Function":                                           lambda.Function{},
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2":   s3.BucketLifecycleConfigurationV2{},
	"aws:s3/bucketLoggingV2:BucketLoggingV2":                                 s3.BucketLoggingV2{},
	"aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2": s3.BucketObjectLockConfigurationV2{},
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls":                 s3.BucketOwnershipControls{},
	"aws:s3/bucketPolicy:BucketPolicy":                                       s3.BucketPolicy{},
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":                 s3.BucketPublicAccessBlock{},
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": s3.BucketServerSideEncryptionConfigurationV2{},
	"aws:s3/bucketV2:BucketV2":                     s3.BucketV2{},
	"aws:s3/bucketVersioningV2:BucketVersioningV2": s3.BucketVersioningV2{},
	"aws:sns/topic:Topic":                          sns.Topic{},
	"aws:sns/topicPolicy:TopicPolicy":              sns.TopicPolicy{},
	"aws:sns/topicSubscription:TopicSubscription":  sns.TopicSubscription{},
	"aws:ssm/parameter:Parameter":                  ssm.Parameter{},
}

// Every property a registry entry names (its name input, the inputs whose
// change replaces it, the inputs whose change makes a call, its policy
// document, the settings a plan shows and adoption maps, the inputs a call
// reaches another resource by) is a property of the provider's resource,
// as the pulumi-aws SDK declares it. A misspelt one would silently drop a
// call from the stand-in's IAM checks, or a setting from adoption.
func TestEveryPropertyARegistryEntryNamesIsTheProviders(t *testing.T) {
	leading := regexp.MustCompile(`^[a-zA-Z]+`)
	checked := 0
	for _, ty := range awstype.All() {
		res, ok := providerResources[ty.Token]
		require.True(t, ok, "%s: add the SDK's resource type to this test's table", ty.Token)
		props := map[string]bool{}
		rt := reflect.TypeOf(res)
		for i := range rt.NumField() {
			if tag := rt.Field(i).Tag.Get("pulumi"); tag != "" {
				props[tag] = true
			}
		}
		require.NotEmpty(t, props, ty.Token)
		var named []string
		if ty.IDIsName || ty.NameInput != "" {
			named = append(named, ty.NameKey())
		}
		named = append(named, ty.Immutable...)
		for input := range ty.Calls.UpdateWhen {
			named = append(named, input)
		}
		if ty.Document != nil {
			named = append(named, ty.Document.Input)
		}
		named = append(named, ty.Summary...)
		for _, s := range ty.Settings {
			named = append(named, leading.FindString(strings.Trim(s.Path.String(), "^(")))
		}
		for _, op := range [][]awstype.Call{ty.Calls.Create, ty.Calls.Read, ty.Calls.Update, ty.Calls.Delete} {
			for _, c := range op {
				if c.On.Input != "" && c.On.Input != awstype.Objects {
					named = append(named, c.On.Input)
				}
			}
		}
		for _, path := range named {
			first := leading.FindString(path)
			assert.True(t, props[first], "%s names %q, which the provider's resource does not have", ty.Token, path)
			checked++
		}
	}
	assert.Greater(t, checked, 80)
	t.Logf("%d property names checked against the provider SDK", checked)
}
