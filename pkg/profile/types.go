package profile

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/acmepay/platform/pkg/suggest"
)

// Environment names a deployment target: an entry of environments.yaml.
type Environment string

// The environments of the committed environments file, as the tests and
// fixtures name them; the code knows environments only from the file.
const (
	Dev     Environment = "dev"
	Staging Environment = "staging"
	Prod    Environment = "prod"
)

// Environments lists every environment of environments.yaml in promotion
// order: the file's.
func Environments() []Environment { return slices.Clone(order) }

// ParseEnvironment turns a user-supplied name into an Environment, or says
// which names are allowed.
func ParseEnvironment(name string) (Environment, error) {
	env := Environment(name)
	if IsReview(env) {
		return parseReviewName(name)
	}
	if _, ok := defaults[env]; !ok {
		hint := ""
		var names []string
		for _, e := range Environments() {
			names = append(names, string(e))
		}
		if near := suggest.Nearest(name, names); near != "" {
			hint = fmt.Sprintf(" (did you mean %s?)", near)
		}
		return "", fmt.Errorf("unknown environment %q%s: allowed %s", name, hint, allowedEnvironments())
	}
	return env, nil
}

func allowedEnvironments() string {
	names := make([]string, 0, len(defaults))
	for _, e := range Environments() {
		names = append(names, string(e))
	}
	return strings.Join(names, ", ")
}

// Tier is what an environment is for; the mission's invariants are rules
// over it, not over the environment's name.
type Tier string

// The tiers.
const (
	// Development: destroyed and rebuilt freely.
	Development Tier = "development"
	// PreProduction: production's rehearsal; a destroy must be confirmed.
	PreProduction Tier = "pre-production"
	// Production: point-in-time recovery, the production guardrails, a
	// break-glass role for destroying data, and a read-only role reachable
	// only from main's workflows.
	Production Tier = "production"
)

// Tiers lists the tiers, least guarded first.
func Tiers() []Tier { return []Tier{Development, PreProduction, Production} }

// Production reports whether the environment holds production data.
func (p Profile) Production() bool { return p.Tier == Production }

// ConfirmsDestroy reports whether destroying the environment must be
// confirmed by naming it (CONFIRM_DESTROY=<env>).
func (p Profile) ConfirmsDestroy() bool { return p.Tier.ConfirmsDestroy() }

// ConfirmsDestroy reports whether destroying an environment of the tier
// must be confirmed by naming it.
func (t Tier) ConfirmsDestroy() bool { return t == PreProduction || t == Production }

// Capacity modes of the transactions table, spelled as DynamoDB spells them.
const (
	OnDemand    = "PAY_PER_REQUEST"
	Provisioned = "PROVISIONED"
)

// Profile is everything that may differ between environments, plus the stack's
// naming suffix. Field json names double as the manifest's keys.
type Profile struct {
	Environment        Environment `json:"environment"`
	Tier               Tier        `json:"tier"`
	AccountID          string      `json:"accountId"`
	Region             string      `json:"region"`
	Suffix             string      `json:"environmentSuffix"`
	CostCenter         string      `json:"costCenter"`
	DataClassification string      `json:"dataClassification"`
	Network            Network     `json:"network"`
	Function           Function    `json:"function"`
	Table              Table       `json:"table"`
	Audit              Audit       `json:"audit"`
	Alarms             Alarms      `json:"alarms"`
	Cost               Cost        `json:"cost"`
}

// Cost holds the environment's monthly budget for what it costs idle.
type Cost struct {
	// MonthlyBudgetUSD caps the fixed monthly cost of the offline plan:
	// the plan fails above it.
	MonthlyBudgetUSD int `json:"monthlyBudgetUsd"`
}

// Network settings of the VPC layer.
type Network struct {
	VpcCIDR     string `json:"vpcCidr"`
	NatGateways int    `json:"natGateways"`
	FlowLogs    bool   `json:"flowLogs"`
	// FlowLogRetentionDays is how long the flow-log group keeps flow logs.
	FlowLogRetentionDays int `json:"flowLogRetentionDays"`
}

// Function settings shared by every payment Lambda function.
type Function struct {
	Architecture     string `json:"architecture"`
	MemoryMB         int    `json:"memoryMb"`
	TimeoutSeconds   int    `json:"timeoutSeconds"`
	LogRetentionDays int    `json:"logRetentionDays"`
	// ReservedConcurrency caps the function's concurrent executions, and
	// reserves them from the account's pool.
	ReservedConcurrency int `json:"reservedConcurrency"`
}

// Table settings of the DynamoDB transactions table. Capacities and the
// autoscaling target apply only in Provisioned mode.
type Table struct {
	CapacityMode        string `json:"capacityMode"`
	ReadCapacity        int    `json:"readCapacity"`
	WriteCapacity       int    `json:"writeCapacity"`
	MaxReadCapacity     int    `json:"maxReadCapacity"`
	MaxWriteCapacity    int    `json:"maxWriteCapacity"`
	TargetUtilization   int    `json:"targetUtilization"`
	PointInTimeRecovery bool   `json:"pointInTimeRecovery"`
}

// Audit settings of the S3 audit-log bucket.
type Audit struct {
	ExpirationDays int `json:"expirationDays"`
}

// Alarms holds the thresholds at which the CloudWatch alarms fire: the sum
// over 5 minutes that trips the alarm.
type Alarms struct {
	FunctionErrorsThreshold int `json:"functionErrorsThreshold"`
	TableThrottleThreshold  int `json:"tableThrottleThreshold"`
	// Emails subscribe to the alarm topic. Every environment needs at least
	// one: an alarm nobody receives is not an alarm.
	Emails []string `json:"emails"`
}

// Default returns the sanctioned defaults of env, without a suffix.
func Default(env Environment) (Profile, error) {
	p, err := Planned(env)
	if err != nil {
		return Profile{}, err
	}
	// The suffix is every stack's own, required setting: the environments
	// file's suffix is what `env:apply` writes into the stack files.
	p.Suffix = ""
	return p, nil
}

// Planned is an environment as the environments file describes it, suffix
// included: what `env:apply` writes into the stack files.
func Planned(env Environment) (Profile, error) {
	if IsReview(env) {
		return reviewProfile(env)
	}
	p, ok := defaults[env]
	if !ok {
		return Profile{}, fmt.Errorf("unknown environment %q: allowed %s", env, allowedEnvironments())
	}
	return p, nil
}

// Provisioned reports whether the table uses provisioned capacity (and so
// autoscaling).
func (t Table) Provisioned() bool { return t.CapacityMode == Provisioned }

// OtherEnvironments lists every environment but p's, sorted, for policies that
// must deny access to the others' resources.
func (p Profile) OtherEnvironments() []Environment {
	var out []Environment
	for _, e := range Environments() {
		if e != p.Environment {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
