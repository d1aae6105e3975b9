package stacktest

import (
	"fmt"

	"github.com/acmepay/platform/pkg/fixture"
)

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
	{Name: "dev", Account: fixture.DevAccount, Suffix: fixture.DevSuffix, CostCenter: "payments-dev", DataClassification: "confidential"},
	{Name: "staging", Account: fixture.StagingAccount, Suffix: fixture.DevSuffix, CostCenter: "payments-staging", DataClassification: "confidential"},
	{Name: "prod", Account: fixture.ProdAccount, Suffix: fixture.DevSuffix, CostCenter: "payments-prod", DataClassification: "restricted"},
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
