package profile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// ReadStackFile reads the config of a stack file (Pulumi.<stack>.yaml) into
// fully qualified keys with values as the Pulumi CLI hands them to a program:
// scalars as text, lists and maps as JSON. Secure (encrypted) values are
// refused: the platform keeps no secrets in stack config.
func ReadStackFile(path string) (map[string]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("stack config: %w", err)
	}
	var doc struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("stack config %s: %w", path, err)
	}
	out := make(map[string]string, len(doc.Config))
	for key, v := range doc.Config {
		switch val := v.(type) {
		case string:
			out[key] = val
		case bool, int, float64:
			out[key] = fmt.Sprint(val)
		case map[string]any:
			if _, secure := val["secure"]; secure {
				return nil, fmt.Errorf("stack config %s: %s is a secret: the platform's stack config holds no secrets", path, key)
			}
			b, err := json.Marshal(val)
			if err != nil {
				return nil, fmt.Errorf("stack config %s: %s: %w", path, key, err)
			}
			out[key] = string(b)
		default:
			b, err := json.Marshal(val)
			if err != nil {
				return nil, fmt.Errorf("stack config %s: %s: %w", path, key, err)
			}
			out[key] = string(b)
		}
	}
	stack := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "Pulumi."), ".yaml")
	if err := CheckKeys(stack, out); err != nil {
		return nil, fmt.Errorf("stack config %s: %w", path, err)
	}
	return out, nil
}

// StackFile is the path of a stack's config file in a layer directory.
func StackFile(layerDir, stack string) string {
	return filepath.Join(layerDir, "Pulumi."+stack+".yaml")
}

// EnsureStackFile creates a stack file with no config when there is none
// (a new environment's), so its settings can then be set.
func EnsureStackFile(path string) error {
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return os.WriteFile(path, []byte("config:\n"), 0o644)
}

// SetStackValue sets one config key of a stack file to a string value, as
// `pulumi config set` does, keeping the rest of the file (other keys, their
// order, comments) as it was; a key that already has the value is left
// untouched. The file must exist. Like the CLI, it quotes only a value
// YAML would otherwise read as something else (a number, a boolean).
func SetStackValue(path, key, value string) error {
	return setStackNode(path, key, strNode(value))
}

// strNode is a string scalar, plain where YAML reads it back as that
// string and double-quoted otherwise.
func strNode(value string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}
}

// SetStackList sets one config key of a stack file to a list of strings
// (`aws:allowedAccountIds`), like SetStackValue.
func SetStackList(path, key string, values []string) error {
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, v := range values {
		seq.Content = append(seq.Content, strNode(v))
	}
	return setStackNode(path, key, seq)
}

func setStackNode(path, key string, val *yaml.Node) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("stack config: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("stack config %s: %w", path, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return fmt.Errorf("stack config %s: not a mapping", path)
	}
	root := doc.Content[0]
	var cfg *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "config" {
			cfg = root.Content[i+1]
		}
	}
	if cfg == nil {
		cfg = &yaml.Node{Kind: yaml.MappingNode}
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "config"}, cfg)
	}
	if cfg.Kind == yaml.ScalarNode && cfg.Tag == "!!null" {
		*cfg = yaml.Node{Kind: yaml.MappingNode} // "config:" with nothing under it yet
	}
	for i := 0; i+1 < len(cfg.Content); i += 2 {
		if cfg.Content[i].Value == key {
			if sameValue(cfg.Content[i+1], val) {
				return nil
			}
			cfg.Content[i+1] = val
			return writeYAML(path, &doc)
		}
	}
	cfg.Content = append(cfg.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, val)
	return writeYAML(path, &doc)
}

// sameValue compares two config values by their text, whatever their style.
func sameValue(a, b *yaml.Node) bool {
	if a.Kind != b.Kind || len(a.Content) != len(b.Content) {
		return false
	}
	if a.Kind == yaml.ScalarNode {
		return a.Value == b.Value
	}
	for i := range a.Content {
		if !sameValue(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}

func writeYAML(path string, doc *yaml.Node) error {
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("stack config %s: %w", path, err)
	}
	if err := enc.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
