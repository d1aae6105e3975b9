// Package profile holds the sanctioned per-environment differences of the
// payments platform (docs/environments.md) as typed values, reads each stack's
// overrides from Pulumi config, and validates the result. It is the single
// place where dev, staging and prod are allowed to differ; every other package
// asks a Profile instead of branching on the environment name.
package profile
