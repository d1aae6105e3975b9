package policy

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/acmepay/platform/internal/access"
	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/workload"
)

// iamDocumentRules are the IAM documents' own rules.
func iamDocumentRules() []Rule {
	return []Rule{
		{
			ID: "IAM_NO_WILDCARD_ACTION", Title: "IAM identity policies grant no wildcard actions",
			Equivalent: "Checkov CKV_AWS_63/CKV_AWS_355; cdk-nag AwsSolutions-IAM5",
			Fix:        "list the exact actions the code calls",
			Applies:    ofType(awstype.RolePolicy),
			Check: everyAllow("policy", func(s iampolicy.Statement, _ *Env) string {
				if len(s.NotAction) > 0 {
					return "allows every action but " + strings.Join(s.NotAction, ", ") + " (NotAction)"
				}
				for _, a := range s.Action {
					if strings.ContainsAny(a, "*?") {
						return "allows " + a
					}
				}
				return ""
			}),
		},
		{
			ID: "IAM_NO_WILDCARD_RESOURCE", Title: `IAM identity policies grant only on this environment's resources: no wildcard reaching across resources, no NotResource, Resource "*" only for the documented exceptions`,
			Equivalent: "Checkov CKV_AWS_355; cdk-nag AwsSolutions-IAM5",
			Fix:        "scope the statement to this environment's ARNs; only ENI and X-Ray actions may use \"*\"",
			Applies:    ofType(awstype.RolePolicy),
			Check: everyAllow("policy", func(s iampolicy.Statement, e *Env) string {
				if len(s.NotResource) > 0 {
					return "allows on every resource but " + strings.Join(s.NotResource, ", ") + " (NotResource)"
				}
				for _, r := range s.Resource {
					if r == "*" {
						for _, a := range s.Action {
							if !slices.Contains(workload.UnscopedActions(), a) {
								return a + ` on Resource "*"`
							}
						}
						continue
					}
					if !scopedToEnvironment(r, e) {
						return "resource pattern " + r + " reaches beyond this environment's resources"
					}
				}
				return ""
			}),
		},
		{
			ID: "IAM_PERMISSIONS_BOUNDARY", Title: "Every IAM role carries the environment's permissions boundary",
			Equivalent: "internal (docs/architecture.md); AWS Config iam-role-managed-policy-check is the closest managed rule",
			Fix:        "set permissionsBoundary to the network layer's permissionsBoundaryArn",
			Applies:    ofType(awstype.Role),
			Check: func(r manifest.Resource, e *Env) string {
				want := e.workload().BoundaryArn()
				if r.Config["permissionsBoundary"] != want {
					return fmt.Sprintf("permissionsBoundary = %v, want %s", r.Config["permissionsBoundary"], want)
				}
				return ""
			},
		},
		{
			ID: "IAM_TRUST_SCOPED", Title: "Role trust policies allow one AWS service, on behalf of this account only",
			Equivalent: "AWS confused-deputy guidance; cdk-nag AwsSolutions-IAM4 (related)",
			Fix:        "use iampolicy.ServiceTrust: a service principal and aws:SourceAccount",
			Applies:    ofType(awstype.Role),
			Check: everyStatement("assumeRolePolicy", func(s iampolicy.Statement, e *Env) string {
				if len(s.Principal["Service"]) != 1 || len(s.Principal) != 1 {
					return "trusts more than one service principal"
				}
				if s.Condition["StringEquals"]["aws:SourceAccount"].Only() != e.Manifest.Account {
					return "no aws:SourceAccount condition for " + e.Manifest.Account
				}
				return ""
			}),
		},
	}
}

// iamEvaluatedRules are the rules that evaluate the roles' documents together rules.
func iamEvaluatedRules() []Rule {
	return []Rule{
		{
			ID: "IAM_BOUNDARY_CEILING", Title: "Every role's permissions boundary denies the dangerous requests even under an allow-all identity policy",
			Equivalent: "internal (evaluated with AWS's policy evaluation logic); no managed rule evaluates boundary content",
			Fix:        "keep the boundary built by workload.Boundary: its allow-list and explicit denies",
			Applies:    ofType(awstype.Role),
			Check: evaluated(func(r manifest.Resource, e *Env) string {
				if role := e.access.Roles[r.PhysicalName]; role == nil || role.Boundary == nil {
					return "the role's boundary is not a policy of this environment"
				}
				for _, c := range access.DangerousFor(e.names(), r.PhysicalName) {
					got, problem := e.decide(c.Question)
					if problem != "" {
						return problem
					}
					if got.Decision == iampolicy.Allowed {
						return fmt.Sprintf("under an allow-all policy the role may %s on %s (%s)", c.Action, c.Resource, got.By)
					}
				}
				return ""
			}),
		},
		{
			ID: "IAM_WITHIN_BOUNDARY", Title: "Every grant of a role's own policies is within its permissions boundary",
			Equivalent: "internal (evaluated); AWS silently drops what a boundary does not allow",
			Fix:        "grant only what workload.Boundary allows, or widen the boundary in pkg/workload with a reviewed reason",
			Applies:    ofType(awstype.Role),
			Check: evaluated(func(r manifest.Resource, e *Env) string {
				role := e.access.Roles[r.PhysicalName]
				if role == nil {
					return "no policies found for the role"
				}
				for _, doc := range role.Identity {
					for _, st := range doc.Statement {
						if st.Effect != iampolicy.Allow {
							continue
						}
						ctx := map[string]string{}
						for _, kv := range st.Condition {
							for k, v := range kv {
								if len(v) > 0 {
									ctx[k] = v[0] // one value that satisfies the statement
								}
							}
						}
						for _, action := range st.Action {
							for _, resource := range st.Resource {
								q := access.Question{Role: r.PhysicalName, Action: action, Resource: resource, Context: maps.Clone(ctx)}
								if resource == "*" {
									// Unscoped calls name no resource account.
									q.Context["aws:ResourceAccount"] = ""
								}
								got, problem := e.decide(q)
								if problem != "" {
									return problem
								}
								if got.Decision != iampolicy.Allowed {
									return fmt.Sprintf("role %s asks for %s on %s, which its boundary does not allow (%s)", r.PhysicalName, action, resource, got.By)
								}
							}
						}
					}
				}
				return ""
			}),
		},
	}
}
