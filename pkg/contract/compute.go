package contract

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Function describes one deployed function for the layers that watch it.
type Function struct {
	Name           string `json:"name"`
	Arn            string `json:"arn"`
	LogGroupName   string `json:"logGroupName"`
	TimeoutSeconds int    `json:"timeoutSeconds"`
}

// ComputeForObservability is what the observability layer reads of the
// compute layer: the functions it watches.
type ComputeForObservability struct {
	Functions []Function
}

// FunctionExport is one entry of the compute layer's functions output.
type FunctionExport struct {
	Name           string
	Arn            pulumi.StringInput
	LogGroupName   string
	TimeoutSeconds int
}

// ComputeExports is what the compute program exports.
type ComputeExports struct {
	Functions []FunctionExport
}

// Export publishes the compute outputs.
func (e ComputeExports) Export(ctx *pulumi.Context) {
	arr := pulumi.Array{}
	for _, f := range e.Functions {
		arr = append(arr, pulumi.Map{
			"name":           pulumi.String(f.Name),
			"arn":            f.Arn,
			"logGroupName":   pulumi.String(f.LogGroupName),
			"timeoutSeconds": pulumi.Int(f.TimeoutSeconds),
		})
	}
	ctx.Export(KeyFunctions, arr)
}

// ReadComputeForObservability reads what the observability layer needs of
// the compute layer of the same environment.
func ReadComputeForObservability(ctx *pulumi.Context, opts ...pulumi.ResourceOption) (ComputeForObservability, error) {
	r := newReference(ctx, LayerCompute, opts...)
	var c ComputeForObservability
	r.decode(KeyFunctions, &c.Functions)
	for _, f := range c.Functions {
		r.nonEmpty(KeyFunctions+".name", f.Name)
	}
	if r.err == nil && len(c.Functions) == 0 {
		return c, fmt.Errorf("contract: stack %s output %q lists no functions", r.stack, KeyFunctions)
	}
	return c, r.err
}
