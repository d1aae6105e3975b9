package profile

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/acmepay/platform/pkg/suggest"
)

// Namespace is the Pulumi config namespace of every payments setting.
const Namespace = "payments"

// Config keys, without the namespace. Each overrides one field of the profile;
// KeySuffix is the only required one.
const (
	KeyEnvironment            = "environment"
	KeySuffix                 = "environmentSuffix"
	KeyCostCenter             = "costCenter"
	KeyDataClassification     = "dataClassification"
	KeyVpcCIDR                = "vpcCidr"
	KeyNatGateways            = "natGateways"
	KeyFlowLogs               = "flowLogs"
	KeyFunctionMemoryMB       = "lambdaMemoryMb"
	KeyFunctionTimeout        = "lambdaTimeoutSeconds"
	KeyLogRetentionDays       = "logRetentionDays"
	KeyFlowLogRetentionDays   = "flowLogRetentionDays"
	KeyReservedConcurrency    = "lambdaReservedConcurrency"
	KeyTableCapacityMode      = "tableCapacityMode"
	KeyTableReadCapacity      = "tableReadCapacity"
	KeyTableWriteCapacity     = "tableWriteCapacity"
	KeyTableMaxReadCapacity   = "tableMaxReadCapacity"
	KeyTableMaxWriteCapacity  = "tableMaxWriteCapacity"
	KeyTableTargetUtilization = "tableTargetUtilization"
	KeyPointInTimeRecovery    = "pointInTimeRecovery"
	KeyAuditExpirationDays    = "auditLogExpirationDays"
	KeyFunctionErrorsAlarm    = "lambdaErrorsThreshold"
	KeyTableThrottleAlarm     = "tableThrottleThreshold"
	KeyAlarmEmails            = "alarmEmails"
	KeyMonthlyBudget          = "monthlyBudgetUsd"

	// Keys of the AWS provider that must agree with the profile. They live in
	// the aws namespace and are not payments settings.
	KeyAWSRegion            = "aws:region"
	KeyAWSAllowedAccountIDs = "aws:allowedAccountIds"
)

// SettingKeys are every setting of the payments namespace, unqualified, in
// the order of the Settings table.
var SettingKeys = func() []string {
	keys := make([]string, len(Settings))
	for i, st := range Settings {
		keys[i] = st.Key
	}
	return keys
}()

// CheckKeys refuses keys of the payments namespace that no setting reads. A
// misspelt override ("payments:lambdaMemoryMB") would otherwise be ignored and
// the environment would silently get the default. Keys of other namespaces
// (aws:, the layers' own) are not checked. cfg holds fully qualified keys.
func CheckKeys(stack string, cfg map[string]string) error {
	var errs []error
	for _, key := range slices.Sorted(maps.Keys(cfg)) {
		ns, name, _ := strings.Cut(key, ":")
		if ns != Namespace || slices.Contains(SettingKeys, name) {
			continue
		}
		hint := ""
		if near := nearest(name); near != "" {
			hint = fmt.Sprintf(" (did you mean %s?)", qualified(near))
		}
		errs = append(errs, fmt.Errorf("config %s = %q is not a payments setting%s: allowed %s", key, cfg[key], hint, strings.Join(SettingKeys, ", ")))
	}
	if len(errs) > 0 {
		return joinErrors(stack, errs)
	}
	return nil
}

// nearest is the setting a misspelt key most likely meant: the closest by
// case-insensitive edit distance, if at most 2 edits away.
func nearest(name string) string { return suggest.Nearest(name, SettingKeys) }

// Lookup returns the raw string value of a fully qualified config key
// ("payments:lambdaMemoryMb") and whether it is set. Structured values arrive
// as JSON, the way the Pulumi CLI passes them to programs.
type Lookup func(key string) (string, bool)

// FromMap adapts a plain map of fully qualified keys to a Lookup.
func FromMap(m map[string]string) Lookup {
	return func(key string) (string, bool) {
		v, ok := m[key]
		return v, ok
	}
}

// Load builds the profile of a stack: the environment (payments:environment,
// defaulting to the stack name), its sanctioned defaults, the stack's
// overrides, and the required suffix. The result is validated; the error names
// every bad key, its value and what is allowed.
func Load(stack string, get Lookup) (Profile, error) {
	envName := stack
	if v, ok := get(qualified(KeyEnvironment)); ok {
		envName = v
	}
	env, err := ParseEnvironment(envName)
	if err != nil {
		return Profile{}, fmt.Errorf("config %s: %w", qualified(KeyEnvironment), err)
	}
	p, _ := Default(env)

	var errs []error
	for _, st := range Settings {
		if st.set == nil {
			continue
		}
		if v, ok := get(st.Qualified()); ok {
			if err := st.set(&p, v); err != nil {
				errs = append(errs, err)
			}
		}
	}
	errs = append(errs, validateProvider(p, get)...)
	errs = append(errs, validate(p)...)
	errs = append(errs, overlapsWithOtherDefaults(p)...)
	if len(errs) > 0 {
		return Profile{}, joinErrors(stack, errs)
	}
	return p, nil
}

func qualified(key string) string { return Namespace + ":" + key }

// validateProvider checks that the AWS provider config of the stack agrees
// with the profile, so a stack cannot be pointed at another environment's
// account or region by accident.
func validateProvider(p Profile, get Lookup) []error {
	var errs []error
	if region, ok := get(KeyAWSRegion); ok && region != p.Region {
		errs = append(errs, fmt.Errorf("config %s = %q: the %s environment runs in %s", KeyAWSRegion, region, p.Environment, p.Region))
	}
	raw, ok := get(KeyAWSAllowedAccountIDs)
	if !ok {
		return append(errs, fmt.Errorf("config %s is not set: it must be [%q], the %s account, so the provider refuses any other account", KeyAWSAllowedAccountIDs, p.AccountID, p.Environment))
	}
	var ids []string
	if err := json.Unmarshal([]byte(raw), &ids); err != nil || len(ids) != 1 || ids[0] != p.AccountID {
		errs = append(errs, fmt.Errorf("config %s = %s: must be [%q], the %s account", KeyAWSAllowedAccountIDs, raw, p.AccountID, p.Environment))
	}
	return errs
}

func fieldError(key, value, allowed string) error {
	return fmt.Errorf("config %s = %q: allowed %s", qualified(key), value, allowed)
}

func joinErrors(stack string, errs []error) error {
	lines := make([]string, len(errs))
	for i, e := range errs {
		lines[i] = "  - " + e.Error()
	}
	return fmt.Errorf("invalid configuration for stack %q:\n%s", stack, strings.Join(lines, "\n"))
}
