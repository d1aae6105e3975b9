//go:build ignore

// Zero-install entry point: `go run mage.go <target>` runs the magefile with
// nothing but Go installed.
package main

import (
	"os"

	"github.com/magefile/mage/mage"
)

func main() { os.Exit(mage.Main()) }
