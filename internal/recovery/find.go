package recovery

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	tagging "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	taggingtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"

	"github.com/acmepay/platform/pkg/awstype"
	ptags "github.com/acmepay/platform/pkg/tagging"
)

// finder is how a type is found by its Name tag (its registry entry's
// Find). Every taggable resource carries one (pkg/tagging); the entries
// with a finder hold every slow create (the NAT gateway, VPC endpoints, the
// table, the function). Routes, route-table associations, autoscaling
// targets and policies, subscriptions, IAM roles and policies, key aliases
// and the bucket's settings have none; a kill while one of those is created
// is settled by hand, and recovery says how.
func finder(typ string) (*awstype.Finder, bool) {
	t, _ := awstype.Of(typ)
	return t.Find, t.Find != nil
}

// Findable reports whether a type can be found in the cloud by its name.
func Findable(typ string) bool {
	_, ok := finder(typ)
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
	l, ok := finder(typ)
	if !ok {
		return "", fmt.Errorf("%s %w", typ, ErrCannotFind)
	}
	in := &tagging.GetResourcesInput{
		ResourceTypeFilters: []string{l.TagFilter},
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
			ids = append(ids, l.ID.FromARN(aws.ToString(m.ResourceARN)))
		}
	}
	if len(ids) == 0 {
		return "", fmt.Errorf("%s %q: the Resource Groups Tagging API lists no resource with that Name tag, but it lists a resource only a while "+
			"after its creation, and %s has no lookup by name: %w", typ, name, typ, ErrNotProvenAbsent)
	}
	return one(typ, name, ids)
}

// Tagged is a resource the Resource Groups Tagging API lists, with its
// tags.
type Tagged struct {
	ARN  string
	Tags map[string]string
}

// Tagged lists every resource of the region that carries the tag key,
// whatever its value, every page of it. The API lists a resource a while
// after its creation: a resource missing from it is not proven absent.
func (a AWS) Tagged(ctx context.Context, key string) ([]Tagged, error) {
	in := &tagging.GetResourcesInput{TagFilters: []taggingtypes.TagFilter{{Key: aws.String(key)}}}
	var out []Tagged
	p := tagging.NewGetResourcesPaginator(a.API, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("tag:GetResources with the tag %s: %w", key, err)
		}
		for _, m := range page.ResourceTagMappingList {
			t := Tagged{ARN: aws.ToString(m.ResourceARN), Tags: map[string]string{}}
			for _, tag := range m.Tags {
				t.Tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
			}
			out = append(out, t)
		}
	}
	return out, nil
}
