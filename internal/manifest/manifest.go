// Package manifest builds the compliance manifest of an environment from
// Pulumi's own data: each layer's resources as the engine recorded them
// (type, logical and physical name, id where deployed, tags, inputs) and each
// layer's stack outputs, plus the sanctioned settings in force. One code path
// serves deployed stacks (state exported through the Automation API) and the
// offline plan (the offline engine's snapshots). The output is deterministic: sorted,
// secrets redacted, no timestamps outside the provenance block, so two
// generations of an unchanged environment are byte-identical.
package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/sig"

	"github.com/acmepay/platform/internal/policy/report"
	"github.com/acmepay/platform/internal/redact"
	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/profile"
)

// SchemaVersion is the version of the manifest format (docs/manifest.schema.json).
const SchemaVersion = 1

// Statuses of a manifest.
const (
	Planned  = "planned"  // generated offline, before any deployment
	Deployed = "deployed" // read from the state of deployed stacks
)

// PlannedDir holds each environment's planned manifest, relative to the
// repository's root.
const PlannedDir = "manifests/planned"

// PlannedPath is env's planned manifest, relative to the repository's root.
func PlannedPath(env string) string { return PlannedDir + "/" + env + ".json" }

// ReadPlanned reads env's planned manifest in the repository at root.
func ReadPlanned(root, env string) (Manifest, error) {
	path := filepath.Join(root, filepath.FromSlash(PlannedPath(env)))
	raw, err := os.ReadFile(path)
	if err != nil {
		return Manifest{}, err
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return Manifest{}, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Placeholder stands for a value known only once AWS has created the resource.
const Placeholder = "(known after deploy)"

// Redundancy states what multi-AZ redundancy means for each environment,
// rather than pretending a flag.
const Redundancy = "DynamoDB replicates every table across three availability zones of the region in every environment; " +
	"prod adds point-in-time recovery, autoscaling and one NAT gateway per AZ (see settings)."

// Manifest is the compliance manifest of one environment.
type Manifest struct {
	SchemaVersion int             `json:"schemaVersion"`
	Environment   string          `json:"environment"`
	Account       string          `json:"account"`
	Region        string          `json:"region"`
	Status        string          `json:"status"`
	Settings      profile.Profile `json:"settings"`
	Redundancy    string          `json:"redundancy"`
	Layers        []Layer         `json:"layers"`
	Policy        *report.Report  `json:"policy,omitempty"`
	Provenance    *Provenance     `json:"provenance,omitempty"`
}

// Layer is one layer's stack.
type Layer struct {
	Name string `json:"name"`
	// Deployment is the layer's last update (deployed manifests only).
	Deployment *Deployment    `json:"deployment,omitempty"`
	Outputs    map[string]any `json:"outputs"`
	Resources  []Resource     `json:"resources"`
}

// Deployment is a layer's last update as the state backend records it: which
// code is running, from the backend's own history rather than from whatever
// is checked out where the manifest is generated.
type Deployment struct {
	// Version is the update's number in the stack's history (`pulumi stack
	// history`), where its times and changes are recorded.
	Version int `json:"version"`
	// Commit is the git commit the update ran from; Dirty says the working
	// tree had uncommitted changes, so the commit alone does not describe it.
	Commit string `json:"commit,omitempty"`
	Dirty  bool   `json:"dirty"`
	// Result is the update's outcome (succeeded, failed).
	Result string `json:"result"`
}

// Resource is one resource of a layer.
type Resource struct {
	URN            string            `json:"urn"`
	Type           string            `json:"type"`
	LogicalName    string            `json:"logicalName"`
	PhysicalName   string            `json:"physicalName,omitempty"`
	ID             string            `json:"id,omitempty"`
	Parent         string            `json:"parent,omitempty"`
	Tags           map[string]string `json:"tags,omitempty"`
	Config         map[string]any    `json:"config,omitempty"`
	Protect        bool              `json:"protect"`
	RetainOnDelete bool              `json:"retainOnDelete"`
}

// Provenance says where a deployed manifest came from: the commit of the
// checkout that generated it and the state backend it read. It holds no
// generation time, so two generations of an unchanged environment from one
// checkout are byte-identical. Planned manifests carry none.
type Provenance struct {
	SourceCommit string `json:"sourceCommit"`
	Backend      string `json:"backend,omitempty"`
}

// LayerState is a layer's state as Pulumi records it.
type LayerState struct {
	Name       string
	Resources  []apitype.ResourceV3
	Deployment *Deployment
}

// Input is what a manifest is built from.
type Input struct {
	Profile profile.Profile
	Status  string
	Layers  []LayerState
	// Mask replaces, inside any string, the values that are not real yet
	// (ids the offline plan's stand-in made up) with Placeholder, so an ARN
	// or a policy document naming one stays readable. Nil for deployed stacks.
	Mask       func(string) string
	Provenance *Provenance
}

// Build assembles the manifest.
func Build(in Input) Manifest {
	m := Manifest{
		SchemaVersion: SchemaVersion,
		Environment:   string(in.Profile.Environment),
		Account:       in.Profile.AccountID,
		Region:        in.Profile.Region,
		Status:        in.Status,
		Settings:      in.Profile,
		Redundancy:    Redundancy,
		Provenance:    in.Provenance,
	}
	clean := func(v any) any { return scrub(redact.Value(v), in.Mask) }
	for _, l := range in.Layers {
		layer := Layer{Name: l.Name, Deployment: l.Deployment, Outputs: map[string]any{}}
		for _, r := range l.Resources {
			if string(r.Type) == "pulumi:pulumi:Stack" {
				for k, v := range r.Outputs {
					layer.Outputs[k] = clean(v)
				}
				continue
			}
			if r.Delete {
				continue // replaced resources awaiting deletion are not part of the environment
			}
			res := Resource{
				URN:            string(r.URN),
				Type:           string(r.Type),
				LogicalName:    r.URN.Name(),
				PhysicalName:   awstype.Physical(string(r.Type), r.Inputs),
				Parent:         string(r.Parent),
				Protect:        r.Protect,
				RetainOnDelete: r.RetainOnDelete,
			}
			if r.Custom && in.Status == Deployed {
				res.ID = string(r.ID)
			}
			config := map[string]any{}
			for k, v := range r.Inputs {
				if k == "tags" {
					continue
				}
				config[k] = clean(v)
			}
			if len(config) > 0 {
				res.Config = config
			}
			if tags, ok := r.Inputs["tags"].(map[string]any); ok {
				res.Tags = map[string]string{}
				for k, v := range tags {
					if s, ok := v.(string); ok {
						res.Tags[k] = s
					}
				}
			}
			layer.Resources = append(layer.Resources, res)
		}
		sort.Slice(layer.Resources, func(i, j int) bool { return layer.Resources[i].URN < layer.Resources[j].URN })
		m.Layers = append(m.Layers, layer)
	}
	return m
}

// scrub makes values reproducible: code archives are identified by their
// content hash (not their path on the machine that built them), and values
// not known before deployment become Placeholder.
func scrub(v any, mask func(string) string) any {
	switch t := v.(type) {
	case map[string]any:
		if s, ok := t[sig.Key]; ok && (s == sig.AssetSig || s == sig.ArchiveSig) {
			return map[string]any{"contentSha256": t["hash"]}
		}
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = scrub(x, mask)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = scrub(x, mask)
		}
		return out
	case string:
		if mask != nil {
			return mask(t)
		}
	}
	return v
}

// JSON renders the manifest deterministically (maps are sorted by the
// encoder, slices are sorted by Build), indented, with a final newline.
func (m Manifest) JSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// MaskTokens returns an Input.Mask that replaces every occurrence of the
// tokens with Placeholder, the longest first where one token contains
// another.
func MaskTokens(tokens []string) func(string) string {
	sorted := slices.Clone(tokens)
	slices.SortFunc(sorted, func(a, b string) int { return len(b) - len(a) })
	var pairs []string
	for _, t := range sorted {
		if t != "" {
			pairs = append(pairs, t, Placeholder)
		}
	}
	r := strings.NewReplacer(pairs...)
	return r.Replace
}

// DeployedDir holds the deployed manifests, relative to the root (not
// committed: each deployment's is uploaded with its pipeline run).
const DeployedDir = "manifests"

// WriteDeployed writes a deployed manifest to manifests/<env>.json under
// root and returns the path.
func (m Manifest) WriteDeployed(root string) (string, error) {
	body, err := m.JSON()
	if err != nil {
		return "", err
	}
	path := filepath.Join(root, DeployedDir, m.Environment+".json")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	return path, os.WriteFile(path, body, 0o644)
}

// ProvenanceOf is the provenance of a manifest generated from the checkout
// at root, reading the given state backend.
func ProvenanceOf(root, backend string) (Provenance, error) {
	cmd := exec.Command("git", "rev-parse", "HEAD")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return Provenance{}, fmt.Errorf("reading the source commit of %s (git rev-parse HEAD): %w", root, err)
	}
	return Provenance{SourceCommit: strings.TrimSpace(string(out)), Backend: backend}, nil
}
