// Command bootstrap is the Pulumi program of an account's bootstrap.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/bootstrap/bootstrapstack"
)

func main() { pulumi.Run(bootstrapstack.Program) }
