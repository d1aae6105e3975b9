package profile

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// The platform's layers, in deployment order. Each setting belongs to one of
// them (pkg/contract names the layers for the programs, from these).
const (
	LayerNetwork       = "network"
	LayerData          = "data"
	LayerCompute       = "compute"
	LayerObservability = "observability"
)

// Shared is the owner of the settings every layer reads: each layer's stack
// file carries them, with the same value.
const Shared = "every layer"

// How a setting may differ between environments.
const (
	// PerEnvironment settings are the sanctioned differences.
	PerEnvironment = "per environment"
	// SameEverywhere settings must be identical in dev, staging and prod: an
	// override is written for all three.
	SameEverywhere = "same everywhere"
)

// Setting is one payments: config key: the layer that owns it, how it may
// vary between environments, and how it is read into a profile.
type Setting struct {
	Key string
	// Label names the setting for people (the environment table).
	Label  string
	Owner  string
	Varies string
	// set parses a config value into the profile; nil for settings that are
	// read elsewhere (the environment, the alarm e-mails).
	set func(p *Profile, raw string) error
	// Get is the setting's value in a profile, as config text; nil where set
	// is nil.
	Get func(p Profile) string
	// field is the profile's field the setting fills (a pointer), which
	// FileKey finds in environments.yaml; nil for the environment itself.
	field func(p *Profile) any
}

// EnvironmentsFile is the file every environment's settings come from,
// relative to the repository.
const EnvironmentsFile = "pkg/profile/environments.yaml"

// FileKey is the setting's key in environments.yaml under an environment
// ("function.memoryMb"), from the profile's field tags; "" for a setting
// the file does not hold.
func (s Setting) FileKey() string {
	if s.field == nil {
		return ""
	}
	var p Profile
	want := reflect.ValueOf(s.field(&p))
	return fieldPath(reflect.ValueOf(&p).Elem(), want.Pointer(), want.Type().Elem())
}

// fieldPath is the dotted json path of the field of v at addr of type t.
func fieldPath(v reflect.Value, addr uintptr, t reflect.Type) string {
	for i := range v.NumField() {
		f, tag := v.Field(i), strings.Split(v.Type().Field(i).Tag.Get("json"), ",")[0]
		if f.Kind() == reflect.Struct {
			if sub := fieldPath(f, addr, t); sub != "" {
				return tag + "." + sub
			}
		}
		if f.Addr().Pointer() == addr && f.Type() == t {
			return tag
		}
	}
	return ""
}

// Qualified is the setting's full config key ("payments:lambdaMemoryMb").
func (s Setting) Qualified() string { return qualified(s.Key) }

func intSetting(key, label, owner, varies string, field func(*Profile) *int) Setting {
	return Setting{
		Key: key, Label: label, Owner: owner, Varies: varies,
		set: func(p *Profile, raw string) error {
			n, err := strconv.Atoi(strings.TrimSpace(raw))
			if err != nil {
				return fieldError(key, raw, "a whole number")
			}
			*field(p) = n
			return nil
		},
		Get:   func(p Profile) string { return strconv.Itoa(*field(&p)) },
		field: func(p *Profile) any { return field(p) },
	}
}

func boolSetting(key, label, owner, varies string, field func(*Profile) *bool) Setting {
	return Setting{
		Key: key, Label: label, Owner: owner, Varies: varies,
		set: func(p *Profile, raw string) error {
			b, err := strconv.ParseBool(strings.TrimSpace(raw))
			if err != nil {
				return fieldError(key, raw, "true or false")
			}
			*field(p) = b
			return nil
		},
		Get:   func(p Profile) string { return strconv.FormatBool(*field(&p)) },
		field: func(p *Profile) any { return field(p) },
	}
}

func stringSetting(key, label, owner, varies string, field func(*Profile) *string) Setting {
	return Setting{
		Key: key, Label: label, Owner: owner, Varies: varies,
		set:   func(p *Profile, raw string) error { *field(p) = raw; return nil },
		Get:   func(p Profile) string { return *field(&p) },
		field: func(p *Profile) any { return field(p) },
	}
}

// Settings is every payments: setting, the one table its key, owner, parse
// and apply live in.
var Settings = []Setting{
	{Key: KeyEnvironment, Label: "environment (defaults to the stack name)", Owner: Shared, Varies: PerEnvironment},
	stringSetting(KeySuffix, "name suffix", Shared, PerEnvironment, func(p *Profile) *string { return &p.Suffix }),
	stringSetting(KeyCostCenter, "CostCenter tag", Shared, PerEnvironment, func(p *Profile) *string { return &p.CostCenter }),
	stringSetting(KeyDataClassification, "DataClassification tag", Shared, PerEnvironment, func(p *Profile) *string { return &p.DataClassification }),

	stringSetting(KeyVpcCIDR, "VPC CIDR", LayerNetwork, PerEnvironment, func(p *Profile) *string { return &p.Network.VpcCIDR }),
	intSetting(KeyNatGateways, "NAT gateways", LayerNetwork, PerEnvironment, func(p *Profile) *int { return &p.Network.NatGateways }),
	boolSetting(KeyFlowLogs, "VPC flow logs", LayerNetwork, PerEnvironment, func(p *Profile) *bool { return &p.Network.FlowLogs }),
	intSetting(KeyFlowLogRetentionDays, "flow-log retention (days)", LayerNetwork, PerEnvironment, func(p *Profile) *int { return &p.Network.FlowLogRetentionDays }),

	intSetting(KeyFunctionMemoryMB, "Lambda memory (MB)", LayerCompute, PerEnvironment, func(p *Profile) *int { return &p.Function.MemoryMB }),
	intSetting(KeyFunctionTimeout, "Lambda timeout (s)", LayerCompute, SameEverywhere, func(p *Profile) *int { return &p.Function.TimeoutSeconds }),
	intSetting(KeyLogRetentionDays, "Lambda log retention (days)", LayerCompute, PerEnvironment, func(p *Profile) *int { return &p.Function.LogRetentionDays }),
	intSetting(KeyReservedConcurrency, "Lambda reserved concurrency", LayerCompute, PerEnvironment, func(p *Profile) *int { return &p.Function.ReservedConcurrency }),

	stringSetting(KeyTableCapacityMode, "DynamoDB capacity mode", LayerData, PerEnvironment, func(p *Profile) *string { return &p.Table.CapacityMode }),
	intSetting(KeyTableReadCapacity, "DynamoDB read capacity (floor)", LayerData, PerEnvironment, func(p *Profile) *int { return &p.Table.ReadCapacity }),
	intSetting(KeyTableWriteCapacity, "DynamoDB write capacity (floor)", LayerData, PerEnvironment, func(p *Profile) *int { return &p.Table.WriteCapacity }),
	intSetting(KeyTableMaxReadCapacity, "DynamoDB read capacity (autoscaling max)", LayerData, PerEnvironment, func(p *Profile) *int { return &p.Table.MaxReadCapacity }),
	intSetting(KeyTableMaxWriteCapacity, "DynamoDB write capacity (autoscaling max)", LayerData, PerEnvironment, func(p *Profile) *int { return &p.Table.MaxWriteCapacity }),
	intSetting(KeyTableTargetUtilization, "DynamoDB autoscaling target (%)", LayerData, SameEverywhere, func(p *Profile) *int { return &p.Table.TargetUtilization }),
	boolSetting(KeyPointInTimeRecovery, "DynamoDB point-in-time recovery", LayerData, PerEnvironment, func(p *Profile) *bool { return &p.Table.PointInTimeRecovery }),
	intSetting(KeyAuditExpirationDays, "audit-log expiration and lock (days)", LayerData, PerEnvironment, func(p *Profile) *int { return &p.Audit.ExpirationDays }),

	intSetting(KeyFunctionErrorsAlarm, "Lambda Errors alarm (5-minute sum reaches)", LayerObservability, PerEnvironment, func(p *Profile) *int { return &p.Alarms.FunctionErrorsThreshold }),
	intSetting(KeyTableThrottleAlarm, "DynamoDB throttle alarm (5-minute sum reaches)", LayerObservability, PerEnvironment, func(p *Profile) *int { return &p.Alarms.TableThrottleThreshold }),
	{
		Key: KeyAlarmEmails, Label: "alarm e-mail subscribers (at least one)", Owner: LayerObservability, Varies: PerEnvironment,
		set: func(p *Profile, raw string) error {
			var emails []string
			if err := json.Unmarshal([]byte(raw), &emails); err != nil {
				return fieldError(KeyAlarmEmails, raw, `a list of e-mail addresses, such as ["oncall@example.com"]`)
			}
			p.Alarms.Emails = emails
			return nil
		},
		Get:   func(p Profile) string { return strings.Join(p.Alarms.Emails, ", ") },
		field: func(p *Profile) any { return &p.Alarms.Emails },
	},
	intSetting(KeyMonthlyBudget, "monthly budget for the fixed cost (USD)", LayerObservability, PerEnvironment, func(p *Profile) *int { return &p.Cost.MonthlyBudgetUSD }),
}

// LookupSetting finds a setting by its unqualified or qualified key.
func LookupSetting(key string) (Setting, bool) {
	key = strings.TrimPrefix(key, Namespace+":")
	for _, s := range Settings {
		if s.Key == key {
			return s, true
		}
	}
	return Setting{}, false
}

// CheckOwnership refuses the payments: keys of a layer's stack file that
// another layer owns, naming the owner and the file to move the key to.
// file is the stack file's path, for the message; cfg holds qualified keys.
func CheckOwnership(layer, file string, cfg map[string]string) error {
	var errs []error
	for _, key := range slices.Sorted(maps.Keys(cfg)) {
		s, ok := LookupSetting(key)
		if !strings.HasPrefix(key, Namespace+":") || !ok || s.Owner == Shared || s.Owner == layer {
			continue
		}
		errs = append(errs, fmt.Errorf("%s: config %s = %q belongs to the %s layer, not %s: set it in %s", file, key, cfg[key], s.Owner, layer,
			strings.Replace(file, layer, s.Owner, 1)))
	}
	return errors.Join(errs...)
}
