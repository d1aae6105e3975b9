// Package deploy runs an operation (preview, up, destroy) over the four layers
// of one environment: it validates the environment and its stack config,
// checks the Pulumi CLI and that the caller's AWS account is the
// environment's, then runs the layers in dependency order (independent layers
// concurrently, destroy in exact reverse order), stops at the first failing
// layer, and reports a per-layer summary. An update is previewed layer by
// layer first and refused where it would replace or delete a stateful
// resource (the data-loss guard) unless that was allowed. The vocabulary
// (operations, layers, steps, outcomes, data loss) and the ports the Pulumi
// work goes through (stage.Runner, stage.Planner, stage.Inspector) are
// pkg/stage's: the Automation API runner (internal/deploy/automation) in
// production, a fake or the in-process engine (internal/offline) in tests.
// Before any layer runs, the Guard (internal/recovery) refuses while
// another run holds the environment or an interrupted run left something
// behind; a destroy of prod needs its confirmation.
package deploy
