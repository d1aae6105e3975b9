package networklayer

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/stacktest"
)

// expected holds this layer's rows of the environment table
// (docs/environments.md), written out here rather than read back from
// pkg/profile; what every layer expects is stacktest.Environments.
type expected struct {
	stacktest.Environment
	cidr                string
	nats                int
	flowLogs            bool
	retention           int
	natForPrivateSubnet [2]string
}

var environments = []expected{
	{stacktest.Env("dev"), "10.10.0.0/16", 1, false, 30, [2]string{"vpc-nat-1-id", "vpc-nat-1-id"}},
	{stacktest.Env("staging"), "10.20.0.0/16", 1, true, 90, [2]string{"vpc-nat-1-id", "vpc-nat-1-id"}},
	{stacktest.Env("prod"), "10.30.0.0/16", 2, true, 365, [2]string{"vpc-nat-1-id", "vpc-nat-2-id"}},
}

func run(t *testing.T, env string, overrides map[string]string) *stacktest.Result {
	t.Helper()
	res, err := runErr(t, env, overrides)
	require.NoError(t, err)
	return res
}

func runErr(t *testing.T, env string, overrides map[string]string) (*stacktest.Result, error) {
	t.Helper()
	cfg := stacktest.StackConfig(t, "..", env, overrides)
	return stacktest.Run(Program, stacktest.Options{Project: "network", Stack: env, Config: cfg})
}

func one(t *testing.T, res *stacktest.Result, typ, name string) stacktest.Resource {
	t.Helper()
	return res.MustOne(t, typ, name)
}

func TestVpcPerEnvironment(t *testing.T) {
	for _, want := range environments {
		t.Run(want.Name, func(t *testing.T) {
			res := run(t, want.Name, nil)

			vpc := one(t, res, "aws:ec2/vpc:Vpc", "vpc")
			assert.Equal(t, want.cidr, vpc.Str("cidrBlock"))
			assert.Equal(t, true, vpc.Plain()["enableDnsSupport"])
			assert.Equal(t, true, vpc.Plain()["enableDnsHostnames"])
			assert.Equal(t, "vpc-"+want.Name+"-"+fixture.DevSuffix, vpc.Tags()["Name"])

			assert.Equal(t, want.cidr, res.Exports["vpcCidr"])
			assert.Equal(t, []any{"us-east-1a", "us-east-1b"}, res.Exports["availabilityZones"])
		})
	}
}

func TestSubnetsSpanTwoZonesInsideTheVpc(t *testing.T) {
	for _, want := range environments {
		t.Run(want.Name, func(t *testing.T) {
			res := run(t, want.Name, nil)
			subnets := res.ByType("aws:ec2/subnet:Subnet")
			require.Len(t, subnets, 4)
			vpc := netip.MustParsePrefix(want.cidr)
			var prefixes []netip.Prefix
			zones := map[string]map[string]bool{"public": {}, "private": {}}
			for _, s := range subnets {
				p := netip.MustParsePrefix(s.Str("cidrBlock"))
				assert.True(t, vpc.Contains(p.Addr()) && p.Bits() >= vpc.Bits(), "%s %s outside %s", s.Name, p, vpc)
				for _, other := range prefixes {
					assert.False(t, p.Overlaps(other), "%s overlaps %s", p, other)
				}
				prefixes = append(prefixes, p)
				tier := "private"
				if regexp.MustCompile(`-public-`).MatchString(s.Name) {
					tier = "public"
					assert.Equal(t, false, s.Plain()["mapPublicIpOnLaunch"], "public subnets hold only NAT gateways")
				}
				zones[tier][s.Str("availabilityZone")] = true
			}
			assert.Len(t, zones["public"], 2, "public subnets in 2 distinct AZs")
			assert.Len(t, zones["private"], 2, "private subnets in 2 distinct AZs")
			assert.Len(t, res.Exports["publicSubnetIds"], 2)
			assert.Len(t, res.Exports["privateSubnetIds"], 2)
		})
	}
}

func TestNatGatewaysAndRoutes(t *testing.T) {
	for _, want := range environments {
		t.Run(want.Name, func(t *testing.T) {
			res := run(t, want.Name, nil)
			nats := res.ByType("aws:ec2/natGateway:NatGateway")
			require.Len(t, nats, want.nats)
			eips := res.ByType("aws:ec2/eip:Eip")
			require.Len(t, eips, want.nats)
			for i, nat := range nats {
				assert.Equal(t, fmt.Sprintf("vpc-public-%d-id", i+1), nat.Str("subnetId"), "NAT %d sits in public subnet %d", i+1, i+1)
				assert.Equal(t, fmt.Sprintf("vpc-nat-%d-id", i+1), nat.Str("allocationId"))
			}
			for _, eip := range eips {
				assert.Equal(t, "vpc", eip.Str("domain"))
			}
			require.Len(t, res.ByType("aws:ec2/internetGateway:InternetGateway"), 1)

			public := one(t, res, "aws:ec2/route:Route", "vpc-public-default")
			assert.Equal(t, "vpc-public-rt-id", public.Str("routeTableId"))
			assert.Equal(t, "0.0.0.0/0", public.Str("destinationCidrBlock"))
			assert.Equal(t, "vpc-igw-id", public.Str("gatewayId"))

			for i := 1; i <= 2; i++ {
				route := one(t, res, "aws:ec2/route:Route", fmt.Sprintf("vpc-private-%d-default", i))
				assert.Equal(t, fmt.Sprintf("vpc-private-rt-%d-id", i), route.Str("routeTableId"), "one private route table per AZ")
				assert.Equal(t, "0.0.0.0/0", route.Str("destinationCidrBlock"))
				assert.Equal(t, want.natForPrivateSubnet[i-1], route.Str("natGatewayId"))
				assert.Empty(t, route.Str("gatewayId"), "private subnets never route to the internet gateway")
			}
			assocs := map[string]string{}
			for _, a := range res.ByType("aws:ec2/routeTableAssociation:RouteTableAssociation") {
				assocs[a.Str("subnetId")] = a.Str("routeTableId")
			}
			assert.Equal(t, map[string]string{
				"vpc-public-1-id":  "vpc-public-rt-id",
				"vpc-public-2-id":  "vpc-public-rt-id",
				"vpc-private-1-id": "vpc-private-rt-1-id",
				"vpc-private-2-id": "vpc-private-rt-2-id",
			}, assocs)
			assert.Equal(t, []any{"vpc-private-rt-1-id", "vpc-private-rt-2-id"}, res.Exports["privateRouteTableIds"])
		})
	}
}

func TestGatewayEndpointsOnPrivateRouteTables(t *testing.T) {
	for _, want := range environments {
		t.Run(want.Name, func(t *testing.T) {
			res := run(t, want.Name, nil)
			endpoints := res.ByType("aws:ec2/vpcEndpoint:VpcEndpoint")
			require.Len(t, endpoints, 2)
			services := map[string]bool{}
			for _, e := range endpoints {
				services[e.Str("serviceName")] = true
				assert.Equal(t, "Gateway", e.Str("vpcEndpointType"))
				assert.Equal(t, []any{"vpc-private-rt-1-id", "vpc-private-rt-2-id"}, e.Plain()["routeTableIds"])
			}
			assert.Equal(t, map[string]bool{"com.amazonaws.us-east-1.s3": true, "com.amazonaws.us-east-1.dynamodb": true}, services)
		})
	}
}

func TestDefaultSecurityGroupHasNoRules(t *testing.T) {
	for _, want := range environments {
		t.Run(want.Name, func(t *testing.T) {
			res := run(t, want.Name, nil)
			sg := one(t, res, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "vpc-default-sg")
			assert.Equal(t, "vpc-id", sg.Str("vpcId"))
			assert.Empty(t, sg.Plain()["ingress"])
			assert.Empty(t, sg.Plain()["egress"])
		})
	}
}

func TestFlowLogs(t *testing.T) {
	for _, want := range environments {
		t.Run(want.Name, func(t *testing.T) {
			res := run(t, want.Name, nil)
			flowLogs := res.ByType("aws:ec2/flowLog:FlowLog")
			groups := res.ByType("aws:cloudwatch/logGroup:LogGroup")
			if !want.flowLogs {
				assert.Empty(t, flowLogs)
				assert.Empty(t, groups)
				assert.Empty(t, res.ByType("aws:iam/role:Role"))
				return
			}
			require.Len(t, flowLogs, 1)
			require.Len(t, groups, 1)
			fl, group := flowLogs[0], groups[0]
			groupName := "/aws/vpc/flow-logs/vpc-" + want.Name + "-" + fixture.DevSuffix
			assert.Equal(t, groupName, group.Str("name"))
			assert.Equal(t, float64(want.retention), group.Plain()["retentionInDays"])
			assert.Equal(t, "ALL", fl.Str("trafficType"))
			assert.Equal(t, "vpc-id", fl.Str("vpcId"))
			assert.Equal(t, "cloud-watch-logs", fl.Str("logDestinationType"))

			role := one(t, res, "aws:iam/role:Role", "vpc-flow-logs")
			assert.Equal(t, "vpc-flow-logs-"+want.Name+"-"+fixture.DevSuffix, role.Str("name"))
			assert.NotEmpty(t, role.Str("permissionsBoundary"), "every role carries the boundary")
			trust := stacktest.ParsePolicy(t, role.Str("assumeRolePolicy"))
			require.Len(t, trust, 1)
			assert.Equal(t, []string{"vpc-flow-logs.amazonaws.com"}, []string(trust[0].Principal["Service"]))
			assert.Equal(t, want.Account, trust[0].Condition["StringEquals"]["aws:SourceAccount"].Only())

			policy := stacktest.ParsePolicy(t, one(t, res, "aws:iam/rolePolicy:RolePolicy", "vpc-flow-logs").Str("policy"))
			groupArn := fmt.Sprintf("arn:aws:logs:us-east-1:%s:log-group:%s", want.Account, groupName)
			for _, s := range policy {
				assert.Equal(t, "Allow", s.Effect)
				for _, a := range s.Action {
					assert.NotContains(t, a, "*", "no wildcard actions")
				}
				for _, r := range s.Resource {
					assert.Contains(t, []string{groupArn, groupArn + ":log-stream:*"}, r, "writes only to its own log group")
				}
			}
		})
	}
}

// The workload boundary belongs to the account's bootstrap (pkg/workload
// builds it, pkg/bootstrapiam's tests evaluate it): the network layer only
// names it, and creates no IAM policy a deployment could change.
func TestNamesTheBootstrapsBoundaryAndCreatesNoPolicy(t *testing.T) {
	for _, want := range environments {
		t.Run(want.Name, func(t *testing.T) {
			res := run(t, want.Name, nil)
			for _, r := range res.Resources {
				assert.NotEqual(t, "aws:iam/policy:Policy", r.Type, r.Name)
			}
			assert.Equal(t, "arn:aws:iam::"+want.Account+":policy/permissions-boundary-"+want.Name+"-"+fixture.DevSuffix, res.Exports["permissionsBoundaryArn"])
		})
	}
}

func TestEnvironmentKey(t *testing.T) {
	for _, want := range environments {
		t.Run(want.Name, func(t *testing.T) {
			res := run(t, want.Name, nil)
			key := one(t, res, "aws:kms/key:Key", "environment-key")
			p := key.Plain()
			assert.Equal(t, true, p["enableKeyRotation"])
			assert.EqualValues(t, 7, p["deletionWindowInDays"])
			assert.Equal(t, "alias/payments-"+want.Name+"-"+fixture.DevSuffix, one(t, res, "aws:kms/alias:Alias", "environment-key").Str("name"))

			keyPolicy, err := iampolicy.Parse(key.Str("policy"))
			require.NoError(t, err)
			keyArn := "arn:aws:kms:us-east-1:" + want.Account + ":key/k"
			ask := func(principal, action string, ctx map[string]string) iampolicy.Decision {
				got, err := iampolicy.Evaluate(iampolicy.Request{Principal: principal, Action: action, Resource: keyArn, Context: ctx},
					iampolicy.Policies{Resource: &keyPolicy, Account: want.Account})
				require.NoError(t, err)
				return got.Decision
			}
			own := map[string]string{"aws:SourceAccount": want.Account}
			assert.Equal(t, iampolicy.Allowed, ask("cloudwatch.amazonaws.com", "kms:GenerateDataKey", own), "alarms reach the encrypted topic")
			assert.Equal(t, iampolicy.Allowed, ask("cloudwatch.amazonaws.com", "kms:Decrypt", own))
			assert.Equal(t, iampolicy.ImplicitDeny, ask("cloudwatch.amazonaws.com", "kms:GenerateDataKey", map[string]string{"aws:SourceAccount": "999999999999"}),
				"not for another account's alarms")
			logs := func(group string) map[string]string {
				return map[string]string{"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:" + want.Account + ":log-group:" + group}
			}
			assert.Equal(t, iampolicy.Allowed, ask("logs.us-east-1.amazonaws.com", "kms:Encrypt", logs("/aws/lambda/payment-processor-"+want.Name+"-"+fixture.DevSuffix)))
			assert.Equal(t, iampolicy.Allowed, ask("logs.us-east-1.amazonaws.com", "kms:GenerateDataKey", logs("/aws/vpc/flow-logs/vpc-"+want.Name+"-"+fixture.DevSuffix)))
			assert.Equal(t, iampolicy.ImplicitDeny, ask("logs.us-east-1.amazonaws.com", "kms:Encrypt", logs("/some/other-group")), "only this environment's log groups")
			assert.Equal(t, want.Account, strings.Split(strings.TrimPrefix(res.Exports["environmentKeyArn"].(string), "arn:aws:kms:us-east-1:"), ":")[0])
		})
	}
}

func TestNamesTagsAndDestroyability(t *testing.T) {
	for _, want := range environments {
		t.Run(want.Name, func(t *testing.T) {
			res := run(t, want.Name, nil)
			stacktest.AssertConventions(t, res, stacktest.Conventions{
				Env: want.Name, Suffix: fixture.DevSuffix,
				// A key is named by its alias, which follows the convention.
				Nameless: map[string]bool{"aws:kms/key:Key": true},
				Tags: map[string]string{
					"Environment":        want.Name,
					"CostCenter":         want.CostCenter,
					"DataClassification": want.DataClassification,
					"Project":            "payments-platform",
					"Layer":              "network",
					"ManagedBy":          "pulumi",
				},
			})
		})
	}
}

func TestInvalidConfigFailsBeforeAnyResource(t *testing.T) {
	cases := map[string]struct {
		overrides map[string]string
		wantErr   string
	}{
		"missing suffix":     {map[string]string{"payments:environmentSuffix": ""}, "payments:environmentSuffix is not set"},
		"malformed suffix":   {map[string]string{"payments:environmentSuffix": "Pay_01"}, `payments:environmentSuffix = "Pay_01": allowed 3-12 lowercase letters or digits`},
		"public cidr":        {map[string]string{"payments:vpcCidr": "8.8.0.0/16"}, `payments:vpcCidr = "8.8.0.0/16": not a private range`},
		"overlapping cidr":   {map[string]string{"payments:vpcCidr": "10.30.0.0/16"}, "overlaps the prod network 10.30.0.0/16"},
		"three nat gateways": {map[string]string{"payments:natGateways": "3"}, `payments:natGateways = "3": allowed 0-2`},
		"wrong account":      {map[string]string{"aws:allowedAccountIds": `["` + fixture.ProdAccount + `"]`}, `must be ["` + fixture.DevAccount + `"], the dev account`},
		"wrong region":       {map[string]string{"aws:region": "eu-west-1"}, `aws:region = "eu-west-1": the dev environment runs in us-east-1`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res, err := runErr(t, "dev", tc.overrides)
			stacktest.AssertRefusedBeforeAnyResource(t, res, err, tc.wantErr)
		})
	}
}

func TestUnknownStackIsRefused(t *testing.T) {
	res, err := stacktest.Run(Program, stacktest.Options{Project: "network", Stack: "qa", Config: map[string]string{"payments:environmentSuffix": fixture.DevSuffix}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown environment "qa": allowed dev, staging, prod`)
	assert.Empty(t, res.Resources)
}

// Under the Pulumi CLI (`pulumi up` in the layer directory) a program sees its
// whole config in PULUMI_CONFIG: a misspelt setting there would otherwise be
// ignored and prod would get the default. It stops the layer before any
// resource.
func TestMisspeltSettingFailsBeforeAnyResource(t *testing.T) {
	cfg := stacktest.StackConfig(t, "..", "prod", nil)
	cfg["payments:natGateway"] = "1"
	raw, err := json.Marshal(cfg)
	require.NoError(t, err)
	t.Setenv(pulumi.EnvConfig, string(raw))
	res, err := stacktest.Run(Program, stacktest.Options{Project: "network", Stack: "prod", Config: cfg})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `network: invalid configuration for stack "prod"`)
	assert.Contains(t, err.Error(), `config payments:natGateway = "1" is not a payments setting (did you mean payments:natGateways?)`)
	stacktest.AssertRefusedBeforeAnyResource(t, res, err, "")
}
