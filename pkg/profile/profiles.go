package profile

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"

	"gopkg.in/yaml.v3"
)

// environmentsFile holds the three environments side by side: accounts,
// region, name suffix and the sanctioned differences. It is the one file a
// fork edits; `go run mage.go env:apply` then rewrites the stack files.
//
//go:embed environments.yaml
var environmentsFile []byte

// defaults are the environments of environmentsFile, by name; pipeline is
// its pipeline block.
var defaults, pipeline = mustParseEnvironments(environmentsFile)

// ParseEnvironments reads an environments file: exactly dev, staging and
// prod, each with only known fields (the manifest's settings keys). The
// profiles are not validated here: Load validates each with its overrides.
func ParseEnvironments(raw []byte) (map[Environment]Profile, error) {
	envs, _, err := parseFile(raw)
	return envs, err
}

// parseFile reads the environments and the pipeline block.
func parseFile(raw []byte) (map[Environment]Profile, Pipeline, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, Pipeline{}, fmt.Errorf("environments file: %w", err)
	}
	var pipe Pipeline
	if body, ok := doc[PipelineKey]; ok {
		p, err := parsePipeline(body)
		if err != nil {
			return nil, Pipeline{}, err
		}
		pipe = p
		delete(doc, PipelineKey)
	}
	out := map[Environment]Profile{}
	for name, body := range doc {
		env := Environment(name)
		switch env {
		case Dev, Staging, Prod:
		default:
			return nil, Pipeline{}, fmt.Errorf("environments file: unknown environment %q: allowed dev, staging, prod (and the %s block)", name, PipelineKey)
		}
		// The profile's json tags are the file's keys, as in the manifest.
		text, err := json.Marshal(body)
		if err != nil {
			return nil, Pipeline{}, fmt.Errorf("environments file: %s: %w", name, err)
		}
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.DisallowUnknownFields()
		var p Profile
		if err := dec.Decode(&p); err != nil {
			return nil, Pipeline{}, fmt.Errorf("environments file: %s: %w", name, err)
		}
		p.Environment = env
		out[env] = p
	}
	for _, env := range Environments() {
		if _, ok := out[env]; !ok {
			return nil, Pipeline{}, fmt.Errorf("environments file: %s is missing", env)
		}
	}
	return out, pipe, nil
}

func mustParseEnvironments(raw []byte) (map[Environment]Profile, Pipeline) {
	m, pipe, err := parseFile(raw)
	if err != nil {
		// The file is embedded: a bad one fails every test and every build's
		// first run, never a deployment half-way.
		panic(err)
	}
	return m, pipe
}
