package awstype

// Charge is one priced dimension of one resource: a quantity a month of one
// price of the price list (costs/prices.yaml).
type Charge struct {
	Dimension string
	PriceID   string
	Quantity  float64
	// Ceiling is the quantity at the autoscaling maximum, where it is
	// above Quantity.
	Ceiling float64
	// Idle: paid whether or not anything runs (hours provisioned, monthly
	// fees); otherwise the charge follows usage.
	Idle bool
}

// Pricing is how a type's resources are priced: their charges a month.
type Pricing func(r Priced) []Charge

// Priced is a planned resource as its pricing reads it.
type Priced interface {
	// Get reads the resource's configuration at a property path
	// (`pointInTimeRecovery.enabled`); nil where it leads nowhere.
	Get(path string) any
	// PhysicalName is the resource's name in AWS.
	PhysicalName() string
	// Usage is the traffic a month the estimate assumes.
	Usage() Usage
	// Each lists the environment's resources of a type.
	Each(token string) []Priced
}

// Usage is the traffic a month an estimate assumes of an environment
// (costs/usage.yaml); a type's pricing reads the figures it is charged by.
type Usage struct {
	PaymentsPerMonth           float64 `yaml:"paymentsPerMonth"`
	AvgDurationMs              float64 `yaml:"avgDurationMs"`
	NatGBPerMonth              float64 `yaml:"natGBPerMonth"`
	FunctionLogGBPerMonth      float64 `yaml:"functionLogGBPerMonth"`
	FlowLogGBPerMonth          float64 `yaml:"flowLogGBPerMonth"`
	TableSizeGB                float64 `yaml:"tableSizeGB"`
	AuditObjectKB              float64 `yaml:"auditObjectKB"`
	KMSRequestsPerMonth        float64 `yaml:"kmsRequestsPerMonth"`
	AlarmNotificationsPerMonth float64 `yaml:"alarmNotificationsPerMonth"`
}

// HoursPerMonth is AWS's billing month (365 days × 24 h / 12).
const HoursPerMonth = 730

// monthly is a fee of one unit a month, paid idle (an alarm, a dashboard).
func monthly(dimension, priceID string) Pricing {
	return func(Priced) []Charge {
		return []Charge{{Dimension: dimension, PriceID: priceID, Quantity: 1, Idle: true}}
	}
}

// hourly is a charge for every hour the resource exists, paid idle.
func hourly(dimension, priceID string) Charge {
	return Charge{Dimension: dimension, PriceID: priceID, Quantity: HoursPerMonth, Idle: true}
}

// perUse is a charge that follows usage.
func perUse(dimension, priceID string, quantity float64) Charge {
	return Charge{Dimension: dimension, PriceID: priceID, Quantity: quantity}
}

func number(v any) float64 {
	f, _ := v.(float64)
	return f
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}
