//go:build mage

// Tasks of the payments platform. Targets stay thin: they parse arguments,
// call a tested package and print.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/pricing"
	"github.com/magefile/mage/mg"
	"github.com/magefile/mage/sh"

	"github.com/acmepay/platform/internal/bootstrap"
	"github.com/acmepay/platform/internal/cost"
	"github.com/acmepay/platform/internal/deploy/automation"
	"github.com/acmepay/platform/internal/envreport"
	"github.com/acmepay/platform/internal/plan"
	"github.com/acmepay/platform/internal/reference"
	"github.com/acmepay/platform/internal/workbench"
	"github.com/acmepay/platform/pkg/profile"
)

// The compiled tasks have started: mage.go stops saying it is compiling.
func init() {
	if marker := os.Getenv("PAYMENTS_MAGE_STARTED"); marker != "" {
		_ = os.WriteFile(marker, nil, 0o600)
	}
}

// Env groups environment commands: `mage env:show dev`.
type Env mg.Namespace

// Show <env>: prints an environment's validated sanctioned settings.
//
// env is dev, staging or prod. Reads nothing but pkg/profile/environments.yaml and the stack files.
func (Env) Show(env string) error {
	p, err := profile.FromStackFiles(".", env)
	if err != nil {
		return err
	}
	return envreport.Write(os.Stdout, p)
}

// Apply writes environments.yaml's accounts, region and suffix into every stack file.
//
// It then regenerates the docs, planned manifests and costs: what a fork runs after editing
// pkg/profile/environments.yaml. Every entry is checked first; nothing is written when one is refused.
func (Env) Apply() error { return run(workbench.EnvApply) }

// Plan groups `mage plan:env <env>`.
type Plan mg.Namespace

// Env <env>: plans an environment offline and writes manifests/planned/<env>.json.
//
// Real Pulumi engine, in-memory AWS, no credentials.
func (Plan) Env(env string) error { return onEnv(workbench.Plan, env) }

// Live <env>: saves the environment's plan for review as plans/<env>.json.
//
// It plans as deploy:env does (every layer previewed with refresh and saved as a Pulumi update plan;
// needs the CLI and read access to the account). PLAN_FILE=plans/<env>.json go run mage.go
// deploy:env <env> applies it exactly, within 12 hours, while the commit, the stack files, the
// programs and each stack's state are as they were.
// Reads: ALLOW_DATA_LOSS=<env>, PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, the AWS credentials, VERBOSE.
func (Plan) Live(env string) error { return onEnv(workbench.PlanLive, env) }

// Policy groups `mage policy:env <env>`.
type Policy mg.Namespace

// Env <env>: evaluates the compliance rules on an environment's offline plan.
//
// Fails on any violation compliance/waivers.yaml does not waive.
func (Policy) Env(env string) error {
	res, err := plan.Run(context.Background(), plan.Options{Root: ".", Env: env, Out: io.Discard, ManifestDir: "-", CostDir: "-"})
	if res.Manifest.Policy != nil {
		res.Manifest.Policy.WriteText(os.Stdout, env)
	}
	return err
}

// Parity compares the three environments' planned resource graphs.
//
// Fails on any difference docs/environments.md does not sanction.
func Parity() error {
	report, err := plan.Parity(context.Background(), ".")
	if err != nil {
		return err
	}
	report.WriteText(os.Stdout)
	return report.Err()
}

// Deploy groups `mage deploy:env <env>`.
type Deploy mg.Namespace

// Env <env>: deploys every layer in dependency order and writes manifests/<env>.json.
//
// Needs the Pulumi CLI and the environment's AWS credentials. In staging and prod it stops before
// putting back a hand change unless REVERT_DRIFT=<env> (compliance/drift-exceptions.yaml's entries
// are left as they are); a layer whose update would replace or delete a table, bucket, log group or
// key is refused unless ALLOW_DATA_LOSS=<env> (in prod, run by its break-glass role). SIGINT or
// SIGTERM stops it at a safe point; a second one forces it. The engine's stream goes to
// logs/deploy-env-<env>.log unless -v.
// Reads: REVERT_DRIFT, ALLOW_DATA_LOSS, PLAN_FILE, LOCK_HOST_GONE, GITHUB_STEP_SUMMARY,
// PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, the AWS credentials, VERBOSE.
func (Deploy) Env(env string) error { return onEnv(workbench.Deploy, env) }

// Preview groups `mage preview:env <env>`.
type Preview mg.Namespace

// Env <env>: previews every layer against its live state.
//
// Needs the Pulumi CLI and AWS credentials.
// Reads: PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, LOCK_HOST_GONE, the AWS credentials, VERBOSE.
func (Preview) Env(env string) error { return onEnv(workbench.Preview, env) }

// Destroy groups `mage destroy:env <env>`.
type Destroy mg.Namespace

// Env <env>: destroys every layer in reverse dependency order.
//
// Staging and prod need CONFIRM_DESTROY=<env>, and prod its break-glass role.
// Reads: CONFIRM_DESTROY, PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, LOCK_HOST_GONE, the AWS credentials, VERBOSE.
func (Destroy) Env(env string) error { return onEnv(workbench.Destroy, env) }

// Recover groups `mage recover:env <env>`.
type Recover mg.Namespace

// Env <env>: settles what an interrupted run left in an environment.
//
// It removes locks whose owner is provably gone (never a live one; LOCK_HOST_GONE=<host> states a
// machine is gone), adopts pending creates the cloud finished, clears the rest and refreshes; it
// exits 0 when there is nothing to do.
// Reads: LOCK_HOST_GONE, PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, the AWS credentials, VERBOSE.
func (Recover) Env(env string) error { return onEnv(workbench.Recover, env) }

// Rollback groups `mage rollback:env <env> <commit>`.
type Rollback mg.Namespace

// Env <env> <commit>: commits <commit>'s infrastructure on a new branch rollback/<env>-<commit>.
//
// The layers, pkg, compliance lists, planned manifests and costs of <commit>, on today's tooling,
// for review and the normal promotion; refused for an unknown commit, one outside main's history,
// across a bootstrap version, or whose planned manifest of <env> fails policy. It changes git only,
// never an environment.
func (Rollback) Env(env, commit string) error {
	return run(func(ctx context.Context, o workbench.Options) error { return workbench.Rollback(ctx, env, commit, o) })
}

// run runs a target of internal/workbench in the repository, with the
// process's environment, stopped gracefully on a signal.
func run(target func(ctx context.Context, o workbench.Options) error) error {
	ctx, force, stop := automation.Interruptible(os.Stdout)
	defer stop()
	return target(ctx, workbench.Options{Root: ".", Lookup: os.LookupEnv, Out: os.Stdout, Force: force})
}

// onEnv runs a target of internal/workbench on one environment.
func onEnv(target func(ctx context.Context, env string, o workbench.Options) error, env string) error {
	return run(func(ctx context.Context, o workbench.Options) error { return target(ctx, env, o) })
}

// Standin groups the in-memory AWS stand-in: `mage standin:start dev`.
type Standin mg.Namespace

// Start <env>: serves an in-memory AWS playing env's account, in the background.
//
// It writes .standin/<env>.env (its endpoints, dummy credentials, a file backend of its own) to
// source; then the everyday targets run against it as against AWS, with no account
// (docs/first-deploy.md, "No AWS account yet"). Each start begins with an empty account and backend.
func (Standin) Start(env string) error { return onEnv(workbench.StandinStart, env) }

// Stop <env>: stops env's stand-in; what it held is lost.
func (Standin) Stop(env string) error { return onEnv(workbench.StandinStop, env) }

// Show <env>: lists what env's running stand-in holds.
func (Standin) Show(env string) error { return onEnv(workbench.StandinShow, env) }

// Review groups the review environments of pull requests: `mage review:up pr-<number>`.
type Review mg.Namespace

// Up <pr-number>: deploys or updates a pull request's review environment and moves its expiry.
//
// A review environment (pr-<number>) runs in the account of environments.yaml's review.in, with
// that environment's settings but the review block's, under the account's review role; every
// resource carries an Expires tag, review.expiresAfterHours after this deploy. Writes its stack
// files (not committed) and manifests/<env>.json.
// Reads: PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, LOCK_HOST_GONE, GITHUB_STEP_SUMMARY, the AWS credentials, VERBOSE.
func (Review) Up(env string) error { return onEnv(workbench.ReviewUp, env) }

// Down <pr-number>: destroys a review environment, its stacks and its stack files.
//
// It refuses every name that is not a review environment's (pr-<number>).
// Reads: PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, LOCK_HOST_GONE, the AWS credentials, VERBOSE.
func (Review) Down(env string) error { return onEnv(workbench.ReviewDown, env) }

// Sweep destroys every review environment of the state backend past its expiry.
//
// The expiry is the latest Expires tag in the environment's state.
// Reads: PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, LOCK_HOST_GONE, the AWS credentials, VERBOSE.
func (Review) Sweep() error { return run(workbench.ReviewSweep) }

// Drift groups `mage drift:env <env>`.
type Drift mg.Namespace

// Env <env>: checks a deployed environment for drift and writes drift/<env>.json.
//
// It refreshes every layer without writing state and fails on any drift that
// compliance/drift-exceptions.yaml does not accept; a check that fails leaves drift/<env>.failed.
// Reads: PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, LOCK_HOST_GONE, the AWS credentials, VERBOSE.
func (Drift) Env(env string) error { return onEnv(workbench.DriftCheck, env) }

// Adopt <envs>: turns the hand changes of drift reports into setting overrides.
//
// envs is an environment, a comma-separated list, or "all" (every report in drift/); an environment
// without drift/<env>.json gets a fresh drift check. Each setting is adopted once: a same-everywhere
// setting goes to all three environments; one that drifted to two values is not adopted. Writes
// drift/adopt.md (the pull request's body); changes files only.
func (Drift) Adopt(envs string) error {
	ctx, force, stop := automation.Interruptible(os.Stdout)
	defer stop()
	return workbench.Adopt(ctx, envs, workbench.Options{Root: ".", Lookup: os.LookupEnv, Out: os.Stdout, Force: force})
}

// Report merges every environment's drift report into drift/report.md and drift/report.json.
//
// One table of environment, layer, resource, property, live and code values and classification;
// the reports must come from one commit. An environment whose check failed is told from one never
// checked.
func (Drift) Report() error {
	return workbench.DriftNight(workbench.Options{Root: ".", Out: os.Stdout})
}

// Revert <env>: deploys an environment with refresh, putting back what drifted.
//
// It prints what it will undo first.
// Reads: PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, the AWS credentials, VERBOSE.
func (Drift) Revert(env string) error { return onEnv(workbench.DriftRevert, env) }

// Manifest groups the deployed manifests: `mage manifest` (all environments) and `mage manifest:env <env>`.
type Manifest mg.Namespace

// Env <env>: writes manifests/<env>.json from the deployed stacks' state.
func (Manifest) Env(env string) error { return onEnv(workbench.Manifest, env) }

// Caller writes the deployed manifest of the environment the credentials' account is.
//
// One set of credentials reaches one account (`mage manifest`).
func (m Manifest) Caller() error {
	ctx, force, stop := automation.Interruptible(os.Stdout)
	env, err := workbench.CallerEnvironment(ctx, workbench.Options{Root: ".", Lookup: os.LookupEnv, Out: os.Stdout, Force: force})
	stop()
	if err != nil {
		return err
	}
	return m.Env(string(env))
}

// Aliases: `mage manifest` is the manifest of the credentials' environment.
var Aliases = map[string]interface{}{
	"manifest": Manifest.Caller,
}

// Build compiles the payment function for linux/arm64 into compute/dist/payment.zip.
//
// It prints the archive's hash.
func Build() error {
	out, err := sh.Output("go", "run", "./compute/functionbuild/cmd/buildfn", filepath.Join("compute", "dist", "payment.zip"))
	fmt.Println(out)
	return err
}

// Docs groups generated documentation.
type Docs mg.Namespace

// Environments regenerates docs/environments.md from the profiles and stack files.
func (Docs) Environments() error { return workbench.EnvironmentsPage(".") }

// Compliance regenerates docs/compliance.md from the rules and compliance/waivers.yaml.
func (Docs) Compliance() error { return workbench.CompliancePage(".") }

// Cost groups the cost reports of the offline plans.
type Cost mg.Namespace

// Env <env>: prices an environment's offline plan and writes costs/<env>.json.
//
// A table by layer and resource, fixed (idle) and usage-based cost, and the arm64 saving.
func (Cost) Env(env string) error {
	res, err := plan.Run(context.Background(), plan.Options{Root: ".", Env: env, Out: io.Discard, ManifestDir: "-"})
	if res.Cost.Environment != "" {
		res.Cost.WriteText(os.Stdout)
	}
	return err
}

// Diff compares the working tree's costs with those committed at COST_BASE, as markdown.
//
// Reads: COST_BASE (default origin/main).
func (Cost) Diff() error {
	base := os.Getenv("COST_BASE")
	if base == "" {
		base = "origin/main"
	}
	var before, after []cost.Report
	for _, env := range profile.Environments() {
		old, err := cost.Committed(".", base, string(env))
		if err != nil {
			return err
		}
		res, err := plan.Run(context.Background(), plan.Options{Root: ".", Env: string(env), Out: io.Discard, ManifestDir: "-", CostDir: "-"})
		if err != nil {
			return err
		}
		before, after = append(before, old), append(after, res.Cost)
	}
	fmt.Printf("## Monthly cost (against %s)\n\n%s", base, cost.Diff(before, after))
	return nil
}

// Prices refreshes costs/prices.yaml from the AWS Price List Query API.
//
// It prints what changed. Needs AWS credentials.
func (Cost) Prices() error {
	raw, err := os.ReadFile(cost.PricesFile)
	if err != nil {
		return err
	}
	prices, err := cost.ParsePrices(raw)
	if err != nil {
		return err
	}
	ctx := context.Background()
	// The Price List endpoint is in us-east-1. Credentials come from the
	// environment or a profile; the instance metadata service is not asked.
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"), config.WithEC2IMDSClientEnableState(imds.ClientDisabled))
	if err == nil {
		_, err = cfg.Credentials.Retrieve(ctx)
	}
	if err != nil {
		return fmt.Errorf("cost:prices needs AWS credentials for the Price List Query API (pricing:GetProducts): %w; the committed %s stays as it is", err, cost.PricesFile)
	}
	changes, skipped, err := cost.Refresh(ctx, pricing.NewFromConfig(cfg), prices, time.Now().UTC().Format(time.DateOnly))
	if err != nil {
		return err
	}
	for _, c := range changes {
		fmt.Printf("%-30s %v -> %v\n", c.ID, c.Old, c.New)
	}
	fmt.Printf("%d prices changed; not refreshed (no Price List query known, check by hand): %s\n", len(changes), strings.Join(skipped, ", "))
	return os.WriteFile(cost.PricesFile, prices.YAML(cost.Header(raw)), 0o644)
}

// Bootstrap groups the one-time setup of each account.
type Bootstrap mg.Namespace

// Env <env>: creates or updates an environment's account bootstrap, as its administrator.
//
// The GitHub OIDC provider, pipeline and break-glass roles, workload boundary and bootstrap version.
// Its state goes to PULUMI_BACKEND_URL (s3://<bucket>/bootstrap) or the local file backend
// (docs/bootstrap.md).
// Reads: PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, the AWS credentials.
func (Bootstrap) Env(env string) error {
	return onAccount(func(ctx context.Context, o bootstrap.Options) error { return bootstrap.Env(ctx, env, o) })
}

// Destroy <env>: tears down an environment's account bootstrap.
//
// Refused while the environment's layers hold resources.
// Reads: PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, the AWS credentials.
func (Bootstrap) Destroy(env string) error {
	return onAccount(func(ctx context.Context, o bootstrap.Options) error { return bootstrap.Destroy(ctx, env, o) })
}

// State creates or updates the tooling account's state bucket and key.
//
// It names the environments listed in bootstrap/Pulumi.tooling.yaml.
// Reads: PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, the AWS credentials.
func (Bootstrap) State() error { return onAccount(bootstrap.State) }

// DestroyState tears down the tooling account's state bucket and key.
//
// Only after every environment and its bootstrap are gone.
// Reads: PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, the AWS credentials.
func (Bootstrap) DestroyState() error { return onAccount(bootstrap.DestroyState) }

// MoveState moves the bootstrap stacks' state into the state bucket's bootstrap/ prefix.
//
// From the local file backend, once the tooling account's bucket exists; it overwrites nothing.
// Reads: BOOTSTRAP_STATE=s3://<bucket>/bootstrap, PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, the AWS credentials.
func (Bootstrap) MoveState() error { return onAccount(bootstrap.MoveState) }

// onAccount runs a bootstrap target in the repository, through the
// Automation API and the Pulumi CLI, stopped gracefully on a signal.
func onAccount(target func(ctx context.Context, o bootstrap.Options) error) error {
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	ctx, force, stopSignals := automation.Interruptible(os.Stdout)
	defer stopSignals()
	return target(ctx, bootstrap.Options{Root: root, Command: &automation.Command{Force: force}, Lookup: os.LookupEnv, Out: os.Stdout})
}

// Policies <env>: writes the IAM documents of an account's bootstrap into dist/bootstrap/<env>/.
//
// For review (docs/bootstrap.md); every document is checked against AWS's validity rules first.
func (Bootstrap) Policies(env string) error {
	return onAccount(func(_ context.Context, o bootstrap.Options) error { return bootstrap.Policies(env, o) })
}

// StatePolicies writes the state bucket and key policies, SCP and RCP into dist/bootstrap/tooling/.
//
// For review (docs/bootstrap.md); every document is checked against AWS's validity rules first.
func (Bootstrap) StatePolicies() error {
	return onAccount(func(_ context.Context, o bootstrap.Options) error { return bootstrap.StatePolicies(o) })
}

// Test runs every test of every module of the workspace.
func Test() error {
	return sh.RunV("go", "test", "work")
}

// Lint checks formatting and runs go vet over the workspace.
func Lint() error {
	out, err := sh.Output("gofmt", "-l", ".")
	if err != nil {
		return err
	}
	if out != "" {
		return fmt.Errorf("gofmt would change:\n%s", out)
	}
	return sh.RunV("go", "vet", "work")
}

// Reference regenerates docs/reference.md.
//
// The outputs that cross StackReferences and the pinned versions.
func (Docs) Reference() error {
	md, err := reference.Markdown(".")
	if err != nil {
		return err
	}
	return os.WriteFile(reference.DocPath, md, 0o644)
}
