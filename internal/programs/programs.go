// Package programs maps each layer to its Pulumi program, in the order of
// pkg/contract's layers. The offline plan runs them in the in-process engine
// and the deployment runs them inline through the Automation API, so neither
// compiles a layer; `pulumi up` run by hand in a layer directory compiles the
// same program from the layer's main.go.
package programs

import (
	"context"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/bootstrap/bootstrapstack"
	"github.com/acmepay/platform/compute/computelayer"
	"github.com/acmepay/platform/data/datalayer"
	"github.com/acmepay/platform/network/networklayer"
	"github.com/acmepay/platform/observability/observabilitylayer"
	"github.com/acmepay/platform/pkg/contract"
)

// Bootstrap is the program of an account's bootstrap (not a layer).
var Bootstrap pulumi.RunFunc = bootstrapstack.Program

// ByLayer returns a new map of every layer's program.
func ByLayer() map[string]pulumi.RunFunc {
	return map[string]pulumi.RunFunc{
		contract.LayerNetwork:       networklayer.Program,
		contract.LayerData:          datalayer.Program,
		contract.LayerCompute:       computelayer.Program,
		contract.LayerObservability: observabilitylayer.Program,
	}
}

// Warm starts, in the background, the work a layer program does before it
// declares anything (compiling the payment function), for a command that
// is about to run the programs: it then overlaps the command's checks.
func Warm(ctx context.Context) {
	go computelayer.Prebuild(ctx)
}
