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

// defaults are the environments of environmentsFile, by name.
var defaults = mustParseEnvironments(environmentsFile)

// ParseEnvironments reads an environments file: exactly dev, staging and
// prod, each with only known fields (the manifest's settings keys). The
// profiles are not validated here: Load validates each with its overrides.
func ParseEnvironments(raw []byte) (map[Environment]Profile, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("environments file: %w", err)
	}
	out := map[Environment]Profile{}
	for name, body := range doc {
		env := Environment(name)
		switch env {
		case Dev, Staging, Prod:
		default:
			return nil, fmt.Errorf("environments file: unknown environment %q: allowed dev, staging, prod", name)
		}
		// The profile's json tags are the file's keys, as in the manifest.
		text, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("environments file: %s: %w", name, err)
		}
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.DisallowUnknownFields()
		var p Profile
		if err := dec.Decode(&p); err != nil {
			return nil, fmt.Errorf("environments file: %s: %w", name, err)
		}
		p.Environment = env
		out[env] = p
	}
	for _, env := range Environments() {
		if _, ok := out[env]; !ok {
			return nil, fmt.Errorf("environments file: %s is missing", env)
		}
	}
	return out, nil
}

func mustParseEnvironments(raw []byte) map[Environment]Profile {
	m, err := ParseEnvironments(raw)
	if err != nil {
		// The file is embedded: a bad one fails every test and every build's
		// first run, never a deployment half-way.
		panic(err)
	}
	return m
}
