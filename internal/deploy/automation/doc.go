// Package automation is the deployment's adapter to Pulumi's Automation API:
// it runs each layer's stack (inline when the layer's program is compiled
// in) with the layer directory as its workspace and the state backend of
// PULUMI_BACKEND_URL, reads states, history and refreshes for the drift
// check and the deployed manifest, edits a state for recovery, checks the
// CLI, and runs the CLI so that a cancelled deployment stops at a safe point
// (Command). It implements stage.Runner, stage.Inspector and
// recovery.Editor; the orchestration stays in package deploy.
package automation
