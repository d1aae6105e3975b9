package profile

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func baseConfig(env, account string) map[string]string {
	return map[string]string{
		"aws:region":                 "us-east-1",
		"aws:allowedAccountIds":      `["` + account + `"]`,
		"payments:environmentSuffix": fixture.DevSuffix,
	}
}

var accounts = map[string]string{"dev": fixture.DevAccount, "staging": fixture.StagingAccount, "prod": fixture.ProdAccount}

// The table of The environment table (docs/environments.md), written out.
func TestDefaultsMatchTheSpecTable(t *testing.T) {
	type row struct {
		account, cidr                 string
		nats                          int
		flowLogs                      bool
		memory, retention             int
		mode                          string
		rcu, wcu, maxRCU, maxWCU, tgt int
		pitr                          bool
		expiration, errors, throttles int
	}
	want := map[string]row{
		"dev":     {fixture.DevAccount, "10.10.0.0/16", 1, false, 512, 30, "PAY_PER_REQUEST", 0, 0, 0, 0, 70, false, 30, 10, 50},
		"staging": {fixture.StagingAccount, "10.20.0.0/16", 1, true, 1024, 90, "PROVISIONED", 5, 5, 50, 50, 70, false, 90, 5, 10},
		"prod":    {fixture.ProdAccount, "10.30.0.0/16", 2, true, 2048, 365, "PROVISIONED", 25, 25, 500, 500, 70, true, 365, 1, 1},
	}
	for env, w := range want {
		t.Run(env, func(t *testing.T) {
			p, err := Load(env, FromMap(baseConfig(env, accounts[env])))
			require.NoError(t, err)
			got := row{p.AccountID, p.Network.VpcCIDR, p.Network.NatGateways, p.Network.FlowLogs,
				p.Function.MemoryMB, p.Function.LogRetentionDays, p.Table.CapacityMode,
				p.Table.ReadCapacity, p.Table.WriteCapacity, p.Table.MaxReadCapacity, p.Table.MaxWriteCapacity,
				p.Table.TargetUtilization, p.Table.PointInTimeRecovery, p.Audit.ExpirationDays,
				p.Alarms.FunctionErrorsThreshold, p.Alarms.TableThrottleThreshold}
			assert.Equal(t, w, got)
			assert.Equal(t, "us-east-1", p.Region)
			assert.Equal(t, "arm64", p.Function.Architecture)
			assert.Equal(t, fixture.DevSuffix, p.Suffix)
		})
	}
}

func TestOverridesAreApplied(t *testing.T) {
	cfg := baseConfig("staging", accounts["staging"])
	cfg["payments:lambdaMemoryMb"] = "1536"
	cfg["payments:tableMaxReadCapacity"] = "80"
	cfg["payments:flowLogs"] = "false"
	p, err := Load("staging", FromMap(cfg))
	require.NoError(t, err)
	assert.Equal(t, 1536, p.Function.MemoryMB)
	assert.Equal(t, 80, p.Table.MaxReadCapacity)
	assert.False(t, p.Network.FlowLogs)
}

func TestEnvironmentKeyOverridesStackName(t *testing.T) {
	cfg := baseConfig("prod", accounts["prod"])
	cfg["payments:environment"] = "prod"
	p, err := Load("prod-blue", FromMap(cfg))
	require.NoError(t, err)
	assert.Equal(t, Prod, p.Environment)
}

// One case per validation rule: each names the key, the value and what is
// allowed.
func TestValidationErrors(t *testing.T) {
	cases := []struct {
		name, env string
		set       map[string]string
		unset     []string
		want      []string
	}{
		{"unknown environment", "qa", nil, nil, []string{`payments:environment`, `unknown environment "qa"`, "allowed dev, staging, prod"}},
		{"missing suffix", "dev", nil, []string{"payments:environmentSuffix"}, []string{"payments:environmentSuffix is not set", "3-12 lowercase letters or digits"}},
		{"suffix too short", "dev", map[string]string{"payments:environmentSuffix": "p1"}, nil, []string{`payments:environmentSuffix = "p1"`, "3-12 lowercase"}},
		{"suffix too long", "dev", map[string]string{"payments:environmentSuffix": "abcdefghijklm"}, nil, []string{`"abcdefghijklm"`}},
		{"suffix uppercase", "dev", map[string]string{"payments:environmentSuffix": "Pay01"}, nil, []string{`"Pay01"`}},
		{"memory too low", "dev", map[string]string{"payments:lambdaMemoryMb": "64"}, nil, []string{`payments:lambdaMemoryMb = "64": allowed 128-10240`}},
		{"memory too high", "prod", map[string]string{"payments:lambdaMemoryMb": "10241"}, nil, []string{`payments:lambdaMemoryMb = "10241": allowed 128-10240`}},
		{"memory not a number", "dev", map[string]string{"payments:lambdaMemoryMb": "lots"}, nil, []string{`payments:lambdaMemoryMb = "lots": allowed a whole number`}},
		{"retention not accepted by CloudWatch", "dev", map[string]string{"payments:logRetentionDays": "45"}, nil, []string{`payments:logRetentionDays = "45": allowed one of [1 3 5 7 14 30 60 90`}},
		{"read capacity zero", "staging", map[string]string{"payments:tableReadCapacity": "0"}, nil, []string{`payments:tableReadCapacity = "0": allowed 1-40000`}},
		{"write capacity too high", "prod", map[string]string{"payments:tableWriteCapacity": "40001"}, nil, []string{`payments:tableWriteCapacity = "40001": allowed 1-40000`}},
		{"max below min", "prod", map[string]string{"payments:tableMaxReadCapacity": "10"}, nil, []string{`payments:tableMaxReadCapacity = "10": allowed 25-40000`}},
		{"target utilization", "prod", map[string]string{"payments:tableTargetUtilization": "95"}, nil, []string{`payments:tableTargetUtilization = "95": allowed 20-90`}},
		{"capacity mode", "dev", map[string]string{"payments:tableCapacityMode": "ON_DEMAND"}, nil, []string{`payments:tableCapacityMode = "ON_DEMAND": allowed PAY_PER_REQUEST or PROVISIONED`}},
		{"expiration", "dev", map[string]string{"payments:auditLogExpirationDays": "0"}, nil, []string{`payments:auditLogExpirationDays = "0": allowed 1-3650`}},
		{"errors threshold", "prod", map[string]string{"payments:lambdaErrorsThreshold": "0"}, nil, []string{`payments:lambdaErrorsThreshold = "0": allowed 1-100000`}},
		{"throttle threshold", "prod", map[string]string{"payments:tableThrottleThreshold": "-1"}, nil, []string{`payments:tableThrottleThreshold = "-1": allowed 1-100000`}},
		{"flow logs not a bool", "dev", map[string]string{"payments:flowLogs": "maybe"}, nil, []string{`payments:flowLogs = "maybe": allowed true or false`}},
		{"cidr not a cidr", "dev", map[string]string{"payments:vpcCidr": "10.10.0.0"}, nil, []string{`payments:vpcCidr = "10.10.0.0"`, "private (RFC 1918) network from /16 to /24"}},
		{"cidr public", "dev", map[string]string{"payments:vpcCidr": "52.0.0.0/16"}, nil, []string{`"52.0.0.0/16": not a private range`}},
		{"cidr too large", "dev", map[string]string{"payments:vpcCidr": "10.0.0.0/8"}, nil, []string{`"10.0.0.0/8": prefix /8`}},
		{"cidr too small", "dev", map[string]string{"payments:vpcCidr": "10.50.0.0/28"}, nil, []string{`"10.50.0.0/28": prefix /28`}},
		{"cidr host bits", "dev", map[string]string{"payments:vpcCidr": "10.50.1.0/16"}, nil, []string{`host bits are set (did you mean 10.50.0.0/16?)`}},
		{"cidr overlaps another environment", "dev", map[string]string{"payments:vpcCidr": "10.20.128.0/20"}, nil, []string{`payments:vpcCidr = "10.20.128.0/20": overlaps the staging network 10.20.0.0/16`}},
		{"nat gateways", "prod", map[string]string{"payments:natGateways": "3"}, nil, []string{`payments:natGateways = "3": allowed 0-2`}},
		{"allowed accounts missing", "dev", nil, []string{"aws:allowedAccountIds"}, []string{`aws:allowedAccountIds is not set: it must be ["` + fixture.DevAccount + `"]`}},
		{"another environment's account", "prod", map[string]string{"aws:allowedAccountIds": `["` + fixture.DevAccount + `"]`}, nil, []string{`aws:allowedAccountIds = ["` + fixture.DevAccount + `"]: must be ["` + fixture.ProdAccount + `"], the prod account`}},
		{"region", "staging", map[string]string{"aws:region": "us-west-2"}, nil, []string{`aws:region = "us-west-2": the staging environment runs in us-east-1`}},
		{"tag value", "dev", map[string]string{"payments:costCenter": "cc#1"}, nil, []string{`payments:costCenter = "cc#1"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			account := accounts[tc.env]
			if account == "" {
				account = accounts["dev"]
			}
			cfg := baseConfig(tc.env, account)
			for k, v := range tc.set {
				cfg[k] = v
			}
			for _, k := range tc.unset {
				delete(cfg, k)
			}
			_, err := Load(tc.env, FromMap(cfg))
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestAccountIDMustBeTwelveDigits(t *testing.T) {
	p, _ := Default(Dev)
	p.Suffix = fixture.DevSuffix
	for _, bad := range []string{"12345678901", fixture.DevAccount + "3", "12345678901a", ""} {
		p.AccountID = bad
		err := Validate(p)
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), `account id "`+bad+`" of dev: allowed exactly 12 digits`)
	}
	p.AccountID = fixture.DevAccount
	assert.NoError(t, Validate(p))
}

func TestValidateSetFindsOverlapsAndSharedAccounts(t *testing.T) {
	var all []Profile
	for _, env := range Environments() {
		p, _ := Default(env)
		p.Suffix = fixture.DevSuffix
		all = append(all, p)
	}
	require.NoError(t, ValidateSet(all))

	all[1].Network.VpcCIDR = "10.10.128.0/17"
	err := ValidateSet(all)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "dev (10.10.0.0/16) overlaps staging (10.10.128.0/17)")

	all[1].Network.VpcCIDR = "10.20.0.0/16"
	all[2].AccountID = all[0].AccountID
	err = ValidateSet(all)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "account "+fixture.DevAccount+" is used by both dev and prod")
}

func TestAllErrorsAreReportedAtOnce(t *testing.T) {
	cfg := baseConfig("dev", accounts["dev"])
	cfg["payments:lambdaMemoryMb"] = "64"
	cfg["payments:auditLogExpirationDays"] = "0"
	_, err := Load("dev", FromMap(cfg))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "payments:lambdaMemoryMb")
	assert.Contains(t, err.Error(), "payments:auditLogExpirationDays")
}

// Every environment's alarms reach someone: the defaults name a subscriber
// for each, an override replaces them, and an empty list or a bad address is
// refused naming the key, the environment and where to set it.
func TestAlarmEmails(t *testing.T) {
	want := map[string][]string{
		"dev":     {"payments-dev-alarms@example.com"},
		"staging": {"payments-staging-alarms@example.com"},
		"prod":    {"payments-oncall@example.com"},
	}
	for env, emails := range want {
		p, err := Load(env, FromMap(baseConfig(env, accounts[env])))
		require.NoError(t, err)
		assert.Equal(t, emails, p.Alarms.Emails, env)
	}

	cfg := baseConfig("dev", accounts["dev"])
	cfg["payments:alarmEmails"] = `["oncall@example.com", "lead@example.com"]`
	p, err := Load("dev", FromMap(cfg))
	require.NoError(t, err)
	assert.Equal(t, []string{"oncall@example.com", "lead@example.com"}, p.Alarms.Emails)

	for raw, says := range map[string]string{
		`[]`:                 "config payments:alarmEmails is empty for staging: every environment's alarms need at least one subscriber; set alarms.emails for staging in pkg/profile/environments.yaml, or payments:alarmEmails in observability/Pulumi.staging.yaml",
		`["not-an-address"]`: `config payments:alarmEmails = "not-an-address": allowed an e-mail address such as oncall@example.com`,
		`oncall@example.com`: `config payments:alarmEmails = "oncall@example.com": allowed a list of e-mail addresses, such as ["oncall@example.com"]`,
	} {
		cfg := baseConfig("staging", accounts["staging"])
		cfg["payments:alarmEmails"] = raw
		_, err := Load("staging", FromMap(cfg))
		require.Error(t, err, raw)
		assert.Contains(t, err.Error(), says)
	}
}

func TestParseEnvironment(t *testing.T) {
	for _, ok := range []string{"dev", "staging", "prod"} {
		env, err := ParseEnvironment(ok)
		require.NoError(t, err)
		assert.Equal(t, Environment(ok), env)
	}
	_, err := ParseEnvironment("production")
	require.Error(t, err)
	assert.Equal(t, `unknown environment "production": allowed dev, staging, prod`, err.Error())
}

func TestReadStackFile(t *testing.T) {
	cfg, err := ReadStackFile("../../network/Pulumi.prod.yaml")
	require.NoError(t, err)
	assert.Equal(t, "us-east-1", cfg["aws:region"])
	assert.Equal(t, `["`+fixture.ProdAccount+`"]`, cfg["aws:allowedAccountIds"])
	assert.Equal(t, fixture.DevSuffix, cfg["payments:environmentSuffix"])
}

func TestMisspeltSettingsAreRefused(t *testing.T) {
	cfg := baseConfig("prod", accounts["prod"])
	cfg["payments:lambdaMemoryMB"] = "4096" // the key is lambdaMemoryMb
	cfg["payments:tip"] = "5"
	cfg["network:anything"] = "x" // other namespaces are not ours to judge
	err := CheckKeys("prod", cfg)
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, `invalid configuration for stack "prod"`)
	assert.Contains(t, msg, `config payments:lambdaMemoryMB = "4096" is not a payments setting (did you mean payments:lambdaMemoryMb?): allowed environment, environmentSuffix,`)
	assert.Contains(t, msg, `config payments:tip = "5" is not a payments setting: allowed`)
	assert.NotContains(t, msg, "network:anything")
	assert.NotContains(t, msg, "aws:region")

	require.NoError(t, CheckKeys("prod", baseConfig("prod", accounts["prod"])))
}

// Every accepted key must change something: a key in SettingKeys that Load
// never reads would pass CheckKeys and still be ignored.
func TestEverySettingKeyIsRead(t *testing.T) {
	for _, key := range SettingKeys {
		t.Run(key, func(t *testing.T) {
			cfg := baseConfig("staging", accounts["staging"])
			read := false
			get := func(k string) (string, bool) {
				if k == Namespace+":"+key {
					read = true
				}
				v, ok := cfg[k]
				return v, ok
			}
			_, err := Load("staging", get)
			require.NoError(t, err)
			assert.True(t, read, "no setting reads payments:%s", key)
		})
	}
}

func TestStackFilesWithUnknownSettingsAreRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "Pulumi.staging.yaml")
	require.NoError(t, os.WriteFile(path, []byte("config:\n  payments:environmentSuffix: "+fixture.DevSuffix+"\n  payments:natGateway: 2\n"), 0o644))
	_, err := ReadStackFile(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), path)
	assert.Contains(t, err.Error(), `config payments:natGateway = "2" is not a payments setting (did you mean payments:natGateways?)`)
}

// Every setting a stack file may override has its key in environments.yaml,
// found from the profile's fields.
func TestEverySettingHasItsKeyInTheEnvironmentsFile(t *testing.T) {
	keys := map[string]string{}
	for _, s := range Settings {
		keys[s.Key] = s.FileKey()
	}
	assert.Equal(t, "", keys[KeyEnvironment], "the environment is the file's top-level key, not a setting in it")
	delete(keys, KeyEnvironment)
	for k, fileKey := range keys {
		assert.NotEmpty(t, fileKey, k)
	}
	assert.Equal(t, "function.memoryMb", keys[KeyFunctionMemoryMB])
	assert.Equal(t, "environmentSuffix", keys[KeySuffix])
	assert.Equal(t, "network.vpcCidr", keys[KeyVpcCIDR])
	assert.Equal(t, "table.maxWriteCapacity", keys[KeyTableMaxWriteCapacity])
	assert.Equal(t, "alarms.emails", keys[KeyAlarmEmails])
	assert.Equal(t, "cost.monthlyBudgetUsd", keys[KeyMonthlyBudget])
}

// A bad value in environments.yaml is named as the user wrote it there: the
// file, the environment, the key under it, the value and what is allowed.
// What makes an environment special is its tier, not its name: staging
// marked production must keep point-in-time recovery on, and a tier the
// file leaves out or misspells is refused, naming the key and what is
// allowed.
func TestTheTierDecidesTheProductionRules(t *testing.T) {
	p, err := Planned(Staging)
	require.NoError(t, err)
	assert.False(t, p.Production())
	assert.True(t, p.ConfirmsDestroy())
	p.Tier = Production
	assert.True(t, p.Production())
	err = ValidateEntry(p)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `staging.table.pointInTimeRecovery = "false" breaks the rule "point-in-time recovery on in production and off elsewhere" (staging, tier production)`)
	p.Table.PointInTimeRecovery = true
	assert.NoError(t, ValidateEntry(p))

	dev, err := Planned(Dev)
	require.NoError(t, err)
	assert.False(t, dev.ConfirmsDestroy())
	for _, tier := range []Tier{"", "prod"} {
		dev.Tier = tier
		err = ValidateEntry(dev)
		require.Error(t, err)
		assert.Contains(t, err.Error(), fmt.Sprintf(`dev.tier = %q: allowed development, pre-production or production`, tier))
	}
}

func TestABadEntryIsNamedAsTheEnvironmentsFileHasIt(t *testing.T) {
	p, err := Planned(Staging)
	require.NoError(t, err)
	p.Function.MemoryMB = 100
	p.Table.PointInTimeRecovery = true
	err = ValidateEntry(p)
	require.Error(t, err)
	assert.Equal(t, "pkg/profile/environments.yaml: staging:\n"+
		"  - staging.table.pointInTimeRecovery = \"true\" breaks the rule \"point-in-time recovery on in production and off elsewhere\" (staging, tier pre-production)\n"+
		"  - staging.function.memoryMb = \"100\": allowed 128-10240", err.Error())
	p, err = Planned(Staging)
	require.NoError(t, err)
	assert.NoError(t, ValidateEntry(p))
}
