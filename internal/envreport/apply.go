package envreport

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/profile"
)

// Apply writes each environment's account, region and name suffix, as the
// environments file has them, into every layer's stack file under root
// (`aws:allowedAccountIds`, `aws:region`, `payments:environmentSuffix`), and
// the accounts and regions into the bootstrap project's stack files (the
// tooling account's from the pipeline block), leaving every other key as it
// is; a new environment's stack files are created. planned gives an
// environment's profile (profile.Planned in production).
func Apply(root string, planned func(profile.Environment) (profile.Profile, error)) error {
	// Everything is checked before anything is written: a refused file
	// leaves every stack file as it was.
	var all []profile.Profile
	var errs []error
	for _, env := range profile.Environments() {
		p, err := planned(env)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", env, err))
			continue
		}
		if err := profile.ValidateEntry(p); err != nil {
			errs = append(errs, err)
			continue
		}
		all = append(all, p)
	}
	if len(errs) == 0 {
		if err := profile.ValidateSet(all); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("env:apply refused, nothing written:\n%w", errors.Join(errs...))
	}
	if err := apply(root, planned); err != nil {
		return err
	}
	pipe, err := profile.PlannedPipeline()
	if err != nil {
		return err
	}
	return profile.SetStackAccount(profile.StackFile(filepath.Join(root, bootstrapiam.Project), bootstrapiam.ToolingStack), pipe.ToolingAccountID, pipe.Region)
}

func apply(root string, planned func(profile.Environment) (profile.Profile, error)) error {
	for _, env := range profile.Environments() {
		p, err := planned(env)
		if err != nil {
			return err
		}
		boot := profile.StackFile(filepath.Join(root, bootstrapiam.Project), string(env))
		if err := profile.EnsureStackFile(boot); err != nil {
			return err
		}
		if err := profile.SetStackAccount(boot, p.AccountID, p.Region); err != nil {
			return err
		}
		if err := profile.WriteLayerStackFiles(root, p); err != nil {
			return err
		}
	}
	return nil
}
