package bootstrapiam

import (
	"errors"
	"fmt"
	"slices"

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
		{a.fileName("workload-boundary.json"), validity.ManagedPolicy, workload.Boundary(a.Workload(), workload.AuditPrefix)},
		{a.fileName("deployer-trust.json"), validity.TrustPolicy, a.DeployerTrust()},
		{a.fileName("deployer-policy.json"), validity.InlinePolicy, a.DeployerPolicy()},
		{a.fileName("deployer-boundary.json"), validity.ManagedPolicy, a.DeployerBoundary()},
		{a.fileName("deployer-guardrail.json"), validity.ManagedPolicy, a.DeployerGuardrail()},
		{a.fileName("deployer-network-guardrail-environment.json"), validity.ManagedPolicy, a.NetworkGuardrails()[0]},
		{a.fileName("deployer-network-guardrail-project.json"), validity.ManagedPolicy, a.NetworkGuardrails()[1]},
	}
	if !a.isReviews() {
		files = append(files,
			File{"readonly-trust.json", validity.TrustPolicy, a.ReadOnlyTrust()},
			File{"readonly-policy.json", validity.ManagedPolicy, a.ReadOnlyPolicy()})
	}
	files = append(files, File{a.fileName("access-log-bucket-policy.json"), validity.BucketPolicy, AccessLogBucketPolicy(a)})
	if a.HasBreakGlass() {
		trust, err := a.BreakGlassTrust()
		if err != nil {
			return nil, err
		}
		files = append(files, File{"breakglass-trust.json", validity.TrustPolicy, trust}, File{"breakglass-policy.json", validity.InlinePolicy, a.BreakGlassPolicy()})
		for i, grants := range a.BreakGlassGrants() {
			files = append(files, File{fmt.Sprintf("breakglass-grants-%d.json", i+1), validity.ManagedPolicy, grants})
		}
	}
	if r, ok := a.Reviews(); ok {
		more, err := r.Files()
		if err != nil {
			return nil, err
		}
		files = append(files, more...)
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
	return t.WithReviews(), nil
}

// WithReviews adds the review environments' account after the account
// they run in, when that account's state is held here.
func (t Tooling) WithReviews() Tooling {
	var out []Account
	for _, a := range t.Accounts {
		out = append(out, a)
		if r, ok := a.Reviews(); ok && !slices.ContainsFunc(t.Accounts, func(b Account) bool { return b.isReviews() }) {
			out = append(out, r)
		}
	}
	t.Accounts = out
	return t
}
