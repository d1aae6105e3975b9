package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/internal/deploy"
	"github.com/acmepay/platform/internal/deploy/automation"
	"github.com/acmepay/platform/internal/programs"
	"github.com/acmepay/platform/internal/statebackend"
	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stage"
)

// ErrLayersRemain refuses the teardown of an account whose environment still
// has resources: the pipeline roles are what would destroy them.
var ErrLayersRemain = errors.New("the environment's layers still hold resources")

// Held lists the resources an environment's layers still hold in their
// state ("<layer>: <type> <name>").
type Held func(ctx context.Context, env profile.Environment) ([]string, error)

// Bootstrapper runs the bootstrap project's stacks, as an administrator of
// the account, through the same Automation API runner as a deployment.
type Bootstrapper struct {
	Runner   stage.Runner
	Identity deploy.Identity
	CLI      deploy.CLI
	Out      io.Writer
	// Held, for a teardown, reads what the environment's layers hold.
	Held Held
}

// preflighter is a runner with checks of its own (the passphrase).
type preflighter interface{ Preflight() error }

// stateBackend is a runner whose state backend is named by URL.
type stateBackend interface{ StateBackend() string }

// ErrStateInBucket refuses to destroy the state bucket while it holds the
// state of the stack that destroys it.
var ErrStateInBucket = errors.New("refusing to destroy the state bucket that holds the bootstrap's own state")

// InBucket reports whether a backend URL is in the S3 bucket named bucket.
func InBucket(backend, bucket string) bool {
	u, err := url.Parse(backend)
	return err == nil && u.Scheme == "s3" && u.Host == bucket
}

// shown is a backend URL without its query (the endpoint and region are not
// the place).
func shown(backend string) string {
	s, _, _ := strings.Cut(backend, "?")
	return s
}

// Env creates, updates (op stage.Up) or tears down (stage.Destroy) an
// environment's account bootstrap.
func (b *Bootstrapper) Env(ctx context.Context, op stage.Op, envName string) error {
	env, err := profile.ParseEnvironment(envName)
	if err != nil {
		return err
	}
	p, err := profile.Planned(env)
	if err != nil {
		return err
	}
	pipe, err := profile.PlannedPipeline()
	if err != nil {
		return err
	}
	a := bootstrapiam.Account{Profile: p, Pipeline: pipe}
	if err := b.preflight(ctx, "bootstrap "+envName, p.AccountID); err != nil {
		return err
	}
	if op == stage.Destroy {
		held, err := b.Held(ctx, env)
		if err != nil {
			return err
		}
		if len(held) > 0 {
			return fmt.Errorf("%w: destroy %s first (`go run mage.go destroy:env %s`); it holds %d: %s",
				ErrLayersRemain, env, env, len(held), strings.Join(held, ", "))
		}
	}
	fmt.Fprintf(b.Out, "%s the bootstrap of %s: account %s; deployer %s, read-only %s", op, env, p.AccountID,
		a.Role(bootstrapiam.DeployerRoleName), a.Role(bootstrapiam.ReadOnlyRoleName))
	if a.HasBreakGlass() {
		fmt.Fprintf(b.Out, ", break-glass %s", a.Role(bootstrapiam.BreakGlassRoleName))
	}
	fmt.Fprintln(b.Out)
	return b.run(ctx, op, env)
}

// State creates, updates or tears down the tooling account's state bucket
// and key.
func (b *Bootstrapper) State(ctx context.Context, op stage.Op) error {
	pipe, err := profile.PlannedPipeline()
	if err != nil {
		return err
	}
	if r, ok := b.Runner.(stateBackend); ok && op == stage.Destroy && InBucket(r.StateBackend(), pipe.StateBucket) {
		return fmt.Errorf("%w: PULUMI_BACKEND_URL=%s is in s3://%s, the bucket bootstrap:destroyState destroys; move the bootstrap stacks out of it first, into a directory of your choosing: "+
			"PULUMI_BACKEND_URL=s3://%s/%s BOOTSTRAP_STATE=file://<directory> go run mage.go bootstrap:moveState, then run bootstrap:destroyState with PULUMI_BACKEND_URL=file://<that directory>",
			ErrStateInBucket, shown(r.StateBackend()), pipe.StateBucket, pipe.StateBucket, bootstrapiam.BootstrapPrefix)
	}
	if err := b.preflight(ctx, "the tooling account's bootstrap", pipe.ToolingAccountID); err != nil {
		return err
	}
	fmt.Fprintf(b.Out, "%s the tooling account's bootstrap: account %s, state bucket s3://%s\n", op, pipe.ToolingAccountID, pipe.StateBucket)
	return b.run(ctx, op, bootstrapiam.ToolingStack)
}

func (b *Bootstrapper) preflight(ctx context.Context, what, account string) error {
	caller, err := b.Identity.AccountID(ctx)
	if err != nil {
		return fmt.Errorf("reading the caller's AWS account (sts:GetCallerIdentity): %w", err)
	}
	if caller != account {
		return fmt.Errorf("%w: the credentials are for account %s, but %s is for account %s; refusing to touch anything",
			deploy.ErrWrongAccount, caller, what, account)
	}
	version, err := b.CLI.Check(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(b.Out, "pulumi %s\n", version)
	if r, ok := b.Runner.(stateBackend); ok {
		pipe, err := profile.PlannedPipeline()
		if err != nil {
			return err
		}
		if err := bootstrapiam.CheckBackend(pipe, r.StateBackend(), bootstrapiam.BootstrapPrefix, "the bootstrap stacks"); err != nil {
			return err
		}
	}
	if p, ok := b.Runner.(preflighter); ok {
		return p.Preflight()
	}
	return nil
}

func (b *Bootstrapper) run(ctx context.Context, op stage.Op, stack profile.Environment) error {
	out, err := b.Runner.Run(ctx, op, stage.Layer{Name: bootstrapiam.Project}, string(stack), b.Out)
	if err != nil {
		return fmt.Errorf("%s %s/%s: %w", op, bootstrapiam.Project, stack, err)
	}
	fmt.Fprintf(b.Out, "%s/%s: %s\n", bootstrapiam.Project, stack, out.Changes)
	return nil
}

// Checkpoints reads a stack's latest deployment (statebackend.Store).
type Checkpoints interface {
	Checkpoint(ctx context.Context, project, stack string) (apitype.DeploymentV3, bool, error)
}

// HeldIn reads, from the environment's state backend, the AWS resources its
// layers' stacks still hold.
func HeldIn(store Checkpoints, layers []string) Held {
	return func(ctx context.Context, env profile.Environment) ([]string, error) {
		var held []string
		for _, layer := range layers {
			dep, ok, err := store.Checkpoint(ctx, layer, string(env))
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			for _, r := range dep.Resources {
				if strings.HasPrefix(string(r.Type), "aws:") {
					held = append(held, fmt.Sprintf("%s: %s %s", layer, r.Type, r.URN.Name()))
				}
			}
		}
		return held, nil
	}
}

// New builds the Bootstrapper the `bootstrap:*` targets run: the bootstrap
// program through the Automation API and the Pulumi CLI, with the standard
// AWS credential chain. The bootstrap stacks' state goes to
// PULUMI_BACKEND_URL (the state bucket's bootstrap/ prefix), else the local
// file backend; for a teardown, env's layers are read from the same file
// backend or, on S3, from env's prefix of the same bucket.
func New(ctx context.Context, root, env string, command *automation.Command, out io.Writer) (*Bootstrapper, func() error, error) {
	runner, err := automation.New(root, os.LookupEnv)
	if err != nil {
		return nil, nil, err
	}
	runner.Programs = map[string]pulumi.RunFunc{bootstrapiam.Project: programs.Bootstrap}
	runner.Command = command
	b := &Bootstrapper{Runner: runner, Identity: deploy.STSIdentity{}, CLI: automation.PulumiCLI{}, Out: out}
	if env == "" {
		return b, func() error { return nil }, nil
	}
	backend := runner.Backend
	if strings.HasPrefix(backend, "s3://") {
		if backend, err = statebackend.WithPrefix(backend, bootstrapiam.StatePrefix(profile.Environment(env))); err != nil {
			return nil, nil, err
		}
	}
	store, err := statebackend.Open(ctx, backend)
	if err != nil {
		return nil, nil, err
	}
	b.Held = HeldIn(store, contract.Layers())
	return b, store.Close, nil
}
