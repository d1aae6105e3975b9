// Package datalayer is the program of the data layer: the transactions table
// and the audit-log bucket, both encrypted with the environment's key, which
// it reads from the network layer.
package datalayer

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/component"
	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/layer"
	"github.com/acmepay/platform/pkg/workload"
)

// Program builds the data layer of the selected stack.
func Program(ctx *pulumi.Context) error {
	st, err := layer.Begin(ctx, contract.LayerData)
	if err != nil {
		return err
	}
	network, err := contract.ReadNetworkForData(ctx)
	if err != nil {
		return err
	}
	// Where the environment has a break-glass role (prod), only it may
	// later destroy what these hold.
	breakGlass := bootstrapiam.BreakGlassRole(st.Profile)
	table, err := component.NewTransactionsTable(ctx, "transactions", component.TransactionsTableArgs{
		Names:          st.Names,
		Table:          st.Profile.Table,
		KeyArn:         network.EnvironmentKeyArn,
		Scope:          st.Scope,
		BreakGlassRole: breakGlass,
	})
	if err != nil {
		return err
	}
	bucket, err := component.NewAuditBucket(ctx, "audit-logs", component.AuditBucketArgs{
		Names:           st.Names,
		ExpirationDays:  st.Profile.Audit.ExpirationDays,
		KeyArn:          network.EnvironmentKeyArn,
		BreakGlassRole:  breakGlass,
		AccessLogBucket: workload.Environment{Scope: st.Scope, Names: st.Names}.AccessLogBucket(),
	})
	if err != nil {
		return err
	}
	contract.DataExports{
		TableName:       pulumi.String(table.Name),
		TableArn:        table.Arn,
		TableIndexName:  pulumi.String(table.IndexName),
		AuditBucketName: pulumi.String(bucket.Name),
		AuditBucketArn:  bucket.Arn,
		AuditPrefix:     pulumi.String(bucket.Prefix),
	}.Export(ctx)
	st.Finish(ctx)
	return nil
}
