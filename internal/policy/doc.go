// Package policy evaluates the platform's compliance rules, in process, on
// every resource of an environment's manifest (planned or deployed), applies
// the reviewed waivers of compliance/waivers.yaml, and reports every result:
// pass, fail, or waived with its reason.
//
// The rules are Go rather than Rego: they run on the same typed manifest the
// rest of the platform builds, are checked by the compiler, are tested like
// any other code, and need no policy runtime in CI or on a laptop. Each rule
// names the equivalent Checkov, cdk-nag or AWS Config rule so an auditor can
// map it to the control they know.
package policy
