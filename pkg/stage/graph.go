package stage

import "fmt"

// Layer is one Pulumi project of the platform.
type Layer struct {
	Name      string
	DependsOn []string
	// Reads are, for each layer it depends on, the outputs of that layer
	// this one reads: a change to any other output of the upstream leaves
	// this layer's plan as it is. No entry for an upstream means any of its
	// outputs may be read.
	Reads map[string][]string
}

// NewGraph is the layer graph of layers, listed in deployment order, with
// the layers each depends on and what it reads of each (reads(reader,
// upstream)).
func NewGraph(layers []string, dependsOn func(layer string) []string, reads func(reader, upstream string) []string) []Layer {
	var out []Layer
	for _, name := range layers {
		l := Layer{Name: name, DependsOn: dependsOn(name), Reads: map[string][]string{}}
		for _, up := range l.DependsOn {
			l.Reads[up] = reads(name, up)
		}
		out = append(out, l)
	}
	return out
}

// DestroyOrder is the exact reverse of the deployment order.
func DestroyOrder(graph []Layer) []Layer {
	out := make([]Layer, len(graph))
	for i, l := range graph {
		out[len(graph)-1-i] = l
	}
	return out
}

// ValidateGraph checks that every dependency is a layer listed before its
// dependent, so the listed order is a valid deployment order.
func ValidateGraph(graph []Layer) error {
	seen := map[string]bool{}
	for _, l := range graph {
		for _, dep := range l.DependsOn {
			if !seen[dep] {
				return fmt.Errorf("layer %s depends on %s, which is not listed before it", l.Name, dep)
			}
		}
		if seen[l.Name] {
			return fmt.Errorf("layer %s is listed twice", l.Name)
		}
		seen[l.Name] = true
	}
	return nil
}
