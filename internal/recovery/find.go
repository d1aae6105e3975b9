package recovery

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	tagging "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	taggingtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"

	ptags "github.com/acmepay/platform/pkg/tagging"
)

// lookup is how a resource type is found by its Name tag: the Resource
// Groups Tagging API's type filter, and how the provider's ID is read from
// the ARN it returns.
type lookup struct {
	filter string
	id     func(arn string) string
}

// afterSlash reads "arn:aws:ec2:us-east-1:1:natgateway/nat-0a" as "nat-0a".
func afterSlash(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

// afterColon reads "arn:aws:lambda:us-east-1:1:function:name" as "name".
func afterColon(arn string) string {
	arn = strings.TrimSuffix(arn, ":*") // log groups
	return arn[strings.LastIndex(arn, ":")+1:]
}

func wholeARN(arn string) string { return arn }

// findable lists the types the layers create that can be found by their
// Name tag (every taggable resource carries one: pkg/tagging), with the ID
// the AWS provider gives each. It holds every slow create (the NAT gateway,
// VPC endpoints, the table, the function). Routes, route-table associations,
// autoscaling targets and policies, subscriptions, IAM roles and policies,
// key aliases and the bucket's settings carry no Name tag; a kill while one
// of those is created is settled by hand, and recovery says how.
var findable = map[string]lookup{
	"aws:ec2/vpc:Vpc":                         {"ec2:vpc", afterSlash},
	"aws:ec2/subnet:Subnet":                   {"ec2:subnet", afterSlash},
	"aws:ec2/routeTable:RouteTable":           {"ec2:route-table", afterSlash},
	"aws:ec2/internetGateway:InternetGateway": {"ec2:internet-gateway", afterSlash},
	"aws:ec2/natGateway:NatGateway":           {"ec2:natgateway", afterSlash},
	"aws:ec2/eip:Eip":                         {"ec2:elastic-ip", afterSlash},
	"aws:ec2/securityGroup:SecurityGroup":     {"ec2:security-group", afterSlash},
	"aws:ec2/vpcEndpoint:VpcEndpoint":         {"ec2:vpc-endpoint", afterSlash},
	"aws:ec2/flowLog:FlowLog":                 {"ec2:vpc-flow-log", afterSlash},
	"aws:kms/key:Key":                         {"kms:key", afterSlash},
	"aws:dynamodb/table:Table":                {"dynamodb:table", afterSlash},
	"aws:lambda/function:Function":            {"lambda:function", afterColon},
	"aws:cloudwatch/logGroup:LogGroup":        {"logs:log-group", afterColon},
	"aws:cloudwatch/metricAlarm:MetricAlarm":  {"cloudwatch:alarm", afterColon},
	"aws:sns/topic:Topic":                     {"sns", wholeARN},
	"aws:s3/bucketV2:BucketV2":                {"s3", afterColon},
}

// Findable reports whether a type can be found in the cloud by its name.
func Findable(typ string) bool {
	_, ok := findable[typ]
	return ok
}

// one returns the only ID of a lookup, "" for none, and refuses to guess
// between several.
func one(typ, name string, ids []string) (string, error) {
	switch len(ids) {
	case 0:
		return "", nil
	case 1:
		return ids[0], nil
	}
	return "", fmt.Errorf("%d resources of %s are named %q (%s): settle by hand which one the state should hold", len(ids), typ, name, strings.Join(ids, ", "))
}

// Cloud finds resources in a cloud that can list live resources by type and
// name (the in-memory AWS), with the same reach as the AWS finder.
type Cloud struct {
	Lookup func(typ, name string) []string
}

// Find implements Finder.
func (c Cloud) Find(_ context.Context, typ, name string) (string, error) {
	if !Findable(typ) {
		return "", fmt.Errorf("%s %w", typ, ErrCannotFind)
	}
	return one(typ, name, c.Lookup(typ, name))
}

// TaggingAPI is the part of the Resource Groups Tagging API the AWS finder
// uses.
type TaggingAPI interface {
	GetResources(ctx context.Context, in *tagging.GetResourcesInput, opts ...func(*tagging.Options)) (*tagging.GetResourcesOutput, error)
}

// AWS finds resources in an AWS account: by the service's own read of the
// resource's name where its name is the physical name the code gave it (S3,
// DynamoDB, Lambda) or its Name tag is set with its creation (EC2's
// TagSpecifications: DescribeTags), which proves absence when it answers
// "not found"; else by the Resource Groups Tagging API, which lists a
// resource a while after it is created and only once it is tagged, so an
// empty answer proves nothing (ErrNotProvenAbsent).
type AWS struct {
	API         TaggingAPI
	Names       NameAPIs
	Environment string
}

// NewAWS uses the standard credential chain, in a region.
func NewAWS(ctx context.Context, region, env string) (AWS, error) {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		return AWS{}, fmt.Errorf("loading AWS credentials: %w", err)
	}
	return AWS{API: tagging.NewFromConfig(cfg), Names: NewNameAPIs(cfg), Environment: env}, nil
}

// Find implements Finder.
func (a AWS) Find(ctx context.Context, typ, name string) (string, error) {
	if byName, ok := a.Names.lookup(typ); ok {
		ids, err := byName(ctx, name)
		if err != nil {
			return "", fmt.Errorf("looking %s %q up by name: %w", typ, name, err)
		}
		return one(typ, name, ids)
	}
	l, ok := findable[typ]
	if !ok {
		return "", fmt.Errorf("%s %w", typ, ErrCannotFind)
	}
	in := &tagging.GetResourcesInput{
		ResourceTypeFilters: []string{l.filter},
		TagFilters: []taggingtypes.TagFilter{
			{Key: aws.String(ptags.KeyName), Values: []string{name}},
			{Key: aws.String(ptags.KeyEnvironment), Values: []string{a.Environment}},
		},
	}
	var ids []string
	p := tagging.NewGetResourcesPaginator(a.API, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", err
		}
		for _, m := range page.ResourceTagMappingList {
			ids = append(ids, l.id(aws.ToString(m.ResourceARN)))
		}
	}
	if len(ids) == 0 {
		return "", fmt.Errorf("%s %q: the Resource Groups Tagging API lists no resource with that Name tag, but it lists a resource only a while "+
			"after its creation, and %s has no lookup by name: %w", typ, name, typ, ErrNotProvenAbsent)
	}
	return one(typ, name, ids)
}
