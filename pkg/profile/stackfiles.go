package profile

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
)

// Layers lists the layers in deployment order; the settings table assigns
// each setting to one of them, and pkg/contract says what each reads.
func Layers() []string {
	return []string{LayerNetwork, LayerData, LayerCompute, LayerObservability}
}

// WriteLayerStackFiles writes the environment's account, region and
// suffix into its stack file of every layer under root, creating the files
// a new environment lacks; the rest of each file is kept.
func WriteLayerStackFiles(root string, p Profile) error {
	for _, layer := range Layers() {
		path := StackFile(filepath.Join(root, layer), string(p.Environment))
		if err := EnsureStackFile(path); err != nil {
			return err
		}
		if err := SetStackAccount(path, p.AccountID, p.Region); err != nil {
			return err
		}
		if err := SetStackValue(path, qualified(KeySuffix), p.Suffix); err != nil {
			return err
		}
	}
	return nil
}

// SetStackAccount sets a stack file's AWS region and its one allowed
// account.
func SetStackAccount(path, account, region string) error {
	if err := SetStackValue(path, KeyAWSRegion, region); err != nil {
		return err
	}
	return SetStackList(path, KeyAWSAllowedAccountIDs, []string{account})
}

// FromStackFiles reads and validates the profile of env from every layer's stack file
// under root. Each file may hold only its own layer's settings and the shared
// ones; the shared ones must agree across the four files; the environment's
// profile is then the defaults with every layer's overrides, validated as a
// whole (the mission's invariants included).
func FromStackFiles(root, env string) (Profile, error) {
	e, err := ParseEnvironment(env)
	if err != nil {
		return Profile{}, err
	}
	// A bad value in environments.yaml is named there, not in the stack
	// files that inherit it.
	entry, err := Planned(e)
	if err != nil {
		return Profile{}, err
	}
	if err := ValidateEntry(entry); err != nil {
		return Profile{}, err
	}
	merged := map[string]string{}
	shared := map[string]map[string]string{} // key -> file -> value
	var files []string
	for _, layer := range Layers() {
		path := StackFile(filepath.Join(root, layer), string(e))
		rel := filepath.Join(layer, filepath.Base(path))
		files = append(files, rel)
		cfg, err := ReadStackFile(path)
		if err != nil {
			return Profile{}, fmt.Errorf("layer %s has no usable stack %s: %w", layer, e, err)
		}
		if err := CheckOwnership(layer, rel, cfg); err != nil {
			return Profile{}, err
		}
		// Each file must make a valid stack on its own: it is what a
		// hand-run `pulumi up` in that layer reads.
		if _, err := Load(string(e), FromMap(cfg)); err != nil {
			return Profile{}, fmt.Errorf("%s: %w", rel, err)
		}
		for k, v := range cfg {
			if s, ok := LookupSetting(k); ok && s.Owner == Shared {
				if shared[k] == nil {
					shared[k] = map[string]string{}
				}
				shared[k][rel] = v
				continue
			}
			merged[k] = v
		}
	}
	for _, key := range slices.Sorted(maps.Keys(shared)) {
		if err := agree(key, shared[key], files); err != nil {
			return Profile{}, err
		}
		for _, v := range shared[key] {
			merged[key] = v
		}
	}
	p, err := Load(string(e), FromMap(merged))
	if err != nil {
		return Profile{}, fmt.Errorf("%s: %w", env, err)
	}
	return p, nil
}

// agree checks that a shared setting has one value in every layer's file,
// and otherwise names each file's value and the files to fix (those that
// differ from the most common value).
func agree(key string, values map[string]string, files []string) error {
	count := map[string]int{}
	for _, f := range files {
		v, ok := values[f]
		if !ok {
			v = "(not set)"
		}
		count[v]++
	}
	if len(count) == 1 {
		return nil
	}
	common, best := "", 0
	for v, n := range count {
		if n > best || (n == best && v < common) {
			common, best = v, n
		}
	}
	var each, fix []string
	for _, f := range files {
		v, ok := values[f]
		if !ok {
			v = "(not set)"
		}
		each = append(each, fmt.Sprintf("%s has %q", f, v))
		if v != common {
			fix = append(fix, f)
		}
	}
	return fmt.Errorf("config %s must be the same in every layer's stack file: %s; fix %s",
		key, strings.Join(each, ", "), strings.Join(fix, " and "))
}

// ForDeployment is FromStackFiles of env plus the checks across environments
// (overlapping CIDRs, shared accounts) that a single environment cannot make:
// everything that must hold before any layer of env is planned or deployed.
func ForDeployment(root string, env Environment) (Profile, error) {
	var all []Profile
	var target Profile
	for _, e := range Environments() {
		p, err := FromStackFiles(root, string(e))
		if err != nil {
			return Profile{}, fmt.Errorf("configuration of %s: %w", e, err)
		}
		all = append(all, p)
		if e == env {
			target = p
		}
	}
	if err := ValidateSet(all); err != nil {
		return Profile{}, err
	}
	if IsReview(env) {
		// A review environment is not one of the set: it shares its
		// account with the environment it runs beside, and its network
		// is never peered.
		return FromStackFiles(root, string(env))
	}
	return target, nil
}
