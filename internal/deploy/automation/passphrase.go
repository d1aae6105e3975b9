package automation

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/pkg/v3/secrets/passphrase"
	"gopkg.in/yaml.v3"
)

// ErrWrongPassphrase is a passphrase that does not open an environment's
// stacks.
var ErrWrongPassphrase = errors.New("wrong passphrase")

// CheckPassphrase opens the first of layers' stack files of env that has
// an encryption salt (Pulumi.<env>.yaml's `encryptionsalt:`, written when
// the stack was created) with PULUMI_CONFIG_PASSPHRASE, as the CLI will: a
// wrong passphrase is refused here, naming it, before any layer runs,
// rather than as a refresh's failure half-way. Stacks never created carry
// no salt and are not checked; nor is a passphrase given only as
// PULUMI_CONFIG_PASSPHRASE_FILE.
func (a *Automation) CheckPassphrase(env string, layers []string) error {
	phrase, ok := a.lookupEnv("PULUMI_CONFIG_PASSPHRASE")
	if !ok {
		return nil
	}
	for _, layer := range layers {
		rel := filepath.Join(layer, "Pulumi."+env+".yaml")
		raw, err := os.ReadFile(filepath.Join(a.Root, rel))
		if err != nil {
			continue // the deployment's own checks name a missing stack file
		}
		var stack struct {
			Salt string `yaml:"encryptionsalt"`
		}
		if err := yaml.Unmarshal(raw, &stack); err != nil || stack.Salt == "" {
			continue
		}
		_, err = passphrase.GetPassphraseSecretsManager(phrase, stack.Salt)
		if errors.Is(err, passphrase.ErrIncorrectPassphrase) {
			return fmt.Errorf("%w: PULUMI_CONFIG_PASSPHRASE is not the passphrase of %s's stacks (it does not open the encryptionsalt in %s): "+
				"export %s's passphrase from the team's secrets manager (docs/bootstrap.md, \"Passphrase\")", ErrWrongPassphrase, env, rel, env)
		}
		if err != nil {
			return fmt.Errorf("checking the passphrase against %s: %w", rel, err)
		}
		return nil
	}
	return nil
}
