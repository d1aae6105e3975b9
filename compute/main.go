// Command compute is the Pulumi program of the compute layer.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/compute/computelayer"
)

func main() { pulumi.Run(computelayer.Program) }
