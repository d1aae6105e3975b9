package awstype

import (
	"regexp"

	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/iampolicy/validity"
	"github.com/acmepay/platform/pkg/profile"
)

// The data layer's types, and the key every layer encrypts with.
const (
	Table               = "aws:dynamodb/table:Table"
	TableResourcePolicy = "aws:dynamodb/resourcePolicy:ResourcePolicy"
	ScalingTarget       = "aws:appautoscaling/target:Target"
	ScalingPolicy       = "aws:appautoscaling/policy:Policy"
	Key                 = "aws:kms/key:Key"
	Alias               = "aws:kms/alias:Alias"
)

func init() {
	register(
		Type{Token: Table, IDIsName: true, Holds: "the transactions in it", Immutable: []string{"hashKey", "rangeKey"},
			ARN:     func(s iampolicy.Scope, r Named) string { return s.Table(r.Name) },
			Summary: []string{"billingMode", "readCapacity", "writeCapacity", "pointInTimeRecovery.enabled", "deletionProtectionEnabled"},
			Find:    &Finder{TagFilter: "dynamodb:table", ID: AfterSlash, ByName: DescribeTable},
			Settings: []Setting{
				setting("transactions", `pointInTimeRecovery\.enabled`, profile.KeyPointInTimeRecovery),
				setting("transactions", "billingMode", profile.KeyTableCapacityMode),
			},
			// Application Auto Scaling moves provisioned capacity between the
			// floor in code and the autoscaling maximum.
			ManagedBy: regexp.MustCompile(`^(readCapacity|writeCapacity|globalSecondaryIndexes\[\d+\]\.(readCapacity|writeCapacity))$`),
		},
		Type{Token: TableResourcePolicy, Untaggable: true, Document: &Document{"policy", validity.TablePolicy},
			NoCharge: "DynamoDB resource policies have no charge"},
		Type{Token: ScalingTarget, Immutable: []string{"serviceNamespace", "resourceId", "scalableDimension"},
			Summary:    []string{"scalableDimension", "minCapacity", "maxCapacity"},
			Unfindable: "no lookup is written for it: a registration is one quick call, settled by hand after a kill",
			NoCharge:   "Application Auto Scaling has no charge; the capacity it sets is priced on the table",
			Settings: []Setting{
				setting("transactions-(table|index)-read", "minCapacity", profile.KeyTableReadCapacity),
				setting("transactions-(table|index)-write", "minCapacity", profile.KeyTableWriteCapacity),
				setting("transactions-(table|index)-read", "maxCapacity", profile.KeyTableMaxReadCapacity),
				setting("transactions-(table|index)-write", "maxCapacity", profile.KeyTableMaxWriteCapacity),
			},
		},
		Type{Token: ScalingPolicy, Untaggable: true, Immutable: []string{"serviceNamespace", "resourceId", "scalableDimension"},
			NoCharge: "Application Auto Scaling has no charge",
			Settings: []Setting{setting("transactions-.*", `targetTrackingScalingPolicyConfiguration\.targetValue`, profile.KeyTableTargetUtilization)},
		},
		// Deleting or replacing the key makes the table, the audit records
		// and the logs encrypted under it unreadable.
		Type{Token: Key, Holds: "every table item, audit record and log encrypted under it", Immutable: []string{"keyUsage", "customerMasterKeySpec"},
			ARN:      func(s iampolicy.Scope, r Named) string { return s.Key(r.ID) },
			Document: &Document{"policy", validity.KeyPolicy},
			Find:     &Finder{TagFilter: "kms:key", ID: AfterSlash}},
		Type{Token: Alias, Untaggable: true, IDIsName: true, ARN: func(s iampolicy.Scope, r Named) string { return s.Alias(r.Name) },
			NoCharge: "aliases have no charge; the key is priced"},
	)
}
