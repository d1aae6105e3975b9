// Command network is the Pulumi program of the network layer.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/network/networklayer"
)

func main() { pulumi.Run(networklayer.Program) }
