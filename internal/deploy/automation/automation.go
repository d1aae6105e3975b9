package automation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/internal/drift"
	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/stage"
)

// StateDir is the default file backend, inside the repository and ignored by
// git, so a first deployment needs no account anywhere.
const StateDir = ".pulumi-state"

// Backend returns the state backend URL: PULUMI_BACKEND_URL when set (an S3
// bucket or Pulumi Cloud for teams), otherwise the local file backend.
func Backend(root string, lookup func(string) (string, bool)) (string, error) {
	if url, set := lookup("PULUMI_BACKEND_URL"); set {
		if strings.TrimSpace(url) == "" {
			// In CI an unset repository variable expands to "": falling back
			// to a file backend there would lose the state with the runner.
			return "", fmt.Errorf("PULUMI_BACKEND_URL is set but empty: set it to the team's state backend (s3://<bucket>/<prefix>), or unset it to use the local file backend %s/", StateDir)
		}
		return url, nil
	}
	abs, err := filepath.Abs(filepath.Join(root, StateDir))
	if err != nil {
		return "", err
	}
	return "file://" + abs, nil
}

// ErrNoPassphrase explains how to provide the secrets passphrase.
var ErrNoPassphrase = errors.New("the passphrase secrets provider needs PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE: " +
	"export the team's passphrase (from the secrets manager) before deploying; an empty passphrase is allowed only when set explicitly")

// Automation runs layers through the Pulumi Automation API against each layer
// directory, as `pulumi up` inside the directory would.
type Automation struct {
	Root    string
	Backend string
	// Programs, when set, are the layers' programs, run inline; a layer
	// without one is compiled from its directory by the Go language host.
	Programs map[string]pulumi.RunFunc
	// Command, when set, runs the CLI (graceful cancellation); the
	// Automation API's own runner otherwise.
	Command *Command
	// Exists, when set with Command, reports whether the state backend
	// holds a layer's stack: such a stack is selected without starting
	// the CLI (knownStack).
	Exists    func(ctx context.Context, project, stack string) (bool, error)
	lookupEnv func(string) (string, bool)
	// exceptions are the drift an update leaves as it is (IgnoreDrift).
	exceptions []drift.Exception
	// mu guards exceptions and the selection of stacks.
	mu sync.Mutex
}

// NewAutomation resolves the backend; Preflight checks the rest.
func New(root string, lookup func(string) (string, bool)) (*Automation, error) {
	backend, err := Backend(root, lookup)
	if err != nil {
		return nil, err
	}
	return &Automation{Root: root, Backend: backend, lookupEnv: lookup}, nil
}

// StateBackend is the backend's URL, for the deployment's check that the
// state bucket's policy covers it.
func (a *Automation) StateBackend() string { return a.Backend }

// Preflight checks the secrets passphrase and creates the local state
// directory; the Deployer calls it before any layer runs.
func (a *Automation) Preflight() error {
	_, hasPass := a.lookupEnv("PULUMI_CONFIG_PASSPHRASE")
	if _, hasFile := a.lookupEnv("PULUMI_CONFIG_PASSPHRASE_FILE"); !hasPass && !hasFile {
		return ErrNoPassphrase
	}
	if strings.HasPrefix(a.Backend, "file://") {
		if err := os.MkdirAll(strings.TrimPrefix(a.Backend, "file://"), 0o700); err != nil {
			return fmt.Errorf("creating the local state directory: %w", err)
		}
	}
	return nil
}

// Run implements Runner. Previews and updates refresh from the live
// resources first (`--refresh`): an update then puts drifted properties back
// and recreates resources deleted by hand, and a preview shows that.
func (a *Automation) Run(ctx context.Context, op stage.Op, layer stage.Layer, env string, out io.Writer) (stage.Outcome, error) {
	switch op {
	case stage.Preview:
		return a.preview(ctx, layer, env, out)
	case stage.Up:
		return a.up(ctx, layer, env, out)
	case stage.Destroy:
		stack, err := a.stack(ctx, layer, env)
		if err != nil {
			return stage.Outcome{}, err
		}
		steps := collectSteps()
		res, err := stack.Destroy(ctx, optdestroy.ProgressStreams(out), optdestroy.ErrorProgressStreams(out), optdestroy.EventStreams(steps.events))
		if err != nil {
			return stage.Outcome{}, err
		}
		return stage.Outcome{Changes: summaryChanges(res.Summary.ResourceChanges), Steps: steps.wait()}, nil
	}
	return stage.Outcome{}, fmt.Errorf("unknown operation %q", op)
}

// PlanLayer implements stage.Planner: a preview with refresh whose update
// plan is saved at path (`pulumi preview --refresh --save-plan`).
func (a *Automation) PlanLayer(ctx context.Context, layer stage.Layer, env string, path string, out io.Writer) (stage.Outcome, error) {
	return a.preview(ctx, layer, env, out, optpreview.Plan(path))
}

// ApplyPlan implements stage.Planner: an update with refresh held to the
// plan saved at path (`pulumi up --refresh --plan`): a change the plan did
// not show fails the update.
func (a *Automation) ApplyPlan(ctx context.Context, layer stage.Layer, env string, path string, out io.Writer) (stage.Outcome, error) {
	return a.up(ctx, layer, env, out, optup.Plan(path))
}

func (a *Automation) preview(ctx context.Context, layer stage.Layer, env string, out io.Writer, opts ...optpreview.Option) (stage.Outcome, error) {
	stack, err := a.stack(ctx, layer, env)
	if err != nil {
		return stage.Outcome{}, err
	}
	steps := collectSteps()
	res, err := stack.Preview(ctx, append([]optpreview.Option{optpreview.ProgressStreams(out), optpreview.ErrorProgressStreams(out), optpreview.Diff(),
		optpreview.Refresh(), optpreview.EventStreams(steps.events)}, opts...)...)
	if err != nil {
		return stage.Outcome{}, err
	}
	changes := stage.Changes{}
	for kind, n := range res.ChangeSummary {
		changes[string(kind)] = n
	}
	return stage.Outcome{Changes: changes, Steps: steps.wait(), OutputsChanged: steps.outputsChanged, ChangedOutputs: steps.changedOutputs, Refreshed: steps.refreshed}, nil
}

func (a *Automation) up(ctx context.Context, layer stage.Layer, env string, out io.Writer, opts ...optup.Option) (stage.Outcome, error) {
	stack, err := a.stack(ctx, layer, env)
	if err != nil {
		return stage.Outcome{}, err
	}
	steps := collectSteps()
	res, err := stack.Up(ctx, append([]optup.Option{optup.ProgressStreams(out), optup.ErrorProgressStreams(out), optup.Refresh(),
		optup.EventStreams(steps.events)}, opts...)...)
	if err != nil {
		return stage.Outcome{}, err
	}
	return stage.Outcome{Changes: summaryChanges(res.Summary.ResourceChanges), Steps: steps.wait()}, nil
}

func summaryChanges(m *map[string]int) stage.Changes {
	changes := stage.Changes{}
	if m != nil {
		for k, v := range *m {
			changes[k] = v
		}
	}
	return changes
}

// stepCollector gathers the resource steps of one operation from its engine
// events. The Automation API closes the channel when the operation's events
// end, before the operation returns successfully.
type stepCollector struct {
	events chan events.EngineEvent
	done   chan struct{}
	steps  []stage.Step
	// outputsChanged is set when the stack resource's outputs differ from
	// its last update's (unknown outputs in a preview count as changed).
	outputsChanged bool
	changedOutputs []string
	refreshed      []apitype.EngineEvent
}

func collectSteps() *stepCollector {
	c := &stepCollector{events: make(chan events.EngineEvent), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for ev := range c.events {
			if ev.ResourcePreEvent != nil {
				c.steps = append(c.steps, stepOf(ev.ResourcePreEvent.Metadata))
			}
			if ev.ResOutputsEvent != nil && ev.ResOutputsEvent.Metadata.Op == apitype.OpRefresh {
				c.refreshed = append(c.refreshed, ev.EngineEvent)
			}
			if ev.ResOutputsEvent != nil && ev.ResOutputsEvent.Metadata.Type == stackType {
				md := ev.ResOutputsEvent.Metadata
				var old, new map[string]any
				if md.Old != nil {
					old = md.Old.Outputs
				}
				if md.New != nil {
					new = md.New.Outputs
				}
				changed := stage.ChangedOutputs(old, new)
				c.changedOutputs = append(c.changedOutputs, changed...)
				c.outputsChanged = c.outputsChanged || md.Old == nil || md.New == nil || len(changed) > 0
			}
		}
	}()
	return c
}

const stackType = "pulumi:pulumi:Stack"

// wait returns the steps once every event has arrived.
func (c *stepCollector) wait() []stage.Step {
	<-c.done
	return c.steps
}

// stepOf reads one step from its event.
func stepOf(md apitype.StepEventMetadata) stage.Step {
	inputs := func(state *apitype.StepEventStateMetadata) resource.PropertyMap {
		if state == nil {
			return nil
		}
		return resource.NewPropertyMapFromMap(state.Inputs)
	}
	return stage.NewStep(string(md.Op), md.Type, md.URN, inputs(md.Old), inputs(md.New), awstype.Physical)
}

// MinimumCLI is the oldest Pulumi CLI the Automation API code is tested with.
var MinimumCLI = [3]int{3, 200, 0}

// PulumiCLI checks the installed Pulumi CLI.
type PulumiCLI struct {
	// Lookup finds the binary; exec.LookPath by default.
	Lookup func(string) (string, error)
	// Version runs `pulumi version`.
	Version func(ctx context.Context, path string) (string, error)
}

// Check implements CLI.
func (c PulumiCLI) Check(ctx context.Context) (string, error) {
	lookup, version := c.Lookup, c.Version
	if lookup == nil {
		lookup = exec.LookPath
	}
	if version == nil {
		version = func(ctx context.Context, path string) (string, error) {
			out, err := exec.CommandContext(ctx, path, "version").Output()
			return strings.TrimSpace(string(out)), err
		}
	}
	path, err := lookup("pulumi")
	if err != nil {
		return "", fmt.Errorf("the Pulumi CLI is not installed (no `pulumi` on PATH): install v%d.%d or later from https://www.pulumi.com/docs/install/; "+
			"`go run mage.go plan:env <env>` needs no CLI", MinimumCLI[0], MinimumCLI[1])
	}
	v, err := version(ctx, path)
	if err != nil {
		return "", fmt.Errorf("running `%s version`: %w", path, err)
	}
	got, ok := parseVersion(v)
	if !ok {
		return "", fmt.Errorf("could not read the Pulumi CLI version from %q", v)
	}
	for i := range got {
		if got[i] != MinimumCLI[i] {
			if got[i] < MinimumCLI[i] {
				return "", fmt.Errorf("the Pulumi CLI is %s: need v%d.%d.%d or later", v, MinimumCLI[0], MinimumCLI[1], MinimumCLI[2])
			}
			break
		}
	}
	return v, nil
}

var versionPattern = regexp.MustCompile(`v?(\d+)\.(\d+)\.(\d+)`)

func parseVersion(s string) ([3]int, bool) {
	m := versionPattern.FindStringSubmatch(s)
	if m == nil {
		return [3]int{}, false
	}
	var v [3]int
	for i := range v {
		v[i], _ = strconv.Atoi(m[i+1])
	}
	return v, true
}

var (
	_ stage.Runner  = (*Automation)(nil)
	_ stage.Planner = (*Automation)(nil)
)
