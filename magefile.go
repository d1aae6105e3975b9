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

// Env groups environment commands: `mage env:show dev`.
type Env mg.Namespace

// Show prints the validated sanctioned settings of an environment (dev, staging or prod).
func (Env) Show(env string) error {
	p, err := profile.FromStackFiles(".", env)
	if err != nil {
		return err
	}
	return envreport.Write(os.Stdout, p)
}

// Apply writes pkg/profile/environments.yaml's accounts, region and suffix into every layer's stack files, then regenerates the docs, planned manifests and costs: what a fork runs after editing that file.
func (Env) Apply() error { return target("env:apply") }

// Plan groups `mage plan:env <env>`.
type Plan mg.Namespace

// Env plans an environment offline (real Pulumi engine, in-memory AWS, no credentials) and writes manifests/planned/<env>.json.
func (Plan) Env(env string) error { return target("plan:env", env) }

// Live saves the environment's plan for review and approval, as deploy:env plans it (every layer previewed with refresh and saved as a Pulumi update plan; needs the CLI and read access to the account): writes plans/<env>.json, which PLAN_FILE=plans/<env>.json go run mage.go deploy:env <env> applies exactly, within 12 hours, while the commit, the stack files, the programs and each stack's state are as they were.
func (Plan) Live(env string) error { return target("plan:live", env) }

// Policy groups `mage policy:env <env>`.
type Policy mg.Namespace

// Env evaluates the compliance rules on an environment's offline plan; fails on any unwaived violation.
func (Policy) Env(env string) error {
	res, err := plan.Run(context.Background(), plan.Options{Root: ".", Env: env, Out: io.Discard, ManifestDir: "-", CostDir: "-"})
	if res.Manifest.Policy != nil {
		res.Manifest.Policy.WriteText(os.Stdout, env)
	}
	return err
}

// Parity compares the three environments' planned resource graphs; fails on any difference docs/environments.md does not sanction.
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

// Env deploys every layer of an environment in dependency order and writes manifests/<env>.json (needs the Pulumi CLI and the environment's AWS credentials); in staging and prod it stops before putting back a hand change unless REVERT_DRIFT=<env> (compliance/drift-exceptions.yaml's entries are left as they are); a layer whose update would replace or delete a table, bucket, log group or key is refused unless ALLOW_DATA_LOSS=<env> (in prod, run by its break-glass role). SIGINT or SIGTERM stops it at a safe point; a second one forces it.
func (Deploy) Env(env string) error { return target("deploy:env", env) }

// Preview groups `mage preview:env <env>`.
type Preview mg.Namespace

// Env previews every layer of an environment against its live state (needs the Pulumi CLI and AWS credentials).
func (Preview) Env(env string) error { return target("preview:env", env) }

// Destroy groups `mage destroy:env <env>`.
type Destroy mg.Namespace

// Env destroys every layer of an environment in reverse order; staging and prod need CONFIRM_DESTROY=<env>, and prod its break-glass role.
func (Destroy) Env(env string) error { return target("destroy:env", env) }

// Recover groups `mage recover:env <env>`.
type Recover mg.Namespace

// Env settles what an interrupted run left in an environment: removes locks whose owner is provably gone (never a live one; LOCK_HOST_GONE=<host> states a machine is gone), adopts pending creates the cloud finished, clears the rest, refreshes; exits 0 when there is nothing to do.
func (Recover) Env(env string) error { return target("recover:env", env) }

// Rollback groups `mage rollback:env <env> <commit>`.
type Rollback mg.Namespace

// Env commits, on a new branch rollback/<env>-<commit>, the infrastructure of <commit> (layers, pkg, compliance lists, planned manifests, costs) on today's tooling, for review and the normal promotion; refused for an unknown commit, one outside main's history, across a bootstrap version, or whose planned manifest of <env> fails policy. It changes git only, never an environment.
func (Rollback) Env(env, commit string) error { return target("rollback:env", env, commit) }

// target runs a target of internal/workbench in the repository, with the
// process's environment, stopped gracefully on a signal.
func target(name string, args ...string) error {
	ctx, force, stop := automation.Interruptible(os.Stdout)
	defer stop()
	return workbench.Target(ctx, name, args, workbench.Options{Root: ".", Lookup: os.LookupEnv, Out: os.Stdout, Force: force})
}

// Drift groups `mage drift:env <env>`.
type Drift mg.Namespace

// Env refreshes every layer of a deployed environment without writing state, writes drift/<env>.json and fails on any drift that compliance/drift-exceptions.yaml does not accept.
func (Drift) Env(env string) error { return target("drift:env", env) }

// Adopt turns the hand changes of drift reports into setting overrides, each setting once: envs is an environment, a comma-separated list, or "all" (every report in drift/); an environment without drift/<env>.json gets a fresh drift check. A same-everywhere setting goes to all three environments; one that drifted to two values is not adopted. Writes drift/adopt.md (the pull request's body); changes files only.
func (Drift) Adopt(envs string) error {
	ctx, force, stop := automation.Interruptible(os.Stdout)
	defer stop()
	return workbench.Adopt(ctx, envs, workbench.Options{Root: ".", Lookup: os.LookupEnv, Out: os.Stdout, Force: force})
}

// Report merges every environment's report in drift/ (from one commit) into one table of environment, layer, resource, property, live and code values and classification; writes drift/report.md and drift/report.json.
func (Drift) Report() error {
	return workbench.DriftNight(workbench.Options{Root: ".", Out: os.Stdout})
}

// Revert deploys an environment with refresh, putting back what drifted; it prints what it will undo first.
func (Drift) Revert(env string) error { return target("drift:revert", env) }

// Manifest groups the deployed manifests: `mage manifest` (all environments) and `mage manifest:env <env>`.
type Manifest mg.Namespace

// Env writes manifests/<env>.json from the deployed stacks' state.
func (Manifest) Env(env string) error { return target("manifest:env", env) }

// Caller writes the deployed manifest of the environment whose account the credentials belong to (`mage manifest`): one set of credentials reaches one account.
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

// Build compiles the payment function for linux/arm64 into compute/dist/payment.zip and prints its hash.
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

// Env prices an environment's offline plan: a table by layer and resource, fixed (idle) and usage-based cost, the arm64 saving; writes costs/<env>.json.
func (Cost) Env(env string) error {
	res, err := plan.Run(context.Background(), plan.Options{Root: ".", Env: env, Out: io.Discard, ManifestDir: "-"})
	if res.Cost.Environment != "" {
		res.Cost.WriteText(os.Stdout)
	}
	return err
}

// Diff compares the working tree's costs with those committed at COST_BASE (default origin/main), as a markdown table.
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

// Prices refreshes costs/prices.yaml from the AWS Price List Query API (needs AWS credentials) and prints what changed.
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

// Env creates or updates an environment's account bootstrap (GitHub OIDC provider, pipeline and break-glass roles, workload boundary, bootstrap version), run by an administrator of that account; its state goes to PULUMI_BACKEND_URL (s3://<bucket>/bootstrap) or the local file backend (see docs/bootstrap.md).
func (Bootstrap) Env(env string) error { return bootstrapTarget("env", env) }

// Destroy tears down an environment's account bootstrap; refused while the environment's layers hold resources.
func (Bootstrap) Destroy(env string) error { return bootstrapTarget("destroy", env) }

// State creates or updates the tooling account's state bucket and key, naming the environments listed in bootstrap/Pulumi.tooling.yaml.
func (Bootstrap) State() error { return bootstrapTarget("state") }

// DestroyState tears down the tooling account's state bucket and key, after every environment and its bootstrap are gone.
func (Bootstrap) DestroyState() error { return bootstrapTarget("destroyState") }

// MoveState moves the bootstrap stacks' state from the local file backend into the state bucket's bootstrap/ prefix (BOOTSTRAP_STATE=s3://<bucket>/bootstrap), once the tooling account's bucket exists; it overwrites nothing.
func (Bootstrap) MoveState() error { return bootstrapTarget("moveState") }

// bootstrapTarget runs the bootstrap project through the Automation API and
// the Pulumi CLI, stopped gracefully on a signal.
func bootstrapTarget(name string, args ...string) error {
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	ctx, force, stopSignals := automation.Interruptible(os.Stdout)
	defer stopSignals()
	return bootstrap.Target(ctx, root, name, args, &automation.Command{Force: force}, os.LookupEnv, os.Stdout)
}

// Policies writes the IAM documents of an environment's account bootstrap into dist/bootstrap/<env>/, for review (see docs/bootstrap.md).
func (Bootstrap) Policies(env string) error { return bootstrapTarget("policies", env) }

// StatePolicies writes the tooling account's state bucket and key policies and the organisation's guardrails (SCP, RCP) into dist/bootstrap/tooling/, for review (see docs/bootstrap.md).
func (Bootstrap) StatePolicies() error { return bootstrapTarget("statePolicies") }

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

// Reference regenerates docs/reference.md: the outputs that cross StackReferences and the pinned versions.
func (Docs) Reference() error {
	md, err := reference.Markdown(".")
	if err != nil {
		return err
	}
	return os.WriteFile(reference.DocPath, md, 0o644)
}
