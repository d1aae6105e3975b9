// Package bootstrapstack is the program of an account's bootstrap: not a
// layer, deployed once per account by an administrator. In an environment's
// stack (dev, staging, prod) it creates what no deployment may change: the
// GitHub OIDC provider, the pipeline's deployer and read-only roles with
// their boundary and guardrails, the break-glass role, the workload
// permissions boundary and the bootstrap version every deployment checks. In
// the tooling stack it creates the state bucket and its key. Every document
// comes from pkg/bootstrapiam, where the tests evaluate it.
package bootstrapstack

import (
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/tagging"
	"github.com/acmepay/platform/pkg/workload"
)

// Name is the bootstrap project's name (its directory), and its config
// namespace.
const Name = bootstrapiam.Project

// Config keys of the bootstrap stacks.
const (
	// KeyAdoptOIDCProvider (an environment's stack): true when the account
	// already has GitHub's OIDC provider, which bootstrap then adopts.
	KeyAdoptOIDCProvider = "adoptOidcProvider"

	// KeyStateEnvironments (the tooling stack): the environments whose
	// accounts are bootstrapped. S3 and KMS refuse a policy naming a role
	// that does not exist, so an environment is listed once its
	// bootstrap:env has run.
	KeyStateEnvironments = "stateEnvironments"
)

// Outputs of the stacks.
const (
	OutputDeployerRole   = "deployerRoleArn"
	OutputReadOnlyRole   = "readOnlyRoleArn"
	OutputBreakGlassRole = "breakGlassRoleArn"
	// OutputReviewRole is the review role's ARN, in the account of the
	// review block's environment only.
	OutputReviewRole       = "reviewRoleArn"
	OutputWorkloadBoundary = "workloadBoundaryArn"
	OutputVersion          = "bootstrapVersion"
	OutputStateBucket      = "stateBucket"
	OutputStateKey         = "stateKeyArn"
)

// Program builds the selected stack.
func Program(ctx *pulumi.Context) error {
	pipe, err := profile.PlannedPipeline()
	if err != nil {
		return fmt.Errorf("%s: %w", Name, err)
	}
	// The bootstrap's own settings are in its project's namespace
	// (bootstrap:<key>); the payments settings belong to the layers.
	cfg := config.New(ctx, Name)
	if ctx.Stack() == bootstrapiam.ToolingStack {
		return tooling(ctx, pipe, cfg)
	}
	env, err := profile.ParseEnvironment(ctx.Stack())
	if err != nil {
		return fmt.Errorf("%s: stack %w, or %s", Name, err, bootstrapiam.ToolingStack)
	}
	p, err := profile.Planned(env)
	if err != nil {
		return err
	}
	a := bootstrapiam.Account{Profile: p, Pipeline: pipe}
	// Nothing is created from a document AWS would refuse, or with a
	// break-glass role nobody could assume.
	t, err := bootstrapiam.PlannedTooling()
	if err != nil {
		return err
	}
	files, err := a.Files()
	if err != nil {
		return err
	}
	if err := t.Valid(files); err != nil {
		return fmt.Errorf("%s: %w", Name, err)
	}
	var oidcOpts []pulumi.ResourceOption
	if cfg.GetBool(KeyAdoptOIDCProvider) {
		// The account holds GitHub's provider already: import it. Its
		// inputs match the program's (GitHub's provider is the same in every
		// account).
		oidcOpts = append(oidcOpts, pulumi.Import(pulumi.ID(a.OIDCProvider())))
	}
	return account(ctx, a, oidcOpts...)
}

// account creates an account's bootstrap; oidcOpts are the options of
// GitHub's OIDC provider.
func account(ctx *pulumi.Context, a bootstrapiam.Account, oidcOpts ...pulumi.ResourceOption) error {
	p := a.Profile
	if err := tagging.Register(ctx, tagging.Standard{
		Environment: string(p.Environment), CostCenter: p.CostCenter, DataClassification: p.DataClassification, Layer: Name,
	}); err != nil {
		return err
	}
	oidc, err := iam.NewOpenIdConnectProvider(ctx, "github", &iam.OpenIdConnectProviderArgs{
		Url:           pulumi.String("https://" + bootstrapiam.GitHubOIDCProvider),
		ClientIdLists: pulumi.ToStringArray([]string{"sts.amazonaws.com"}),
	}, oidcOpts...)
	if err != nil {
		return err
	}
	policy := func(name, description string, doc string) (*iam.Policy, error) {
		return iam.NewPolicy(ctx, name, &iam.PolicyArgs{Name: pulumi.String(name), Description: pulumi.String(description), Policy: pulumi.String(doc)})
	}
	afterOIDC := pulumi.DependsOn([]pulumi.Resource{oidc})
	set, err := deployerSet(ctx, a, "", afterOIDC)
	if err != nil {
		return err
	}
	boundary, deployer, deployerBoundary := set.workloadBoundary, set.role, set.boundary

	readOnlyPolicy, err := policy(bootstrapiam.ReadOnlyPolicyName, "Configuration reads and the environment's state, never data", a.ReadOnlyPolicy().JSON())
	if err != nil {
		return err
	}
	readOnly, err := iam.NewRole(ctx, "readonly", &iam.RoleArgs{
		Name: pulumi.String(bootstrapiam.ReadOnlyRoleName), AssumeRolePolicy: pulumi.String(a.ReadOnlyTrust().JSON()),
		MaxSessionDuration: pulumi.Int(3600),
		Description:        pulumi.String("The pipeline's previews and drift checks of " + string(p.Environment)),
	}, afterOIDC)
	if err != nil {
		return err
	}
	if _, err := iam.NewRolePolicyAttachment(ctx, "readonly", &iam.RolePolicyAttachmentArgs{Role: readOnly.Name, PolicyArn: readOnlyPolicy.Arn}); err != nil {
		return err
	}

	breakGlassArn := pulumi.String("").ToStringOutput()
	if a.HasBreakGlass() {
		trust, err := a.BreakGlassTrust()
		if err != nil {
			return err
		}
		bg, err := iam.NewRole(ctx, "break-glass", &iam.RoleArgs{
			Name: pulumi.String(bootstrapiam.BreakGlassRoleName), AssumeRolePolicy: pulumi.String(trust.JSON()),
			PermissionsBoundary: deployerBoundary.Arn, MaxSessionDuration: pulumi.Int(bootstrapiam.BreakGlassSessionSeconds),
			Description: pulumi.String("Break glass for " + string(p.Environment) + ": named people with MFA, from a workstation, for what the pipeline must never do"),
		})
		if err != nil {
			return err
		}
		if _, err := iam.NewRolePolicy(ctx, "break-glass", &iam.RolePolicyArgs{
			Role: bg.Name, Name: pulumi.String("break-glass"), Policy: pulumi.String(a.BreakGlassPolicy().JSON()),
		}); err != nil {
			return err
		}
		names := a.BreakGlassGrantsNames()
		for i, grants := range a.BreakGlassGrants() {
			g, err := policy(names[i], "The deployer's grants, for the break-glass role of "+string(p.Environment), grants.JSON())
			if err != nil {
				return err
			}
			if _, err := iam.NewRolePolicyAttachment(ctx, names[i], &iam.RolePolicyAttachmentArgs{Role: bg.Name, PolicyArn: g.Arn}); err != nil {
				return err
			}
		}
		breakGlassArn = bg.Arn
	}

	accessLogs, err := accessLogBucket(ctx, a, "")
	if err != nil {
		return err
	}
	versionAfter := []pulumi.Resource{deployer, readOnly, boundary, accessLogs}
	if r, ok := a.Reviews(); ok {
		// The review role and what review environments share: created
		// with the environment's bootstrap, in its account.
		reviews, err := deployerSet(ctx, r, profile.ReviewKey+"-", afterOIDC)
		if err != nil {
			return err
		}
		reviewLogs, err := accessLogBucket(ctx, r, profile.ReviewKey+"-")
		if err != nil {
			return err
		}
		versionAfter = append(versionAfter, reviews.role, reviews.workloadBoundary, reviewLogs)
		ctx.Export(OutputReviewRole, reviews.role.Arn)
	}

	// Written last: a deployment trusts an account's bootstrap once its
	// version is there.
	if _, err := ssm.NewParameter(ctx, "version", &ssm.ParameterArgs{
		Name: pulumi.String(bootstrapiam.VersionParameter), Type: pulumi.String("String"), Value: pulumi.String(fmt.Sprint(bootstrapiam.Version)),
		Description: pulumi.String("Bootstrap version of the payments platform in this account; deployments refuse an older one"),
	}, pulumi.DependsOn(versionAfter)); err != nil {
		return err
	}
	ctx.Export(OutputDeployerRole, deployer.Arn)
	ctx.Export(OutputReadOnlyRole, readOnly.Arn)
	ctx.Export(OutputBreakGlassRole, breakGlassArn)
	ctx.Export(OutputWorkloadBoundary, boundary.Arn)
	ctx.Export(OutputVersion, pulumi.Int(bootstrapiam.Version))
	return nil
}

// accessLogBucket is where S3 writes the audit bucket's server access logs:
// every request on an audit record, allowed or denied. Bootstrap owns it, so
// neither a workload (its boundary) nor the deployer (NotTheAuditAccessLog)
// can change it; only the S3 logging service writes to it, for the audit
// bucket of this account. It keeps the logs as long as the audit records are
// kept (SSE-S3: S3 delivers access logs only to buckets under S3-managed
// keys), and is force-destroyable, so its teardown leaves nothing.
func accessLogBucket(ctx *pulumi.Context, a bootstrapiam.Account, prefix string) (*s3.BucketPolicy, error) {
	w := a.Workload()
	name := w.AccessLogBucket()
	logical := prefix + "audit-access-logs"
	bucket, err := s3.NewBucketV2(ctx, logical, &s3.BucketV2Args{Bucket: pulumi.String(name), ForceDestroy: pulumi.Bool(true)})
	if err != nil {
		return nil, err
	}
	block, err := s3.NewBucketPublicAccessBlock(ctx, logical, &s3.BucketPublicAccessBlockArgs{
		Bucket: bucket.ID(), BlockPublicAcls: pulumi.Bool(true), BlockPublicPolicy: pulumi.Bool(true),
		IgnorePublicAcls: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true),
	})
	if err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketOwnershipControls(ctx, logical, &s3.BucketOwnershipControlsArgs{
		Bucket: bucket.ID(), Rule: &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, logical, &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{&s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{SseAlgorithm: pulumi.String("AES256")},
		}},
	}); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, logical, &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{&s3.BucketLifecycleConfigurationV2RuleArgs{
			Id: pulumi.String("expire-access-logs"), Status: pulumi.String("Enabled"),
			Filter:     &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
			Expiration: &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(a.Profile.Audit.ExpirationDays)},
		}},
	}); err != nil {
		return nil, err
	}
	return s3.NewBucketPolicy(ctx, logical, &s3.BucketPolicyArgs{
		Bucket: bucket.ID(), Policy: pulumi.String(bootstrapiam.AccessLogBucketPolicy(a).JSON()),
	}, pulumi.DependsOn([]pulumi.Resource{block}))
}

// deployed is a deployer role and the policies bootstrap gives it.
type deployed struct {
	workloadBoundary, boundary *iam.Policy
	role                       *iam.Role
}

// deployerSet creates a deployer role (the environment's, or the review
// role) with its inline policy, boundary and guardrails, and the workload
// boundary of the roles it creates; prefix begins the logical names.
func deployerSet(ctx *pulumi.Context, a bootstrapiam.Account, prefix string, opts ...pulumi.ResourceOption) (deployed, error) {
	p := a.Profile
	names := a.RoleNames()
	policy := func(logical, name, description string, doc string) (*iam.Policy, error) {
		return iam.NewPolicy(ctx, prefix+logical, &iam.PolicyArgs{Name: pulumi.String(name), Description: pulumi.String(description), Policy: pulumi.String(doc)})
	}
	w := a.Workload()
	var out deployed
	var err error
	out.workloadBoundary, err = policy(w.BoundaryName(), w.BoundaryName(), fmt.Sprintf("Permissions boundary of every %s workload role: only what the workloads need, "+
		"and never audit reads, data export or deletion, key, log, trail or boundary changes, other regions or accounts", p.Environment),
		workload.Boundary(w, workload.AuditPrefix).JSON())
	if err != nil {
		return out, err
	}
	boundaryOf, guardrailOf := "Ceiling of the pipeline's deployer and break-glass roles", "Deny-only guardrail of the pipeline's deployer"
	if prefix != "" {
		boundaryOf, guardrailOf = "Ceiling of the pipeline's review role", "Deny-only guardrail of the pipeline's review role"
	}
	out.boundary, err = policy(bootstrapiam.DeployerBoundaryName, names.Boundary, boundaryOf, a.DeployerBoundary().JSON())
	if err != nil {
		return out, err
	}
	docs := append([]string{a.DeployerGuardrail().JSON()}, jsonOf(a.NetworkGuardrails())...)
	logical := append([]string{bootstrapiam.DeployerGuardrailName}, bootstrapiam.NetworkGuardrailNames...)
	physical := append([]string{names.Guardrail}, names.Network...)
	var guardrails []*iam.Policy
	for i := range logical {
		g, err := policy(logical[i], physical[i], guardrailOf, docs[i])
		if err != nil {
			return out, err
		}
		guardrails = append(guardrails, g)
	}
	description := "The pipeline's deployment of " + string(p.Environment) + ", from main's deploy workflow only"
	if prefix != "" {
		description = "The pipeline's deployments of review environments (" + string(p.Environment) + "), from pull requests' workflow"
	}
	out.role, err = iam.NewRole(ctx, prefix+"deployer", &iam.RoleArgs{
		Name: pulumi.String(names.Deployer), AssumeRolePolicy: pulumi.String(a.DeployerTrust().JSON()),
		PermissionsBoundary: out.boundary.Arn, MaxSessionDuration: pulumi.Int(3600),
		Description: pulumi.String(description),
	}, opts...)
	if err != nil {
		return out, err
	}
	if _, err := iam.NewRolePolicy(ctx, prefix+"deployer", &iam.RolePolicyArgs{
		Role: out.role.Name, Name: pulumi.String("deploy-payments"), Policy: pulumi.String(a.DeployerPolicy().JSON()),
	}); err != nil {
		return out, err
	}
	for i, g := range guardrails {
		if _, err := iam.NewRolePolicyAttachment(ctx, prefix+logical[i], &iam.RolePolicyAttachmentArgs{Role: out.role.Name, PolicyArn: g.Arn}); err != nil {
			return out, err
		}
	}
	return out, nil
}

func jsonOf(docs []iampolicy.Document) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.JSON()
	}
	return out
}

// tooling builds the tooling account's stack: the state bucket (versioned,
// TLS only, one prefix per environment, encrypted under its own key with
// Bucket Keys off) and the key.
func tooling(ctx *pulumi.Context, pipe profile.Pipeline, cfg *config.Config) error {
	var envs []string
	if err := cfg.TryObject(KeyStateEnvironments, &envs); err != nil {
		return fmt.Errorf("%s: %s:%s: %w: list the environments whose accounts are bootstrapped, for example [dev, staging, prod]",
			Name, Name, KeyStateEnvironments, err)
	}
	t := bootstrapiam.Tooling{Pipeline: pipe}
	for _, name := range envs {
		env, err := profile.ParseEnvironment(name)
		if err != nil {
			return fmt.Errorf("%s: %s:%s: %w", Name, Name, KeyStateEnvironments, err)
		}
		if slices.ContainsFunc(t.Accounts, func(a bootstrapiam.Account) bool { return a.Profile.Environment == env }) {
			return fmt.Errorf("%s: %s:%s: %s is listed twice", Name, Name, KeyStateEnvironments, env)
		}
		p, err := profile.Planned(env)
		if err != nil {
			return err
		}
		t.Accounts = append(t.Accounts, bootstrapiam.Account{Profile: p, Pipeline: pipe})
	}
	t = t.WithReviews()
	if err := t.Valid(t.Files()); err != nil {
		return fmt.Errorf("%s: %w", Name, err)
	}
	if err := tagging.Register(ctx, tagging.Standard{
		Environment: bootstrapiam.ToolingStack, CostCenter: "payments-platform", DataClassification: "confidential", Layer: Name,
	}); err != nil {
		return err
	}
	key, err := kms.NewKey(ctx, "state", &kms.KeyArgs{
		Description:       pulumi.String("Pulumi state of the payments platform: each environment's roles for their own prefix only"),
		EnableKeyRotation: pulumi.Bool(true), DeletionWindowInDays: pulumi.Int(7),
		Policy: pulumi.String(t.StateKeyPolicy().JSON()),
	})
	if err != nil {
		return err
	}
	if _, err := kms.NewAlias(ctx, "state", &kms.AliasArgs{Name: pulumi.String(bootstrapiam.StateKeyAlias), TargetKeyId: key.KeyId}); err != nil {
		return err
	}
	bucket, err := s3.NewBucketV2(ctx, "state", &s3.BucketV2Args{Bucket: pulumi.String(pipe.StateBucket), ForceDestroy: pulumi.Bool(true)})
	if err != nil {
		return err
	}
	if _, err := s3.NewBucketVersioningV2(ctx, "state", &s3.BucketVersioningV2Args{
		Bucket: bucket.ID(), VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}); err != nil {
		return err
	}
	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, "state", &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{&s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
				SseAlgorithm: pulumi.String("aws:kms"), KmsMasterKeyId: key.Arn,
			},
			// Off: with Bucket Keys, KMS sees the bucket rather than the
			// object, and the key policy could not hold each environment
			// to its prefix.
			BucketKeyEnabled: pulumi.Bool(false),
		}},
	}); err != nil {
		return err
	}
	block, err := s3.NewBucketPublicAccessBlock(ctx, "state", &s3.BucketPublicAccessBlockArgs{
		Bucket: bucket.ID(), BlockPublicAcls: pulumi.Bool(true), BlockPublicPolicy: pulumi.Bool(true),
		IgnorePublicAcls: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true),
	})
	if err != nil {
		return err
	}
	if _, err := s3.NewBucketOwnershipControls(ctx, "state", &s3.BucketOwnershipControlsArgs{
		Bucket: bucket.ID(), Rule: &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}); err != nil {
		return err
	}
	if _, err := s3.NewBucketPolicy(ctx, "state", &s3.BucketPolicyArgs{
		Bucket: bucket.ID(), Policy: pulumi.String(t.StateBucketPolicy().JSON()),
	}, pulumi.DependsOn([]pulumi.Resource{block})); err != nil {
		return err
	}
	ctx.Export(OutputStateBucket, bucket.Bucket)
	ctx.Export(OutputStateKey, key.Arn)
	return nil
}
