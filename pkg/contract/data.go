package contract

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

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

// DataForCompute is what the compute layer reads of the data layer: where
// its functions write.
type DataForCompute struct {
	TableName       string
	AuditBucketName string
	AuditPrefix     string
}

// ReadDataForCompute reads what the compute layer needs of the data layer
// of the same environment.
func ReadDataForCompute(ctx *pulumi.Context, opts ...pulumi.ResourceOption) (DataForCompute, error) {
	r := newReference(ctx, LayerData, opts...)
	var d DataForCompute
	r.required(KeyTableName, &d.TableName)
	r.required(KeyAuditBucketName, &d.AuditBucketName)
	r.decode(KeyAuditPrefix, &d.AuditPrefix)
	return d, r.err
}

// DataForObservability is what the observability layer reads of the data
// layer: the table it watches.
type DataForObservability struct {
	TableName string
}

// ReadDataForObservability reads what the observability layer needs of the
// data layer of the same environment.
func ReadDataForObservability(ctx *pulumi.Context, opts ...pulumi.ResourceOption) (DataForObservability, error) {
	r := newReference(ctx, LayerData, opts...)
	var d DataForObservability
	r.required(KeyTableName, &d.TableName)
	return d, r.err
}
