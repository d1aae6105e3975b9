package component

// The components' type tokens. Every child's URN carries its parent's token,
// so a token never changes: renaming one would replace every resource under
// it in every deployed stack. Errors name the component by its token and
// name, never by the layer that uses it.
const (
	EnvironmentKeyToken    = "payments:network:EnvironmentKey"
	VpcToken               = "payments:network:Vpc"
	TransactionsTableToken = "payments:data:TransactionsTable"
	AuditBucketToken       = "payments:data:AuditBucket"
	// VpcFunctionToken keeps the name the component had when the first
	// stacks were deployed.
	VpcFunctionToken = "payments:compute:PaymentFunction"
	AlarmsToken      = "payments:observability:Alarms"
)
