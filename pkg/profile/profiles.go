package profile

// The sanctioned differences between environments, side by side. Anything not
// in this table must be identical in dev, staging and prod. Which layer owns
// each setting, and whether it may differ per environment, is in settings.go. A stack may
// override a value in its Pulumi.<env>.yaml (see config.go); overrides go
// through the same validation as these defaults.
var defaults = map[Environment]Profile{
	Dev: {
		Environment: Dev, AccountID: "123456789012", Region: "us-east-1",
		CostCenter: "payments-dev", DataClassification: "confidential",
		Network:  Network{VpcCIDR: "10.10.0.0/16", NatGateways: 1, FlowLogs: false, FlowLogRetentionDays: 30},
		Function: Function{Architecture: "arm64", MemoryMB: 512, TimeoutSeconds: 10, LogRetentionDays: 30, ReservedConcurrency: 5},
		Table:    Table{CapacityMode: OnDemand, TargetUtilization: 70, PointInTimeRecovery: false},
		Audit:    Audit{ExpirationDays: 30},
		Alarms:   Alarms{FunctionErrorsThreshold: 10, TableThrottleThreshold: 50},
		Cost:     Cost{MonthlyBudgetUSD: 60},
	},
	Staging: {
		Environment: Staging, AccountID: "234567890123", Region: "us-east-1",
		CostCenter: "payments-staging", DataClassification: "confidential",
		Network:  Network{VpcCIDR: "10.20.0.0/16", NatGateways: 1, FlowLogs: true, FlowLogRetentionDays: 90},
		Function: Function{Architecture: "arm64", MemoryMB: 1024, TimeoutSeconds: 10, LogRetentionDays: 90, ReservedConcurrency: 20},
		Table: Table{CapacityMode: Provisioned, ReadCapacity: 5, WriteCapacity: 5,
			MaxReadCapacity: 50, MaxWriteCapacity: 50, TargetUtilization: 70, PointInTimeRecovery: false},
		Audit:  Audit{ExpirationDays: 90},
		Alarms: Alarms{FunctionErrorsThreshold: 5, TableThrottleThreshold: 10},
		Cost:   Cost{MonthlyBudgetUSD: 80},
	},
	Prod: {
		Environment: Prod, AccountID: "345678901234", Region: "us-east-1",
		CostCenter: "payments-prod", DataClassification: "restricted",
		Network:  Network{VpcCIDR: "10.30.0.0/16", NatGateways: 2, FlowLogs: true, FlowLogRetentionDays: 365},
		Function: Function{Architecture: "arm64", MemoryMB: 2048, TimeoutSeconds: 10, LogRetentionDays: 365, ReservedConcurrency: 200},
		Table: Table{CapacityMode: Provisioned, ReadCapacity: 25, WriteCapacity: 25,
			MaxReadCapacity: 500, MaxWriteCapacity: 500, TargetUtilization: 70, PointInTimeRecovery: true},
		Audit:  Audit{ExpirationDays: 365},
		Alarms: Alarms{FunctionErrorsThreshold: 1, TableThrottleThreshold: 1},
		Cost:   Cost{MonthlyBudgetUSD: 150},
	},
}
