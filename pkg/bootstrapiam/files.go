package bootstrapiam

import (
	"errors"

	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/iampolicy/validity"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/workload"
)

// File is one document a bootstrap writes, by the name of its review file,
// and what it is to AWS (which decides the rules it must pass).
type File struct {
	Name string
	Kind validity.Kind
	Doc  iampolicy.Document
}

// Files are the documents of the account's bootstrap.
func (a Account) Files() ([]File, error) {
	files := []File{
		{"workload-boundary.json", validity.ManagedPolicy, workload.Boundary(a.Workload(), workload.AuditPrefix)},
		{"deployer-trust.json", validity.TrustPolicy, a.DeployerTrust()},
		{"deployer-policy.json", validity.InlinePolicy, a.DeployerPolicy()},
		{"deployer-boundary.json", validity.ManagedPolicy, a.DeployerBoundary()},
		{"deployer-guardrail.json", validity.ManagedPolicy, a.DeployerGuardrail()},
		{"deployer-network-guardrail-environment.json", validity.ManagedPolicy, a.NetworkGuardrails()[0]},
		{"deployer-network-guardrail-project.json", validity.ManagedPolicy, a.NetworkGuardrails()[1]},
		{"readonly-trust.json", validity.TrustPolicy, a.ReadOnlyTrust()},
		{"readonly-policy.json", validity.ManagedPolicy, a.ReadOnlyPolicy()},
		{"access-log-bucket-policy.json", validity.BucketPolicy, AccessLogBucketPolicy(a)},
	}
	if a.HasBreakGlass() {
		trust, err := a.BreakGlassTrust()
		if err != nil {
			return nil, err
		}
		files = append(files, File{"breakglass-trust.json", validity.TrustPolicy, trust}, File{"breakglass-policy.json", validity.InlinePolicy, a.BreakGlassPolicy()})
	}
	return files, nil
}

// Files are the tooling account's documents and the organisation's
// guardrails.
func (t Tooling) Files() []File {
	return []File{
		{"state-bucket-policy.json", validity.BucketPolicy, t.StateBucketPolicy()},
		{"state-key-policy.json", validity.KeyPolicy, t.StateKeyPolicy()},
		{"service-control-policy.json", validity.SCP, t.ServiceControlPolicy()},
		{"resource-control-policy.json", validity.RCP, t.ResourceControlPolicy()},
	}
}

// Valid checks every file against AWS's validity rules for its kind, and
// the break-glass principals the environments file names against every
// guardrail: the files are written, or deployed, only when all of it holds.
func (t Tooling) Valid(files []File) error {
	var errs []error
	for _, f := range files {
		if err := validity.Validate(f.Kind, f.Name, f.Doc); err != nil {
			errs = append(errs, err)
		}
	}
	if err := t.CheckBreakGlass(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// PlannedTooling is the tooling account with every environment's account,
// as the environments file describes them.
func PlannedTooling() (Tooling, error) {
	pipe, err := profile.PlannedPipeline()
	if err != nil {
		return Tooling{}, err
	}
	t := Tooling{Pipeline: pipe}
	for _, env := range profile.Environments() {
		p, err := profile.Planned(env)
		if err != nil {
			return Tooling{}, err
		}
		t.Accounts = append(t.Accounts, Account{Profile: p, Pipeline: pipe})
	}
	return t, nil
}
