package recovery

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dynamotypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/acmepay/platform/pkg/awstype"
	ptags "github.com/acmepay/platform/pkg/tagging"
)

// NameAPIs are the service reads that look a resource up by the name the
// code gave it. A nil one is not asked.
type NameAPIs struct {
	S3 interface {
		HeadBucket(context.Context, *s3.HeadBucketInput, ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
	}
	DynamoDB interface {
		DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	}
	Lambda interface {
		GetFunction(context.Context, *lambda.GetFunctionInput, ...func(*lambda.Options)) (*lambda.GetFunctionOutput, error)
	}
	EC2 interface {
		DescribeTags(context.Context, *ec2.DescribeTagsInput, ...func(*ec2.Options)) (*ec2.DescribeTagsOutput, error)
	}
}

// NewNameAPIs are the clients of a configuration.
func NewNameAPIs(cfg aws.Config) NameAPIs {
	return NameAPIs{S3: s3.NewFromConfig(cfg), DynamoDB: dynamodb.NewFromConfig(cfg), Lambda: lambda.NewFromConfig(cfg), EC2: ec2.NewFromConfig(cfg)}
}

// lookup is the by-name read of a type, when it has one.
func (n NameAPIs) lookup(typ string) (func(ctx context.Context, name string) ([]string, error), bool) {
	f, ok := finder(typ)
	if !ok {
		return nil, false
	}
	switch {
	case f.ByName == awstype.HeadBucket && n.S3 != nil:
		// The bucket's tags come with a second call (PutBucketTagging):
		// a bucket created by a killed run may carry none.
		return func(ctx context.Context, name string) ([]string, error) {
			_, err := n.S3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)})
			return found[*s3types.NotFound](name, err)
		}, true
	case f.ByName == awstype.DescribeTable && n.DynamoDB != nil:
		return func(ctx context.Context, name string) ([]string, error) {
			_, err := n.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
			return found[*dynamotypes.ResourceNotFoundException](name, err)
		}, true
	case f.ByName == awstype.GetFunction && n.Lambda != nil:
		return func(ctx context.Context, name string) ([]string, error) {
			_, err := n.Lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
			return found[*lambdatypes.ResourceNotFoundException](name, err)
		}, true
	}
	if f.ByName != awstype.DescribeTags || n.EC2 == nil {
		return nil, false
	}
	kind := f.EC2Type
	return func(ctx context.Context, name string) ([]string, error) {
		in := &ec2.DescribeTagsInput{Filters: []ec2types.Filter{
			{Name: aws.String("resource-type"), Values: []string{kind}},
			{Name: aws.String("key"), Values: []string{ptags.KeyName}},
			{Name: aws.String("value"), Values: []string{name}},
		}}
		var ids []string
		p := ec2.NewDescribeTagsPaginator(n.EC2, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, t := range page.Tags {
				ids = append(ids, aws.ToString(t.ResourceId))
			}
		}
		return ids, nil
	}, true
}

// found reads a by-name read's answer: the resource (its ID is its name),
// proven absent, or an error.
func found[NotFound error](name string, err error) ([]string, error) {
	var missing NotFound
	switch {
	case err == nil:
		return []string{name}, nil
	case errors.As(err, &missing):
		return nil, nil
	}
	return nil, err
}
