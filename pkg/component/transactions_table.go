package component

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/appautoscaling"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/pkg/datapolicy"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/naming"
	"github.com/acmepay/platform/pkg/profile"
)

// Key schema of the transactions table. The payment function writes these
// attributes; the contract exports the index name.
const (
	TablePartitionKey  = "transactionId"
	MerchantIndexName  = "merchantId-createdAt-index"
	MerchantIndexHash  = "merchantId"
	MerchantIndexRange = "createdAt"
)

// TransactionsTableArgs configures a TransactionsTable.
type TransactionsTableArgs struct {
	Names naming.Namer
	Table profile.Table
	// KeyArn is the environment's key, which encrypts the table.
	KeyArn string
	// Scope and BreakGlassRole, when the role is set (prod): the table
	// carries a resource policy under which only that role may delete it,
	// switch its point-in-time recovery or delete its backups.
	Scope          iampolicy.Scope
	BreakGlassRole string
}

// TransactionsTable is the DynamoDB table of payment transactions: encrypted,
// never deletion-protected (environments must be destroyable), PITR and
// autoscaling as the profile says.
type TransactionsTable struct {
	pulumi.ResourceState

	Name      string
	Arn       pulumi.StringOutput
	IndexName string
}

func (a TransactionsTableArgs) validate() error {
	t := a.Table
	if a.KeyArn == "" {
		return fmt.Errorf("the environment's key is required")
	}
	switch t.CapacityMode {
	case profile.OnDemand:
		return nil
	case profile.Provisioned:
		c := profile.TableCapacity
		if t.ReadCapacity < c.Min || t.WriteCapacity < c.Min || t.MaxReadCapacity < t.ReadCapacity || t.MaxWriteCapacity < t.WriteCapacity ||
			t.MaxReadCapacity > c.Max || t.MaxWriteCapacity > c.Max {
			return fmt.Errorf("provisioned capacity %d/%d with maximum %d/%d: need %d <= minimum <= maximum <= %d", t.ReadCapacity, t.WriteCapacity, t.MaxReadCapacity, t.MaxWriteCapacity, c.Min, c.Max)
		}
		if u := profile.TargetUtilization; t.TargetUtilization < u.Min || t.TargetUtilization > u.Max {
			return fmt.Errorf("target utilization %d%%: allowed %d-%d", t.TargetUtilization, u.Min, u.Max)
		}
		return nil
	}
	return fmt.Errorf("capacity mode %q: allowed %s or %s", t.CapacityMode, profile.OnDemand, profile.Provisioned)
}

// NewTransactionsTable creates the table and, when provisioned, its
// autoscaling on the table and the merchant index.
func NewTransactionsTable(ctx *pulumi.Context, name string, args TransactionsTableArgs, opts ...pulumi.ResourceOption) (*TransactionsTable, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", TransactionsTableToken, name, err)
	}
	tableName, err := args.Names.Name(naming.DynamoDB, naming.TransactionsTable)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", TransactionsTableToken, name, err)
	}
	c := &TransactionsTable{Name: tableName, IndexName: MerchantIndexName}
	if err := ctx.RegisterComponentResource(TransactionsTableToken, name, c, opts...); err != nil {
		return nil, err
	}
	t := args.Table
	index := &dynamodb.TableGlobalSecondaryIndexArgs{
		Name:           pulumi.String(MerchantIndexName),
		HashKey:        pulumi.String(MerchantIndexHash),
		RangeKey:       pulumi.String(MerchantIndexRange),
		ProjectionType: pulumi.String("ALL"),
	}
	tableArgs := &dynamodb.TableArgs{
		Name:        pulumi.String(tableName),
		BillingMode: pulumi.String(t.CapacityMode),
		HashKey:     pulumi.String(TablePartitionKey),
		Attributes: dynamodb.TableAttributeArray{
			dynamodb.TableAttributeArgs{Name: pulumi.String(TablePartitionKey), Type: pulumi.String("S")},
			dynamodb.TableAttributeArgs{Name: pulumi.String(MerchantIndexHash), Type: pulumi.String("S")},
			dynamodb.TableAttributeArgs{Name: pulumi.String(MerchantIndexRange), Type: pulumi.String("S")},
		},
		ServerSideEncryption:      &dynamodb.TableServerSideEncryptionArgs{Enabled: pulumi.Bool(true), KmsKeyArn: pulumi.String(args.KeyArn)},
		PointInTimeRecovery:       &dynamodb.TablePointInTimeRecoveryArgs{Enabled: pulumi.Bool(t.PointInTimeRecovery)},
		DeletionProtectionEnabled: pulumi.Bool(false),
	}
	childOpts := []pulumi.ResourceOption{pulumi.Parent(c)}
	if t.Provisioned() {
		tableArgs.ReadCapacity = pulumi.Int(t.ReadCapacity)
		tableArgs.WriteCapacity = pulumi.Int(t.WriteCapacity)
		index.ReadCapacity = pulumi.Int(t.ReadCapacity)
		index.WriteCapacity = pulumi.Int(t.WriteCapacity)
		// Autoscaling owns the live capacity; the code owns the floor.
		childOpts = append(childOpts, pulumi.IgnoreChanges([]string{
			"readCapacity", "writeCapacity",
			"globalSecondaryIndexes[*].readCapacity", "globalSecondaryIndexes[*].writeCapacity",
		}))
	}
	tableArgs.GlobalSecondaryIndexes = dynamodb.TableGlobalSecondaryIndexArray{index}
	table, err := dynamodb.NewTable(ctx, name, tableArgs, childOpts...)
	if err != nil {
		return nil, fmt.Errorf("%s %s: table: %w", TransactionsTableToken, name, err)
	}
	c.Arn = table.Arn
	if args.BreakGlassRole != "" {
		// Written after the table and its point-in-time recovery: from
		// here on, only the break-glass role changes either.
		if _, err := dynamodb.NewResourcePolicy(ctx, name, &dynamodb.ResourcePolicyArgs{
			ResourceArn: table.Arn, Policy: pulumi.String(datapolicy.TablePolicy(args.Scope, tableName, args.BreakGlassRole).JSON()),
		}, pulumi.Parent(c)); err != nil {
			return nil, fmt.Errorf("%s %s: resource policy: %w", TransactionsTableToken, name, err)
		}
	}

	if t.Provisioned() {
		targets := []struct{ suffix, resourceID, dimensionPrefix string }{
			{"table", "table/" + tableName, "dynamodb:table:"},
			{"index", "table/" + tableName + "/index/" + MerchantIndexName, "dynamodb:index:"},
		}
		for _, target := range targets {
			for _, dim := range []struct {
				kind, unit, metric string
				min, max           int
			}{
				{"read", "ReadCapacityUnits", "DynamoDBReadCapacityUtilization", t.ReadCapacity, t.MaxReadCapacity},
				{"write", "WriteCapacityUnits", "DynamoDBWriteCapacityUtilization", t.WriteCapacity, t.MaxWriteCapacity},
			} {
				logical := fmt.Sprintf("%s-%s-%s", name, target.suffix, dim.kind)
				scalable, err := appautoscaling.NewTarget(ctx, logical, &appautoscaling.TargetArgs{
					ServiceNamespace:  pulumi.String("dynamodb"),
					ResourceId:        pulumi.String(target.resourceID),
					ScalableDimension: pulumi.String(target.dimensionPrefix + dim.unit),
					MinCapacity:       pulumi.Int(dim.min),
					MaxCapacity:       pulumi.Int(dim.max),
				}, pulumi.Parent(c), pulumi.DependsOn([]pulumi.Resource{table}))
				if err != nil {
					return nil, fmt.Errorf("%s %s: autoscaling target %s: %w", TransactionsTableToken, name, logical, err)
				}
				policyName, err := args.Names.Name(naming.IAMPolicy, fmt.Sprintf("transactions-%s-%s-scaling", target.suffix, dim.kind))
				if err != nil {
					return nil, fmt.Errorf("%s %s: %w", TransactionsTableToken, name, err)
				}
				if _, err := appautoscaling.NewPolicy(ctx, logical, &appautoscaling.PolicyArgs{
					Name:              pulumi.String(policyName),
					PolicyType:        pulumi.String("TargetTrackingScaling"),
					ServiceNamespace:  scalable.ServiceNamespace,
					ResourceId:        scalable.ResourceId,
					ScalableDimension: scalable.ScalableDimension,
					TargetTrackingScalingPolicyConfiguration: &appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs{
						TargetValue: pulumi.Float64(float64(t.TargetUtilization)),
						PredefinedMetricSpecification: &appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs{
							PredefinedMetricType: pulumi.String(dim.metric),
						},
					},
				}, pulumi.Parent(c)); err != nil {
					return nil, fmt.Errorf("%s %s: autoscaling policy %s: %w", TransactionsTableToken, name, logical, err)
				}
			}
		}
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"name": pulumi.String(tableName), "arn": table.Arn}); err != nil {
		return nil, err
	}
	return c, nil
}
