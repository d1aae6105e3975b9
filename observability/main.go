// Command observability is the Pulumi program of the observability layer.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/observability/observabilitylayer"
)

func main() { pulumi.Run(observabilitylayer.Program) }
