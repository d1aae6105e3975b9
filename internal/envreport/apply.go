package envreport

import (
	"path/filepath"

	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/profile"
)

// Apply writes each environment's account, region and name suffix, as the
// environments file has them, into every layer's stack file under root
// (`aws:allowedAccountIds`, `aws:region`, `payments:environmentSuffix`),
// leaving every other key as it is. planned gives an environment's profile
// (profile.Planned in production).
func Apply(root string, planned func(profile.Environment) (profile.Profile, error)) error {
	for _, env := range profile.Environments() {
		p, err := planned(env)
		if err != nil {
			return err
		}
		for _, layer := range contract.Layers() {
			path := profile.StackFile(filepath.Join(root, layer), string(env))
			if err := profile.SetStackList(path, profile.KeyAWSAllowedAccountIDs, []string{p.AccountID}); err != nil {
				return err
			}
			if err := profile.SetStackValue(path, profile.KeyAWSRegion, p.Region); err != nil {
				return err
			}
			if err := profile.SetStackValue(path, profile.Namespace+":"+profile.KeySuffix, p.Suffix); err != nil {
				return err
			}
		}
	}
	return nil
}
