package profile

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// environmentsFile holds the environments side by side, in promotion
// order: tier, account, region, name suffix and the sanctioned differences. It is the one file a
// fork edits; `go run mage.go env:apply` then rewrites the stack files.
//
//go:embed environments.yaml
var environmentsFile []byte

// defaults are the environments of environmentsFile, by name; order is
// their promotion order, the file's; pipeline is its pipeline block and
// review its review block (nil without one).
var defaults, order, pipeline, review = mustParseEnvironments(environmentsFile)

// envName is what an environment's name may be: it is in every stack's
// name and every physical name ({type}-{environment}-{suffix}).
var envName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,10}[a-z0-9]$`)

// ParseEnvironments reads an environments file: its environments, each
// with only known fields (the manifest's settings keys), and its pipeline
// block. The profiles are not validated here: Load validates each with its
// overrides.
func ParseEnvironments(raw []byte) (map[Environment]Profile, error) {
	f, err := parseFile(raw)
	return f.envs, err
}

// file is an environments file, parsed.
type file struct {
	envs   map[Environment]Profile
	order  []Environment
	pipe   Pipeline
	review *Review
}

// parseFile reads the environments, in the file's order, the pipeline
// block and the review block.
func parseFile(raw []byte) (file, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(raw, &root); err != nil {
		return file{}, fmt.Errorf("environments file: %w", err)
	}
	if len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		return file{}, fmt.Errorf("environments file: want a map of environments by name, the %s block and optionally the %s block", PipelineKey, ReviewKey)
	}
	f := file{envs: map[Environment]Profile{}}
	var reviewBody any
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		name, node := m.Content[i].Value, m.Content[i+1]
		var body any
		if err := node.Decode(&body); err != nil {
			return file{}, fmt.Errorf("environments file: %s: %w", name, err)
		}
		switch {
		case name == PipelineKey:
			p, err := parsePipeline(body)
			if err != nil {
				return file{}, err
			}
			f.pipe = p
			continue
		case name == ReviewKey:
			reviewBody = body
			continue
		case strings.HasPrefix(name, ReviewPrefix):
			return file{}, fmt.Errorf("environments file: environment name %q: names beginning %q are review environments' (review:up), not entries of this file", name, ReviewPrefix)
		case !envName.MatchString(name):
			return file{}, fmt.Errorf("environments file: environment name %q: allowed 2-12 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen", name)
		}
		p, err := parseEntry(Environment(name), body)
		if err != nil {
			return file{}, err
		}
		f.envs[p.Environment] = p
		f.order = append(f.order, p.Environment)
	}
	if len(f.order) == 0 {
		return file{}, fmt.Errorf("environments file: no environment")
	}
	if err := distinctAccounts(f.order, f.envs); err != nil {
		return file{}, err
	}
	if reviewBody != nil {
		r, err := parseReview(reviewBody, f.envs)
		if err != nil {
			return file{}, err
		}
		f.review = &r
	}
	return f, nil
}

// parseEntry reads one environment's entry. The profile's json tags are
// the file's keys, as in the manifest.
func parseEntry(env Environment, body any) (Profile, error) {
	var p Profile
	if err := decodeBlock(string(env), body, &p); err != nil {
		return Profile{}, err
	}
	p.Environment = env
	return p, nil
}

// distinctAccounts refuses two environments in one account with one
// suffix: their physical names and stacks' resources would collide.
func distinctAccounts(names []Environment, envs map[Environment]Profile) error {
	seen := map[string]Environment{}
	for _, env := range names {
		p := envs[env]
		if p.AccountID == "" || p.Suffix == "" {
			continue // refused by the entry's validation, naming the key
		}
		key := p.AccountID + "/" + p.Suffix
		if other, ok := seen[key]; ok {
			return fmt.Errorf("environments file: %s and %s share account %s and suffix %q: give one its own account or suffix", other, env, p.AccountID, p.Suffix)
		}
		seen[key] = env
	}
	return nil
}

func mustParseEnvironments(raw []byte) (map[Environment]Profile, []Environment, Pipeline, *Review) {
	f, err := parseFile(raw)
	if err != nil {
		// The file is embedded: a bad one fails every test and every build's
		// first run, never a deployment half-way.
		panic(err)
	}
	return f.envs, f.order, f.pipe, f.review
}
