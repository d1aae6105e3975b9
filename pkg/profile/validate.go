package profile

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

var (
	suffixPattern  = regexp.MustCompile(`^[a-z0-9]{3,12}$`)
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	tagPattern     = regexp.MustCompile(`^[A-Za-z0-9 _.:/=+@-]{1,256}$`)
	emailPattern   = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[a-zA-Z]{2,}$`)

	// CloudWatch Logs accepts only these retention periods.
	logRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

	privateRanges = []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("172.16.0.0/12"),
		netip.MustParsePrefix("192.168.0.0/16"),
	}
)

// AvailabilityZones is how many AZs every environment's network spans.
const AvailabilityZones = 2

// Range is the inclusive range of values a setting may take.
type Range struct{ Min, Max int }

// The limits the components check as well as the profile: a component
// refuses arguments outside them even when called without a profile.
var (
	// TableCapacity is the DynamoDB default table quota.
	TableCapacity = Range{1, 40000}
	// TargetUtilization is Application Auto Scaling's target tracking, in
	// percent.
	TargetUtilization = Range{20, 90}
	// AuditExpiration is at least a day, at most ten years.
	AuditExpiration = Range{1, 3650}
	// NatGateways is none (the private subnets reach DynamoDB and S3
	// through the gateway endpoints only: what a review environment needs),
	// one shared, or one per AZ.
	NatGateways = Range{0, AvailabilityZones}
	// ReservedConcurrency: Lambda keeps 100 of an account's concurrency
	// (1,000 by default) unreserved, so at most 900 can be reserved.
	ReservedConcurrency = Range{1, 900}
)

// Limits enforced on overrides. They are AWS's own limits where AWS has one,
// and otherwise the bounds a reviewer would still sign off.
const (
	minMemoryMB, maxMemoryMB   = 128, 10240 // Lambda
	minTimeout, maxTimeout     = 1, 900     // Lambda, seconds
	minThreshold, maxThreshold = 1, 100000
	minPrefix, maxPrefix       = 16, 24
)

// Validate checks a profile as a whole; it is what Load runs after applying
// overrides, exported for callers that build profiles in code.
func Validate(p Profile) error {
	if errs := validate(p); len(errs) > 0 {
		return joinErrors(string(p.Environment), errs)
	}
	return nil
}

func validate(p Profile) []error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if p.Suffix == "" {
		add(fmt.Errorf("config %s is not set: it is required, 3-12 lowercase letters or digits (for example \"pay01\")", qualified(KeySuffix)))
	} else if !suffixPattern.MatchString(p.Suffix) {
		add(fieldError(KeySuffix, p.Suffix, "3-12 lowercase letters or digits"))
	}
	if !accountPattern.MatchString(p.AccountID) {
		add(fmt.Errorf("account id %q of %s: allowed exactly 12 digits", p.AccountID, p.Environment))
	}
	if !slices.Contains(Tiers(), p.Tier) {
		add(fmt.Errorf("%s.tier = %q: allowed %s, %s or %s", p.Environment, p.Tier, Development, PreProduction, Production))
	}
	add(checkTag(KeyCostCenter, p.CostCenter))
	add(checkTag(KeyDataClassification, p.DataClassification))
	add(CheckPrivateCIDR(qualified(KeyVpcCIDR), p.Network.VpcCIDR))
	add(inRange(KeyNatGateways, p.Network.NatGateways, NatGateways.Min, NatGateways.Max))
	if p.Network.FlowLogs {
		add(oneOf(KeyFlowLogRetentionDays, p.Network.FlowLogRetentionDays, logRetentionDays))
	}
	for _, r := range Invariants {
		add(r.check(p))
	}
	add(inRange(KeyFunctionMemoryMB, p.Function.MemoryMB, minMemoryMB, maxMemoryMB))
	add(inRange(KeyFunctionTimeout, p.Function.TimeoutSeconds, minTimeout, maxTimeout))
	add(oneOf(KeyLogRetentionDays, p.Function.LogRetentionDays, logRetentionDays))
	add(inRange(KeyReservedConcurrency, p.Function.ReservedConcurrency, ReservedConcurrency.Min, ReservedConcurrency.Max))
	add(checkAlarmEmails(p))
	switch p.Table.CapacityMode {
	case OnDemand:
	case Provisioned:
		add(inRange(KeyTableReadCapacity, p.Table.ReadCapacity, TableCapacity.Min, TableCapacity.Max))
		add(inRange(KeyTableWriteCapacity, p.Table.WriteCapacity, TableCapacity.Min, TableCapacity.Max))
		add(inRange(KeyTableMaxReadCapacity, p.Table.MaxReadCapacity, max(p.Table.ReadCapacity, TableCapacity.Min), TableCapacity.Max))
		add(inRange(KeyTableMaxWriteCapacity, p.Table.MaxWriteCapacity, max(p.Table.WriteCapacity, TableCapacity.Min), TableCapacity.Max))
		add(inRange(KeyTableTargetUtilization, p.Table.TargetUtilization, TargetUtilization.Min, TargetUtilization.Max))
	default:
		add(fieldError(KeyTableCapacityMode, p.Table.CapacityMode, OnDemand+" or "+Provisioned))
	}
	add(inRange(KeyAuditExpirationDays, p.Audit.ExpirationDays, AuditExpiration.Min, AuditExpiration.Max))
	add(inRange(KeyFunctionErrorsAlarm, p.Alarms.FunctionErrorsThreshold, minThreshold, maxThreshold))
	add(inRange(KeyTableThrottleAlarm, p.Alarms.TableThrottleThreshold, minThreshold, maxThreshold))
	add(inRange(KeyMonthlyBudget, p.Cost.MonthlyBudgetUSD, 1, 1000000))
	return errs
}

// Invariant is a rule of the mission that no override may break.
type Invariant struct {
	Name  string
	check func(p Profile) error
}

// Invariants are refused with the rule named, whatever the stack files say.
var Invariants = []Invariant{
	{Name: "arm64 everywhere", check: func(p Profile) error {
		if p.Function.Architecture != "arm64" {
			return fmt.Errorf("function architecture %q breaks the rule \"arm64 everywhere\"", p.Function.Architecture)
		}
		return nil
	}},
	{Name: "point-in-time recovery on in production and off elsewhere", check: func(p Profile) error {
		if p.Table.PointInTimeRecovery != p.Production() {
			return fmt.Errorf("config %s = \"%t\" breaks the rule \"point-in-time recovery on in production and off elsewhere\" (%s, tier %s)",
				qualified(KeyPointInTimeRecovery), p.Table.PointInTimeRecovery, p.Environment, p.Tier)
		}
		return nil
	}},
	{Name: "on-demand capacity in development, provisioned in pre-production and production", check: func(p Profile) error {
		want := Provisioned
		if p.Tier == Development {
			want = OnDemand
		}
		if p.Table.CapacityMode != want {
			return fmt.Errorf("config %s = %q breaks the rule \"on-demand capacity in development, provisioned in pre-production and production\" (%s, tier %s, must be %s)",
				qualified(KeyTableCapacityMode), p.Table.CapacityMode, p.Environment, p.Tier, want)
		}
		return nil
	}},
}

// CheckPrivateCIDR accepts an RFC 1918 network between /16 and /24 written
// with its host bits zero; key names the setting in the error.
func CheckPrivateCIDR(key, cidr string) error {
	const allowed = "a private (RFC 1918) network from /16 to /24, such as 10.40.0.0/16"
	prefix, err := netip.ParsePrefix(cidr)
	if err != nil || !prefix.Addr().Is4() {
		return fmt.Errorf("config %s = %q: allowed %s", key, cidr, allowed)
	}
	if prefix.Masked() != prefix {
		return fmt.Errorf("config %s = %q: host bits are set (did you mean %s?); allowed %s", key, cidr, prefix.Masked(), allowed)
	}
	if prefix.Bits() < minPrefix || prefix.Bits() > maxPrefix {
		return fmt.Errorf("config %s = %q: prefix /%d; allowed %s", key, cidr, prefix.Bits(), allowed)
	}
	for _, r := range privateRanges {
		if r.Contains(prefix.Addr()) && r.Bits() <= prefix.Bits() {
			return nil
		}
	}
	return fmt.Errorf("config %s = %q: not a private range; allowed %s", key, cidr, allowed)
}

// ValidateSet checks what no single stack can: that the environments' VPC
// CIDRs do not overlap (they must stay peerable) and that no two share an
// account.
func ValidateSet(profiles []Profile) error {
	var errs []error
	for _, s := range Settings {
		if s.Varies != SameEverywhere || s.Get == nil || len(profiles) == 0 {
			continue
		}
		var each []string
		same := true
		for _, p := range profiles {
			each = append(each, fmt.Sprintf("%s=%s", p.Environment, s.Get(p)))
			same = same && s.Get(p) == s.Get(profiles[0])
		}
		if !same {
			errs = append(errs, fmt.Errorf("config %s must be the same in every environment (%s): set it identically in the %s stack files of dev, staging and prod",
				s.Qualified(), strings.Join(each, ", "), s.Owner))
		}
	}
	for i := range profiles {
		for j := i + 1; j < len(profiles); j++ {
			a, b := profiles[i], profiles[j]
			if overlap(a.Network.VpcCIDR, b.Network.VpcCIDR) {
				errs = append(errs, fmt.Errorf("config %s: %s (%s) overlaps %s (%s); allowed non-overlapping networks",
					qualified(KeyVpcCIDR), a.Environment, a.Network.VpcCIDR, b.Environment, b.Network.VpcCIDR))
			}
			if a.AccountID == b.AccountID {
				errs = append(errs, fmt.Errorf("account %s is used by both %s and %s: each environment has its own account",
					a.AccountID, a.Environment, b.Environment))
			}
		}
	}
	if len(errs) > 0 {
		return joinErrors("all environments", errs)
	}
	return nil
}

// overlapsWithOtherDefaults catches, at stack level, an override that collides
// with another environment's network.
func overlapsWithOtherDefaults(p Profile) []error {
	var errs []error
	for _, other := range p.OtherEnvironments() {
		o := defaults[other]
		if overlap(p.Network.VpcCIDR, o.Network.VpcCIDR) {
			errs = append(errs, fmt.Errorf("config %s = %q: overlaps the %s network %s; allowed a network disjoint from every other environment's",
				qualified(KeyVpcCIDR), p.Network.VpcCIDR, other, o.Network.VpcCIDR))
		}
	}
	return errs
}

func overlap(a, b string) bool {
	pa, errA := netip.ParsePrefix(a)
	pb, errB := netip.ParsePrefix(b)
	return errA == nil && errB == nil && pa.Overlaps(pb)
}

func inRange(key string, v, lo, hi int) error {
	if v < lo || v > hi {
		return fieldError(key, strconv.Itoa(v), fmt.Sprintf("%d-%d", lo, hi))
	}
	return nil
}

func oneOf(key string, v int, allowed []int) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fieldError(key, strconv.Itoa(v), fmt.Sprintf("one of %v (the periods CloudWatch Logs accepts)", allowed))
}

func checkTag(key, v string) error {
	if !tagPattern.MatchString(v) {
		return fieldError(key, v, "1-256 characters of letters, digits, spaces and _ . : / = + - @ (an AWS tag value)")
	}
	return nil
}

// checkAlarmEmails requires at least one subscriber of the alarm topic, each
// an e-mail address: an environment whose alarms reach nobody is refused.
func checkAlarmEmails(p Profile) error {
	if len(p.Alarms.Emails) == 0 {
		return fmt.Errorf("config %s is empty for %s: every environment's alarms need at least one subscriber; set alarms.emails for %s in pkg/profile/environments.yaml, or %s in observability/Pulumi.%s.yaml",
			qualified(KeyAlarmEmails), p.Environment, p.Environment, qualified(KeyAlarmEmails), p.Environment)
	}
	for _, e := range p.Alarms.Emails {
		if !emailPattern.MatchString(e) {
			return fieldError(KeyAlarmEmails, e, "an e-mail address such as oncall@example.com")
		}
	}
	return nil
}

// ValidateEntry validates p as environments.yaml states it, before any
// stack file's override: each bad setting is named by its key in that file
// under the environment ("dev.function.memoryMb = 100: allowed 128-10240"),
// which is what the user edited.
func ValidateEntry(p Profile) error {
	errs := validate(p)
	if len(errs) == 0 {
		return nil
	}
	var pairs []string
	for _, s := range Settings {
		if k := s.FileKey(); k != "" {
			pairs = append(pairs, "config "+s.Qualified()+" =", fmt.Sprintf("%s.%s =", p.Environment, k))
		}
	}
	pairs = append(pairs, fmt.Sprintf("account id %q of %s:", p.AccountID, p.Environment), fmt.Sprintf("%s.accountId = %q:", p.Environment, p.AccountID))
	inFile := strings.NewReplacer(pairs...)
	lines := make([]string, len(errs))
	for i, e := range errs {
		lines[i] = "  - " + inFile.Replace(e.Error())
	}
	return fmt.Errorf("%s: %s:\n%s", EnvironmentsFile, p.Environment, strings.Join(lines, "\n"))
}
