package awstype

import (
	"fmt"
	"math"
	"regexp"
	"strings"

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

// tablePrice: provisioned capacity from its floor to the autoscaling
// maximum, or on demand a write request for every payment's item and index
// entry; storage; and point-in-time recovery's backup storage when on.
func tablePrice(r Priced) []Charge {
	u := r.Usage()
	// Every payment writes one item under 1 KB, and its index entry.
	indexes := float64(len(list(r.Get("globalSecondaryIndexes"))))
	var out []Charge
	if r.Get("billingMode") == profile.Provisioned {
		floorR, floorW := number(r.Get("readCapacity")), number(r.Get("writeCapacity"))
		maxR, maxW := autoscalingMax(r, "ReadCapacityUnits"), autoscalingMax(r, "WriteCapacityUnits")
		copies := 1 + indexes // the table and each index are provisioned alike
		out = append(out,
			Charge{Dimension: "read capacity (floor to autoscaling max)", PriceID: "dynamodb-rcu-hour",
				Quantity: floorR * copies * HoursPerMonth, Ceiling: maxR * copies * HoursPerMonth, Idle: true},
			Charge{Dimension: "write capacity (floor to autoscaling max)", PriceID: "dynamodb-wcu-hour",
				Quantity: floorW * copies * HoursPerMonth, Ceiling: maxW * copies * HoursPerMonth, Idle: true})
	} else {
		out = append(out, perUse("write request units (item and index)", "dynamodb-write-request-unit", u.PaymentsPerMonth*(1+indexes)))
	}
	out = append(out, perUse("storage", "dynamodb-storage-gb-month", u.TableSizeGB))
	if enabled, _ := r.Get("pointInTimeRecovery.enabled").(bool); enabled {
		out = append(out, perUse("point-in-time recovery", "dynamodb-pitr-gb-month", u.TableSizeGB))
	}
	return out
}

// autoscalingMax is the largest autoscaling maximum of the environment's
// targets of a dimension ("ReadCapacityUnits").
func autoscalingMax(r Priced, dimension string) float64 {
	best := 0.0
	for _, t := range r.Each(ScalingTarget) {
		if strings.HasSuffix(fmt.Sprint(t.Get("scalableDimension")), dimension) {
			best = math.Max(best, number(t.Get("maxCapacity")))
		}
	}
	return best
}

func init() {
	registerCeiling(5, Ceiling{Unnamed: []string{"application-autoscaling:*"}})
	registerCeiling(15, Ceiling{Unnamed: []string{"kms:*"}})
	registerCeiling(30, Ceiling{Named: []string{"dynamodb:*"},
		Resources: func(s iampolicy.Scope, own string) []string { return []string{s.Table(own), s.Table(own) + "/*"} }})
	registerGrants(30, tableGrants)
	registerGrants(50, keyGrants)
	register(dataCalls,
		Type{Token: Table, IDIsName: true, Holds: "the transactions in it", Immutable: []string{"hashKey", "rangeKey"},
			ARN:     func(s iampolicy.Scope, r Named) string { return s.Table(r.Name) },
			Summary: []string{"billingMode", "readCapacity", "writeCapacity", "pointInTimeRecovery.enabled", "deletionProtectionEnabled"},
			Find:    &Finder{TagFilter: "dynamodb:table", ID: AfterSlash, ByName: DescribeTable},
			Price:   tablePrice,
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
			Find:     &Finder{TagFilter: "kms:key", ID: AfterSlash},
			Computed: func(_ iampolicy.Scope, r Named, _ string) map[string]string { return map[string]string{"keyId": r.ID} },
			Price: func(r Priced) []Charge {
				return []Charge{{Dimension: "key", PriceID: "kms-key-month", Quantity: 1, Idle: true},
					perUse("requests", "kms-request", r.Usage().KMSRequestsPerMonth)}
			}},
		Type{Token: Alias, Untaggable: true, IDIsName: true, ARN: func(s iampolicy.Scope, r Named) string { return s.Alias(r.Name) },
			NoCharge: "aliases have no charge; the key is priced"},
	)
}

// dataCalls are the API calls the provider makes for each operation on
// this file's types, as IAM authorizes them (see Operations).
var dataCalls = map[string]Operations{
	Key: {
		// Tags at creation are authorized with the key's creation, on "*".
		Create: join(calls(star, "kms:CreateKey", "kms:TagResource"),
			calls(self, "kms:EnableKeyRotation", "kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags")),
		Read: calls(self, "kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"),
		// Each setting is written only when it changed (resourceKeyUpdate),
		// then the key is read again: a tag change never rewrites the
		// key's policy.
		Update: calls(self, "kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"),
		UpdateWhen: map[string][]Call{
			"enableKeyRotation": calls(self, "kms:EnableKeyRotation"),
			"description":       calls(self, "kms:UpdateKeyDescription"),
			"policy":            calls(self, "kms:PutKeyPolicy"),
			"tags":              calls(self, "kms:TagResource", "kms:UntagResource"),
		},
		Delete: calls(self, "kms:ScheduleKeyDeletion"),
	},
	Alias: {
		Create: join(calls(self, "kms:CreateAlias"), calls(ref("targetKeyId"), "kms:CreateAlias")),
		Read:   calls(star, "kms:ListAliases"),
		Update: join(calls(self, "kms:UpdateAlias"), calls(ref("targetKeyId"), "kms:UpdateAlias")),
		Delete: join(calls(self, "kms:DeleteAlias"), calls(ref("targetKeyId"), "kms:DeleteAlias")),
	},
	Table: {
		// A table under a customer-managed key: DynamoDB checks the
		// caller's kms:DescribeKey on it, and creates a grant for itself on
		// the caller's behalf, which KMS authorizes as the caller's
		// kms:CreateGrant with kms:GrantIsForAWSResource and
		// kms:ViaService set ("How Amazon DynamoDB uses AWS KMS",
		// https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html,
		// and the key's kms:GrantIsForAWSResource condition key,
		// https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource).
		Create: join(calls(self, "dynamodb:CreateTable", "dynamodb:TagResource", "dynamodb:DescribeTable", "dynamodb:UpdateContinuousBackups",
			"dynamodb:DescribeContinuousBackups", "dynamodb:DescribeTimeToLive", "dynamodb:ListTagsOfResource"),
			calls(ref("serverSideEncryption.kmsKeyArn"), "kms:DescribeKey"),
			withContext(calls(ref("serverSideEncryption.kmsKeyArn"), "kms:CreateGrant"), grantFor("dynamodb"))),
		Read:   calls(self, "dynamodb:DescribeTable", "dynamodb:DescribeContinuousBackups", "dynamodb:DescribeTimeToLive", "dynamodb:ListTagsOfResource"),
		Update: calls(self, "dynamodb:UpdateTable", "dynamodb:DescribeTable"),
		UpdateWhen: map[string][]Call{
			"pointInTimeRecovery": calls(self, "dynamodb:UpdateContinuousBackups"),
			"tags":                calls(self, "dynamodb:TagResource", "dynamodb:UntagResource"),
			// A table moved under another key has DynamoDB grant itself
			// that key, on the caller's behalf, as at creation.
			"serverSideEncryption": join(calls(ref("serverSideEncryption.kmsKeyArn"), "kms:DescribeKey"),
				withContext(calls(ref("serverSideEncryption.kmsKeyArn"), "kms:CreateGrant"), grantFor("dynamodb"))),
		},
		Delete: calls(self, "dynamodb:DeleteTable", "dynamodb:DescribeTable"),
	},
	TableResourcePolicy: {
		Create: calls(ref("resourceArn"), "dynamodb:PutResourcePolicy", "dynamodb:GetResourcePolicy"),
		Read:   calls(ref("resourceArn"), "dynamodb:GetResourcePolicy"),
		Update: calls(ref("resourceArn"), "dynamodb:PutResourcePolicy"),
		Delete: calls(ref("resourceArn"), "dynamodb:DeleteResourcePolicy"),
	},
	ScalingTarget: {
		Create: calls(star, "application-autoscaling:RegisterScalableTarget", "application-autoscaling:DescribeScalableTargets", "application-autoscaling:TagResource"),
		Read:   calls(star, "application-autoscaling:DescribeScalableTargets", "application-autoscaling:ListTagsForResource"),
		Update: calls(star, "application-autoscaling:RegisterScalableTarget"),
		Delete: calls(star, "application-autoscaling:DeregisterScalableTarget"),
	},
	ScalingPolicy: {
		Create: calls(star, "application-autoscaling:PutScalingPolicy", "application-autoscaling:DescribeScalingPolicies"),
		Read:   calls(star, "application-autoscaling:DescribeScalingPolicies"),
		Update: calls(star, "application-autoscaling:PutScalingPolicy"),
		Delete: calls(star, "application-autoscaling:DeleteScalingPolicy"),
	},
}

// tableGrants are the deployer's grants on the table and its autoscaling.
func tableGrants(g Grantee) []iampolicy.Statement {
	s, inRegion := g.Workload.Scope, g.InRegion()
	return []iampolicy.Statement{
		{
			Sid: "TransactionsTable", Effect: "Allow",
			Resource: []string{s.Table(g.Workload.Table()), s.Indexes(g.Workload.Table())},
			Action: []string{
				"dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:DescribeContinuousBackups", "dynamodb:DescribeTable",
				"dynamodb:DescribeTimeToLive", "dynamodb:ListTagsOfResource", "dynamodb:TagResource", "dynamodb:UntagResource",
				"dynamodb:UpdateContinuousBackups", "dynamodb:UpdateTable", "dynamodb:GetResourcePolicy", "dynamodb:PutResourcePolicy",
			},
		},
		{
			// Application Auto Scaling has no resource-level permissions.
			Sid: "TableAutoscaling", Effect: "Allow", Resource: []string{"*"}, Condition: inRegion,
			Action: []string{
				"application-autoscaling:DeleteScalingPolicy", "application-autoscaling:DeregisterScalableTarget",
				"application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingPolicies",
				"application-autoscaling:ListTagsForResource", "application-autoscaling:PutScalingPolicy",
				"application-autoscaling:RegisterScalableTarget", "application-autoscaling:TagResource",
			},
		},
	}
}

// keyGrants are the deployer's grants on the environment key and its alias.
func keyGrants(g Grantee) []iampolicy.Statement {
	region, account, ownTags, inRegion := g.Workload.Scope.Region, g.Workload.Scope.Account, g.OwnTags, g.InRegion()
	return []iampolicy.Statement{
		{
			// A key's ARN is random, so keys are reached by their tags (the
			// guardrail denies every key not tagged for this environment).
			Sid: "CreateTheEnvironmentKey", Effect: "Allow", Resource: []string{"*"},
			Action:    []string{"kms:CreateKey", "kms:TagResource"},
			Condition: g.CreateTagged,
		},
		{
			Sid: "ManageTheEnvironmentKey", Effect: "Allow", Resource: []string{fmt.Sprintf("arn:aws:kms:%s:%s:key/*", region, account)},
			Action: []string{
				"kms:DescribeKey", "kms:EnableKeyRotation", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus",
				"kms:ListResourceTags", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:UpdateKeyDescription",
			},
			Condition: ownTags,
		},
		{
			// DynamoDB creates the grant it needs on the key when the
			// table is created under it, on the deployer's behalf
			// (kms:GrantIsForAWSResource). The deployer itself grants
			// nothing: a grant would let anyone it names use the key.
			Sid: "GrantsOnlyForAWSServices", Effect: "Allow", Resource: []string{fmt.Sprintf("arn:aws:kms:%s:%s:key/*", region, account)},
			Action: []string{"kms:CreateGrant"},
			// (Keys not tagged for this environment: its guardrail.)
			Condition: iampolicy.Condition{"Bool": {"kms:GrantIsForAWSResource": {"true"}}},
		},
		{
			Sid: "TheEnvironmentKeyAlias", Effect: "Allow",
			Resource: []string{fmt.Sprintf("arn:aws:kms:%s:%s:%s", region, account, g.Workload.KeyAlias()), fmt.Sprintf("arn:aws:kms:%s:%s:key/*", region, account)},
			Action:   []string{"kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"},
		},
		{Sid: "ListKeyAliases", Effect: "Allow", Action: []string{"kms:ListAliases"}, Resource: []string{"*"}, Condition: inRegion},
	}
}
