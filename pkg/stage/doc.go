// Package stage is the vocabulary every operation on an environment's
// layers shares: the offline plan, a deployment, a preview, a destroy, the
// drift check and the deployed manifest. It holds the operations, the
// layers and their graph, the resource steps a run performs and what they
// change, the data a step would lose, and the ports a run goes through: a
// Runner runs an operation on one layer's stack, a Planner saves and applies
// an update plan, an Inspector reads a stack without changing it.
//
// The operations run through the same stages, each with the runner that
// fits it (the in-process engine against the stand-in, or the Pulumi CLI
// against an account):
//
//	layers in dependency order -> manifest -> policy -> cost
//
// The offline plan runs all four; a deployment the first three (its
// manifest is the deployed one); the drift check stops after the layers'
// refresh. The manifest stage is one function for all of them
// (manifest.FromStacks).
//
// The orchestration (internal/deploy for a deployment, internal/plan for
// the offline plan) sits above this package, and the runners
// (internal/deploy/automation, internal/offline) beside it; this package
// imports nothing of the project's, so each of them can depend on it.
package stage
