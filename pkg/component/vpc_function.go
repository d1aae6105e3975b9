package component

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/naming"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/workload"
)

// Runtime and handler of every function: a Go binary named bootstrap on the
// OS-only runtime.
const (
	FunctionRuntime = "provided.al2023"
	FunctionHandler = "bootstrap"
)

// VpcFunctionArgs configures a VpcFunction.
type VpcFunctionArgs struct {
	Names naming.Namer
	Scope iampolicy.Scope
	// BaseName names the function within the environment
	// ("payment-processor"); its role, security group and policy are named
	// after it.
	BaseName string
	// Description is the function's description in Lambda.
	Description string
	Function    profile.Function

	// Code is the deployment archive and CodeSHA256 its base64 SHA-256.
	Code       pulumi.Archive
	CodeSHA256 string

	VpcID     string
	SubnetIDs []string
	// EgressPrefixListIDs are the only destinations the function reaches:
	// the VPC's S3 and DynamoDB gateway endpoints' prefix lists, on 443.
	EgressPrefixListIDs    []string
	PermissionsBoundaryArn string

	TableName   string
	BucketName  string
	AuditPrefix string
	// KeyArn is the environment's key: the table, the audit bucket and the
	// function's log group are encrypted with it.
	KeyArn string
	// Environment variables handed to the function.
	Variables map[string]string
}

// VpcFunction is one Lambda function with everything it owns: its log
// group, security group, execution role and least-privilege policy.
type VpcFunction struct {
	pulumi.ResourceState

	Name         string
	Arn          pulumi.StringOutput
	LogGroupName string
	RoleName     string
	Timeout      int
}

func (a VpcFunctionArgs) validate() error {
	switch {
	case a.BaseName == "" || a.Description == "":
		return fmt.Errorf("a base name and a description are required")
	case a.Function.Architecture != "arm64":
		return fmt.Errorf("architecture %q: allowed arm64", a.Function.Architecture)
	case a.Code == nil || a.CodeSHA256 == "":
		return fmt.Errorf("no code archive")
	case len(a.SubnetIDs) < 2:
		return fmt.Errorf("%d subnets: a function runs in the private subnets of both AZs", len(a.SubnetIDs))
	case len(a.EgressPrefixListIDs) == 0:
		return fmt.Errorf("no egress prefix lists: a function reaches only the gateway endpoints, never the internet")
	case a.PermissionsBoundaryArn == "":
		return fmt.Errorf("no permissions boundary: every role carries one")
	case a.TableName == "" || a.BucketName == "" || a.AuditPrefix == "":
		return fmt.Errorf("table, bucket and audit prefix are required")
	case a.KeyArn == "":
		return fmt.Errorf("no encryption key: the function's data and logs are encrypted with the environment's key")
	case a.Function.ReservedConcurrency < profile.ReservedConcurrency.Min || a.Function.ReservedConcurrency > profile.ReservedConcurrency.Max:
		return fmt.Errorf("reserved concurrency %d: allowed %d-%d", a.Function.ReservedConcurrency, profile.ReservedConcurrency.Min, profile.ReservedConcurrency.Max)
	}
	return nil
}

// ExecutionPolicy is the function's inline policy: exactly what its code
// calls, on this environment's resources only (workload.FunctionStatements,
// the same statements the environment's boundary is built from).
func ExecutionPolicy(a VpcFunctionArgs, logGroup string) iampolicy.Document {
	return iampolicy.New(workload.FunctionStatements(a.Scope, workload.Function{
		Table: a.TableName, Bucket: a.BucketName, AuditPrefix: a.AuditPrefix, LogGroup: logGroup, KeyArn: a.KeyArn,
	})...)
}

// NewVpcFunction creates the function and what it owns.
func NewVpcFunction(ctx *pulumi.Context, name string, args VpcFunctionArgs, opts ...pulumi.ResourceOption) (*VpcFunction, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", VpcFunctionToken, name, err)
	}
	b := &builder{token: VpcFunctionToken, component: name, names: args.Names}
	fnName := b.name(naming.Lambda, args.BaseName)
	roleName := b.name(naming.IAMRole, args.BaseName+"-role")
	sgName := b.name(naming.SecurityGroup, args.BaseName+"-sg")
	policyName := b.name(naming.IAMPolicy, args.BaseName+"-access")
	logGroup, err := args.Names.LogGroup("/aws/lambda", fnName)
	if b.err != nil || err != nil {
		return nil, b.wrap(firstErr(b.err, err))
	}

	c := &VpcFunction{Name: fnName, LogGroupName: logGroup, RoleName: roleName, Timeout: args.Function.TimeoutSeconds}
	if err := ctx.RegisterComponentResource(VpcFunctionToken, name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)

	// Created explicitly so the stack owns it (destroy removes it) and its
	// retention is the environment's, not Lambda's default of forever.
	lg, err := cloudwatch.NewLogGroup(ctx, name, &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(logGroup),
		RetentionInDays: pulumi.Int(args.Function.LogRetentionDays),
		KmsKeyId:        pulumi.String(args.KeyArn),
	}, parent)
	if err != nil {
		return nil, b.wrap(err)
	}

	sg, err := ec2.NewSecurityGroup(ctx, name, &ec2.SecurityGroupArgs{
		Name:        pulumi.String(sgName),
		Description: pulumi.String("Egress only, to S3 and DynamoDB through the VPC's gateway endpoints; never the internet"),
		VpcId:       pulumi.String(args.VpcID),
		Egress: ec2.SecurityGroupEgressArray{
			ec2.SecurityGroupEgressArgs{
				// The function's calls: DynamoDB (transactions) and S3 (audit
				// records), whose gateway endpoints' prefix lists cover the
				// services' addresses in the region. Nothing else: code in
				// the function cannot reach a host on the internet.
				Description:   pulumi.String("HTTPS to S3 and DynamoDB through their gateway endpoints"),
				Protocol:      pulumi.String("tcp"),
				FromPort:      pulumi.Int(443),
				ToPort:        pulumi.Int(443),
				PrefixListIds: pulumi.ToStringArray(args.EgressPrefixListIDs),
			},
		},
		Tags: pulumi.StringMap{"Name": pulumi.String(sgName)},
	}, parent)
	if err != nil {
		return nil, b.wrap(err)
	}

	role, err := iam.NewRole(ctx, name, &iam.RoleArgs{
		Name:                pulumi.String(roleName),
		Path:                pulumi.String(workload.RolePath),
		Description:         pulumi.String("Execution role of " + fnName),
		AssumeRolePolicy:    pulumi.String(iampolicy.ServiceTrust("lambda.amazonaws.com", args.Scope.Account).JSON()),
		PermissionsBoundary: pulumi.String(args.PermissionsBoundaryArn),
		// A role's name is unique in the account: a replacement (a new
		// path) must remove the old one first.
	}, parent, pulumi.DeleteBeforeReplace(true))
	if err != nil {
		return nil, b.wrap(err)
	}
	policy, err := iam.NewRolePolicy(ctx, name, &iam.RolePolicyArgs{
		Name:   pulumi.String(policyName),
		Role:   role.ID(),
		Policy: pulumi.String(ExecutionPolicy(args, logGroup).JSON()),
	}, parent)
	if err != nil {
		return nil, b.wrap(err)
	}

	vars := pulumi.StringMap{}
	for k, v := range args.Variables {
		vars[k] = pulumi.String(v)
	}
	subnets := pulumi.ToStringArray(args.SubnetIDs)
	fn, err := lambda.NewFunction(ctx, name, &lambda.FunctionArgs{
		Name:          pulumi.String(fnName),
		Description:   pulumi.String(args.Description),
		Role:          role.Arn,
		Runtime:       pulumi.String(FunctionRuntime),
		Handler:       pulumi.String(FunctionHandler),
		Architectures: pulumi.StringArray{pulumi.String(args.Function.Architecture)},
		MemorySize:    pulumi.Int(args.Function.MemoryMB),
		Timeout:       pulumi.Int(args.Function.TimeoutSeconds),
		// A cap per environment: a runaway caller throttles here (and the
		// throttles alarm says so) instead of starving the account.
		ReservedConcurrentExecutions: pulumi.Int(args.Function.ReservedConcurrency),
		Code:                         args.Code,
		SourceCodeHash:               pulumi.String(args.CodeSHA256),
		VpcConfig: &lambda.FunctionVpcConfigArgs{
			SubnetIds:        subnets,
			SecurityGroupIds: pulumi.StringArray{sg.ID().ToStringOutput()},
		},
		TracingConfig: &lambda.FunctionTracingConfigArgs{Mode: pulumi.String("Active")},
		Environment:   &lambda.FunctionEnvironmentArgs{Variables: vars},
		LoggingConfig: &lambda.FunctionLoggingConfigArgs{LogFormat: pulumi.String("JSON"), LogGroup: pulumi.String(logGroup)},
	}, parent, pulumi.DependsOn([]pulumi.Resource{lg, policy}))
	if err != nil {
		return nil, b.wrap(err)
	}
	c.Arn = fn.Arn
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"name": pulumi.String(fnName), "arn": fn.Arn}); err != nil {
		return nil, err
	}
	return c, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
