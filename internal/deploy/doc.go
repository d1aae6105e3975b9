// Package deploy runs an operation (preview, up, destroy) over the four layers
// of one environment: it validates the environment and its stack config,
// checks the Pulumi CLI and that the caller's AWS account is the
// environment's, then runs the layers in dependency order (independent layers
// concurrently, destroy in exact reverse order), stops at the first failing
// layer, and reports a per-layer summary. The Pulumi work itself is behind the
// Runner interface: the Automation API in production, a fake in tests.
package deploy
