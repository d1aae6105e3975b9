package deploy

import (
	"fmt"

	"github.com/acmepay/platform/pkg/contract"
)

// Layer is one Pulumi project of the platform.
type Layer struct {
	Name      string
	DependsOn []string
}

// Graph is the platform's layer graph, in deployment order: network and data
// depend on nothing, compute reads both, observability reads data and compute.
func Graph() []Layer {
	return []Layer{
		{Name: contract.LayerNetwork},
		{Name: contract.LayerData},
		{Name: contract.LayerCompute, DependsOn: []string{contract.LayerNetwork, contract.LayerData}},
		{Name: contract.LayerObservability, DependsOn: []string{contract.LayerData, contract.LayerCompute}},
	}
}

// DestroyOrder is the exact reverse of the deployment order.
func DestroyOrder(graph []Layer) []Layer {
	out := make([]Layer, len(graph))
	for i, l := range graph {
		out[len(graph)-1-i] = l
	}
	return out
}

// validateGraph checks that every dependency is a layer listed before its
// dependent, so the listed order is a valid deployment order.
func validateGraph(graph []Layer) error {
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
