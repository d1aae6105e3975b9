package quota

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	sqtypes "github.com/aws/aws-sdk-go-v2/service/servicequotas/types"

	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/tagging"
)

// AWS reads the quotas from Lambda, Service Quotas and EC2 with the
// standard credential chain. Its calls are the pipeline roles' grants
// QuotaReads (pkg/bootstrapiam); the EC2 reads are the provider's own.
type AWS struct{}

// Usage implements Reader.
func (AWS) Usage(ctx context.Context, p profile.Profile) (Usage, error) {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(p.Region))
	if err != nil {
		return Usage{}, fmt.Errorf("loading AWS credentials: %w", err)
	}
	var u Usage
	lc := lambda.NewFromConfig(cfg)
	settings, err := lc.GetAccountSettings(ctx, &lambda.GetAccountSettingsInput{})
	if err != nil {
		return Usage{}, fmt.Errorf("lambda:GetAccountSettings: %w", err)
	}
	u.LambdaConcurrency = int(settings.AccountLimit.ConcurrentExecutions)
	u.LambdaUnreserved = int(aws.ToInt32(settings.AccountLimit.UnreservedConcurrentExecutions))
	fc, err := lc.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: aws.String(functionName(p))})
	var missing *lambdatypes.ResourceNotFoundException
	switch {
	case errors.As(err, &missing):
	case err != nil:
		return Usage{}, fmt.Errorf("lambda:GetFunctionConcurrency %s: %w", functionName(p), err)
	default:
		u.FunctionReserved = int(aws.ToInt32(fc.ReservedConcurrentExecutions))
	}

	sq := servicequotas.NewFromConfig(cfg)
	for _, read := range []struct {
		q    awstype.Quota
		into *int
	}{{elasticIPs, &u.EIPQuota}, {vpcs, &u.VPCQuota}, {natsPerZone, &u.NATQuota}} {
		q, into := read.q, read.into
		if *into, err = serviceQuota(ctx, sq, q); err != nil {
			return Usage{}, err
		}
	}

	if err := ec2Usage(ctx, ec2.NewFromConfig(cfg), p, &u); err != nil {
		return Usage{}, err
	}
	return u, nil
}

// EC2API is the part of EC2 the quota check reads.
type EC2API interface {
	DescribeAddresses(context.Context, *ec2.DescribeAddressesInput, ...func(*ec2.Options)) (*ec2.DescribeAddressesOutput, error)
	ec2.DescribeVpcsAPIClient
	ec2.DescribeSubnetsAPIClient
	ec2.DescribeNatGatewaysAPIClient
}

// ec2Usage counts the account's Elastic IPs, VPCs (its default VPC
// included: it counts against the quota) and NAT gateways per zone that are
// pending or available (a deleted one stays listed for about an hour), each
// read to its last page.
func ec2Usage(ctx context.Context, ec EC2API, p profile.Profile, u *Usage) error {
	own := func(tags []ec2types.Tag) bool {
		var env, project bool
		for _, t := range tags {
			env = env || (aws.ToString(t.Key) == tagging.KeyEnvironment && aws.ToString(t.Value) == string(p.Environment))
			project = project || (aws.ToString(t.Key) == tagging.KeyProject && aws.ToString(t.Value) == tagging.Project)
		}
		return env && project
	}
	addrs, err := ec.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{})
	if err != nil {
		return fmt.Errorf("ec2:DescribeAddresses: %w", err)
	}
	for _, a := range addrs.Addresses {
		u.EIPs++
		if own(a.Tags) {
			u.OwnEIPs++
		}
	}
	vpcs := ec2.NewDescribeVpcsPaginator(ec, &ec2.DescribeVpcsInput{})
	for vpcs.HasMorePages() {
		page, err := vpcs.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("ec2:DescribeVpcs: %w", err)
		}
		for _, v := range page.Vpcs {
			u.VPCs++
			if own(v.Tags) {
				u.OwnVPCs++
			}
		}
	}
	zoneOf := map[string]string{}
	subnets := ec2.NewDescribeSubnetsPaginator(ec, &ec2.DescribeSubnetsInput{})
	for subnets.HasMorePages() {
		page, err := subnets.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("ec2:DescribeSubnets: %w", err)
		}
		for _, s := range page.Subnets {
			zoneOf[aws.ToString(s.SubnetId)] = aws.ToString(s.AvailabilityZone)
		}
	}
	u.NATs, u.OwnNATs = map[string]int{}, map[string]int{}
	nats := ec2.NewDescribeNatGatewaysPaginator(ec, &ec2.DescribeNatGatewaysInput{Filter: []ec2types.Filter{
		{Name: aws.String("state"), Values: []string{"pending", "available"}},
	}})
	for nats.HasMorePages() {
		page, err := nats.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("ec2:DescribeNatGateways: %w", err)
		}
		for _, n := range page.NatGateways {
			az := zoneOf[aws.ToString(n.SubnetId)]
			u.NATs[az]++
			if own(n.Tags) {
				u.OwnNATs[az]++
			}
		}
	}
	return nil
}

// serviceQuota is a quota's applied value, or AWS's default where the
// account never had it changed.
func serviceQuota(ctx context.Context, sq *servicequotas.Client, q awstype.Quota) (int, error) {
	service, code := q.Service, q.Code
	out, err := sq.GetServiceQuota(ctx, &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String(service), QuotaCode: aws.String(code)})
	var none *sqtypes.NoSuchResourceException
	if errors.As(err, &none) {
		def, derr := sq.GetAWSDefaultServiceQuota(ctx, &servicequotas.GetAWSDefaultServiceQuotaInput{ServiceCode: aws.String(service), QuotaCode: aws.String(code)})
		if derr != nil {
			return 0, fmt.Errorf("servicequotas:GetAWSDefaultServiceQuota %s %s: %w", service, code, derr)
		}
		return int(aws.ToFloat64(def.Quota.Value)), nil
	}
	if err != nil {
		return 0, fmt.Errorf("servicequotas:GetServiceQuota %s %s: %w", service, code, err)
	}
	return int(aws.ToFloat64(out.Quota.Value)), nil
}
