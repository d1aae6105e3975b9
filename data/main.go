// Command data is the Pulumi program of the data layer.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/data/datalayer"
)

func main() { pulumi.Run(datalayer.Program) }
