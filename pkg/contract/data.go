package contract

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// Data is what the data layer offers the others.
type Data struct {
	TableName       string
	TableArn        string
	TableIndexName  string
	AuditBucketName string
	AuditBucketArn  string
	AuditPrefix     string
}

// DataExports is what the data program exports.
type DataExports struct {
	TableName       pulumi.StringInput
	TableArn        pulumi.StringInput
	TableIndexName  pulumi.StringInput
	AuditBucketName pulumi.StringInput
	AuditBucketArn  pulumi.StringInput
	AuditPrefix     pulumi.StringInput
}

// Export publishes the data outputs.
func (e DataExports) Export(ctx *pulumi.Context) {
	ctx.Export(KeyTableName, e.TableName)
	ctx.Export(KeyTableArn, e.TableArn)
	ctx.Export(KeyTableIndexName, e.TableIndexName)
	ctx.Export(KeyAuditBucketName, e.AuditBucketName)
	ctx.Export(KeyAuditBucketArn, e.AuditBucketArn)
	ctx.Export(KeyAuditPrefix, e.AuditPrefix)
}

// ReadData reads the data layer of the same environment.
func ReadData(ctx *pulumi.Context, opts ...pulumi.ResourceOption) (Data, error) {
	r := newReference(ctx, LayerData, opts...)
	var d Data
	r.decode(KeyTableName, &d.TableName)
	r.decode(KeyTableArn, &d.TableArn)
	r.decode(KeyTableIndexName, &d.TableIndexName)
	r.decode(KeyAuditBucketName, &d.AuditBucketName)
	r.decode(KeyAuditBucketArn, &d.AuditBucketArn)
	r.decode(KeyAuditPrefix, &d.AuditPrefix)
	r.nonEmpty(KeyTableName, d.TableName)
	r.nonEmpty(KeyAuditBucketName, d.AuditBucketName)
	return d, r.err
}
