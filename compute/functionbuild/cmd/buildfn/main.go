// Command buildfn builds the payment function archive: `go run
// ./compute/functionbuild/cmd/buildfn <out.zip>` (what `mage build` runs).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/acmepay/platform/compute/functionbuild"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: buildfn <out.zip>")
		os.Exit(2)
	}
	ctx := context.Background()
	dir, err := functionbuild.ModuleDir(ctx)
	if err == nil {
		var a functionbuild.Archive
		a, err = functionbuild.Build(ctx, dir, "./cmd/payment", os.Args[1])
		if err == nil {
			fmt.Printf("%s sha256=%s base64=%s\n", a.Path, a.Hex, a.SHA256)
			return
		}
	}
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
