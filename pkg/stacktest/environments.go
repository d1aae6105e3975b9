package stacktest

import "fmt"

// Environment is what every layer's tests expect of one environment, written
// out once here rather than read back from pkg/profile: a change to the
// profiles must be made to the expectations too, on purpose.
type Environment struct {
	Name               string
	Account            string
	Suffix             string
	CostCenter         string
	DataClassification string
}

// Environments are dev, staging and prod as docs/environments.md states them.
var Environments = []Environment{
	{Name: "dev", Account: "123456789012", Suffix: "pay01", CostCenter: "payments-dev", DataClassification: "confidential"},
	{Name: "staging", Account: "234567890123", Suffix: "pay01", CostCenter: "payments-staging", DataClassification: "confidential"},
	{Name: "prod", Account: "345678901234", Suffix: "pay01", CostCenter: "payments-prod", DataClassification: "restricted"},
}

// Env returns one of Environments by name.
func Env(name string) Environment {
	for _, e := range Environments {
		if e.Name == name {
			return e
		}
	}
	panic(fmt.Sprintf("stacktest: no environment %q", name))
}
