package recovery

import (
	"archive/zip"
	"bytes"
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dynamotypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	tagging "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/moto"
)

// The AWS finder against moto's APIs, the second cloud: what a killed run
// may leave (a bucket created but never tagged, a table, a function, a VPC
// tagged at creation, a key) is found by the service's own read of its
// name, and what is not there is proven absent only by such a read. A type
// found only through the Resource Groups Tagging API is never proven
// absent, and an API that fails is an error, never "not found".
func TestTheAWSFinderAgainstMoto(t *testing.T) {
	ctx := context.Background()
	s := moto.Start(t, "123456789012")
	cfg := s.DefaultConfig()
	name := func(k, v string) []ec2types.TagSpecification {
		return []ec2types.TagSpecification{{ResourceType: ec2types.ResourceType(k), Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(v)}, {Key: aws.String("Environment"), Value: aws.String("dev")}}}}
	}

	_, err := s3.NewFromConfig(cfg).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("audit-logs-dev-pay01")})
	require.NoError(t, err, "a bucket whose PutBucketTagging the kill prevented")
	_, err = dynamodb.NewFromConfig(cfg).CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("transactions-dev-pay01"), BillingMode: dynamotypes.BillingModePayPerRequest,
		AttributeDefinitions: []dynamotypes.AttributeDefinition{{AttributeName: aws.String("transactionId"), AttributeType: dynamotypes.ScalarAttributeTypeS}},
		KeySchema:            []dynamotypes.KeySchemaElement{{AttributeName: aws.String("transactionId"), KeyType: dynamotypes.KeyTypeHash}}})
	require.NoError(t, err)
	role, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("fn"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	require.NoError(t, err)
	_, err = lambda.NewFromConfig(cfg).CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("payment-processor-dev-pay01"), Role: role.Role.Arn,
		Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"), Architectures: []lambdatypes.Architecture{lambdatypes.ArchitectureArm64},
		Code: &lambdatypes.FunctionCode{ZipFile: emptyZip(t)}})
	require.NoError(t, err)
	vpc, err := ec2.NewFromConfig(cfg).CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.10.0.0/16"), TagSpecifications: name("vpc", "vpc-dev-pay01")})
	require.NoError(t, err)
	_, err = kms.NewFromConfig(cfg).CreateKey(ctx, &kms.CreateKeyInput{Tags: []kmstypes.Tag{{TagKey: aws.String("Name"), TagValue: aws.String("key-dev-pay01")}, {TagKey: aws.String("Environment"), TagValue: aws.String("dev")}}})
	require.NoError(t, err)

	f := AWS{API: tagging.NewFromConfig(cfg), Names: NewNameAPIs(cfg), Environment: "dev"}
	for _, c := range []struct{ typ, name, id string }{
		{"aws:s3/bucketV2:BucketV2", "audit-logs-dev-pay01", "audit-logs-dev-pay01"},
		{"aws:dynamodb/table:Table", "transactions-dev-pay01", "transactions-dev-pay01"},
		{"aws:lambda/function:Function", "payment-processor-dev-pay01", "payment-processor-dev-pay01"},
		{"aws:ec2/vpc:Vpc", "vpc-dev-pay01", aws.ToString(vpc.Vpc.VpcId)},
	} {
		id, err := f.Find(ctx, c.typ, c.name)
		require.NoError(t, err, c.typ)
		assert.Equal(t, c.id, id, "%s is found by its name", c.typ)
		id, err = f.Find(ctx, c.typ, c.name+"x")
		require.NoError(t, err, c.typ)
		assert.Empty(t, id, "%s: the service's own read proves the other name absent", c.typ)
	}
	_, err = AWS{API: tagging.NewFromConfig(cfg), Environment: "dev"}.Find(ctx, "aws:s3/bucketV2:BucketV2", "audit-logs-dev-pay01")
	require.ErrorIs(t, err, ErrNotProvenAbsent, "the untagged bucket is invisible to the tagging API, which must not clear it")

	id, err := f.Find(ctx, "aws:kms/key:Key", "key-dev-pay01")
	require.NoError(t, err)
	assert.NotEmpty(t, id, "a key is found through the tagging API")
	_, err = f.Find(ctx, "aws:kms/key:Key", "key-dev-pay02")
	require.ErrorIs(t, err, ErrNotProvenAbsent, "and its absence there proves nothing")

	down := moto.Start(t, "123456789012")
	gone := down.DefaultConfig()
	down.Stop()
	_, err = AWS{API: tagging.NewFromConfig(gone), Names: NewNameAPIs(gone), Environment: "dev"}.Find(ctx, "aws:dynamodb/table:Table", "transactions-dev-pay01")
	require.Error(t, err, "a cloud that does not answer")
	assert.NotErrorIs(t, err, ErrNotProvenAbsent)
	assert.Contains(t, err.Error(), "looking aws:dynamodb/table:Table \"transactions-dev-pay01\" up by name")
}

func emptyZip(t *testing.T) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	f, err := w.Create("bootstrap")
	require.NoError(t, err)
	_, err = f.Write([]byte("#!/bin/sh\n"))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return b.Bytes()
}

// review:sweep's listing of what carries a review environment's expiry:
// the tagged resources of every type, whatever the tag's value, and not
// the others.
func TestTheTaggedListingAgainstMoto(t *testing.T) {
	ctx := context.Background()
	s := moto.Start(t, "123456789012")
	cfg := s.DefaultConfig()
	tag := func(env, expires string) []ec2types.TagSpecification {
		tags := []ec2types.Tag{{Key: aws.String("Environment"), Value: aws.String(env)}}
		if expires != "" {
			tags = append(tags, ec2types.Tag{Key: aws.String("Expires"), Value: aws.String(expires)})
		}
		return []ec2types.TagSpecification{{ResourceType: "vpc", Tags: tags}}
	}
	review, err := ec2.NewFromConfig(cfg).CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.90.0.0/16"), TagSpecifications: tag("pr-7", "2026-12-10T19:00:00Z")})
	require.NoError(t, err)
	_, err = ec2.NewFromConfig(cfg).CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.10.0.0/16"), TagSpecifications: tag("dev", "")})
	require.NoError(t, err)
	_, err = kms.NewFromConfig(cfg).CreateKey(ctx, &kms.CreateKeyInput{Tags: []kmstypes.Tag{{TagKey: aws.String("Environment"), TagValue: aws.String("pr-8")}, {TagKey: aws.String("Expires"), TagValue: aws.String("2026-12-11T08:00:00Z")}}})
	require.NoError(t, err)

	got, err := AWS{API: tagging.NewFromConfig(cfg)}.Tagged(ctx, "Expires")
	require.NoError(t, err)
	envs := map[string]string{}
	for _, r := range got {
		envs[r.Tags["Environment"]] = r.Tags["Expires"]
		if r.Tags["Environment"] == "pr-7" {
			assert.Contains(t, r.ARN, aws.ToString(review.Vpc.VpcId))
		}
	}
	assert.Equal(t, map[string]string{"pr-7": "2026-12-10T19:00:00Z", "pr-8": "2026-12-11T08:00:00Z"}, envs)

	down := moto.Start(t, "123456789012")
	gone := down.DefaultConfig()
	down.Stop()
	_, err = AWS{API: tagging.NewFromConfig(gone)}.Tagged(ctx, "Expires")
	require.Error(t, err, "a cloud that does not answer is an error, not an empty listing")
	assert.Contains(t, err.Error(), "tag:GetResources with the tag Expires")
}
