package component

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/pkg/datapolicy"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/naming"
)

// KeyDeletionWindowDays is how long a key scheduled for deletion (by a
// destroy) can still be recovered: AWS's minimum, so a destroyed environment
// is gone within a week, and a mistaken destroy has a week to be undone.
const KeyDeletionWindowDays = 7

// EnvironmentKeyArgs configures an EnvironmentKey.
type EnvironmentKeyArgs struct {
	Names naming.Namer
	Scope iampolicy.Scope
	// BreakGlassRole, when set (prod), is the only principal that may later
	// change the key's policy, disable it or schedule its deletion.
	BreakGlassRole string
}

// EnvironmentKey is the environment's customer-managed KMS key: the table,
// the audit bucket, the alarm topic and both log groups are encrypted with
// it, so its key policy decides who may read them, and it lets CloudWatch
// deliver alarms to the encrypted topic.
type EnvironmentKey struct {
	pulumi.ResourceState

	Arn       pulumi.StringOutput
	AliasName string
}

// NewEnvironmentKey creates the key, with yearly rotation, and its alias.
func NewEnvironmentKey(ctx *pulumi.Context, name string, args EnvironmentKeyArgs, opts ...pulumi.ResourceOption) (*EnvironmentKey, error) {
	aliasName, err := args.Names.Name(naming.KMSAlias, naming.EnvironmentKey)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", EnvironmentKeyToken, name, err)
	}
	c := &EnvironmentKey{AliasName: "alias/" + aliasName}
	if err := ctx.RegisterComponentResource(EnvironmentKeyToken, name, c, opts...); err != nil {
		return nil, err
	}
	keyArgs := &kms.KeyArgs{
		Description:          pulumi.String(fmt.Sprintf("Encrypts the %s payments table, audit records, alarm topic and log groups", args.Names.Env())),
		KeyUsage:             pulumi.String("ENCRYPT_DECRYPT"),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(KeyDeletionWindowDays),
		Policy:               pulumi.String(datapolicy.KeyPolicy(args.Scope, args.Names, args.BreakGlassRole).JSON()),
	}
	if args.BreakGlassRole != "" {
		// KMS refuses a policy the caller could not change afterwards
		// unless told this is meant: with a break-glass role, only that role
		// may change it, the deployer that creates the key included.
		keyArgs.BypassPolicyLockoutSafetyCheck = pulumi.Bool(true)
	}
	key, err := kms.NewKey(ctx, name, keyArgs, pulumi.Parent(c))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", EnvironmentKeyToken, name, err)
	}
	if _, err := kms.NewAlias(ctx, name, &kms.AliasArgs{
		Name:        pulumi.String(c.AliasName),
		TargetKeyId: key.KeyId,
	}, pulumi.Parent(c)); err != nil {
		return nil, fmt.Errorf("%s %s: %w", EnvironmentKeyToken, name, err)
	}
	c.Arn = key.Arn
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"arn": key.Arn, "alias": pulumi.String(c.AliasName)}); err != nil {
		return nil, err
	}
	return c, nil
}
