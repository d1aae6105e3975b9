//go:build mage

// Tasks of the payments platform. Targets stay thin: they parse arguments,
// call a tested package and print.
package main

import (
	"fmt"
	"os"

	"github.com/magefile/mage/mg"
	"github.com/magefile/mage/sh"

	"github.com/acmepay/platform/internal/envreport"
)

// Env groups environment commands: `mage env:show dev`.
type Env mg.Namespace

// Show prints the validated sanctioned settings of an environment (dev, staging or prod).
func (Env) Show(env string) error {
	p, err := envreport.Load(".", env)
	if err != nil {
		return err
	}
	return envreport.Write(os.Stdout, p)
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
