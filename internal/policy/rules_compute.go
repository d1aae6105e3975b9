package policy

import (
	"fmt"

	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/internal/proppath"
	"github.com/acmepay/platform/pkg/awstype"
)

// functionRules are the payment function's rules.
func functionRules() []Rule {
	return []Rule{
		{
			ID: "LAMBDA_ARM64", Title: "Lambda functions run on arm64 (Graviton)",
			Equivalent: "internal (cost, and docs/environments.md)",
			Fix:        "set architectures to [arm64]",
			Applies:    ofType(awstype.Function),
			Check: func(r manifest.Resource, _ *Env) string {
				if a, ok := r.Config["architectures"].([]any); !ok || len(a) != 1 || a[0] != "arm64" {
					return fmt.Sprintf("architectures = %v", r.Config["architectures"])
				}
				return ""
			},
		},
		{
			ID: "LAMBDA_IN_VPC", Title: "Lambda functions run inside the VPC",
			Equivalent: "AWS Config lambda-inside-vpc; Checkov CKV_AWS_117",
			Fix:        "set vpcConfig with the private subnets and a security group",
			Applies:    ofType(awstype.Function),
			Check: func(r manifest.Resource, _ *Env) string {
				subnets, _ := proppath.Get(r.Config, "vpcConfig.subnetIds").([]any)
				groups, _ := proppath.Get(r.Config, "vpcConfig.securityGroupIds").([]any)
				if len(subnets) == 0 || len(groups) == 0 {
					return "no VPC configuration"
				}
				return ""
			},
		},
		{
			ID: "LAMBDA_TRACING", Title: "Lambda functions have active X-Ray tracing",
			Equivalent: "Checkov CKV_AWS_50",
			Fix:        "set tracingConfig.mode to Active",
			Applies:    ofType(awstype.Function),
			Check:      settingIs("tracingConfig.mode", "Active", "tracing is not active"),
		},
		{
			ID: "LAMBDA_LOG_RETENTION", Title: "Lambda functions log to a stack-owned log group with a retention period",
			Equivalent: "AWS Config cw-loggroup-retention-period-check; Checkov CKV_AWS_338 (threshold differs)",
			Fix:        "create the /aws/lambda/<function> log group explicitly with retentionInDays",
			Applies:    ofType(awstype.Function),
			Check: func(r manifest.Resource, e *Env) string {
				group := "/aws/lambda/" + r.PhysicalName
				groups := e.configuring(awstype.LogGroup, "name", group)
				if len(groups) == 0 {
					return "no log group " + group + " in the stack"
				}
				if n, ok := groups[0].Config["retentionInDays"].(float64); !ok || n <= 0 {
					return "log group " + group + " never expires"
				}
				return ""
			},
		},
	}
}
