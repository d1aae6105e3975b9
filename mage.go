//go:build ignore

// Zero-install entry point: `go run mage.go <target>` runs the magefile with
// nothing but Go installed.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/magefile/mage/mage"

	"github.com/acmepay/platform/internal/magetargets"
)

// started is the variable naming the file the compiled tasks create when
// they start (magefile.go's init): until it exists, mage is compiling.
const started = "PAYMENTS_MAGE_STARTED"

func main() {
	// A mistyped target is refused before anything is compiled.
	if targets, err := magetargets.Read("magefile.go"); err == nil {
		if err := magetargets.Check(os.Args[1:], targets); err != nil {
			fmt.Fprintln(os.Stderr, "Error:", err)
			os.Exit(2)
		}
	}
	// When the command began, for the breakdown of its time (deploy:env).
	_ = os.Setenv("PAYMENTS_MAGE_START", strconv.FormatInt(time.Now().UnixNano(), 10))
	marker := filepath.Join(os.TempDir(), "payments-mage-"+strconv.Itoa(os.Getpid()))
	_ = os.Setenv(started, marker)
	done := make(chan struct{})
	go announce(marker, done)
	code := mage.Main()
	close(done)
	_ = os.Remove(marker)
	os.Exit(code)
}

// announce says, on standard error, that mage is compiling when the tasks
// have not started within a few seconds, and how long that takes, then how
// long it has taken every minute: a first build is long and otherwise
// silent.
func announce(marker string, done <-chan struct{}) {
	start := time.Now()
	tick := time.NewTimer(4 * time.Second)
	defer tick.Stop()
	for said := false; ; {
		select {
		case <-done:
			return
		case <-tick.C:
		}
		if _, err := os.Stat(marker); err == nil {
			return
		}
		if !said {
			fmt.Fprintln(os.Stderr, "compiling the tasks and everything they use (the Pulumi engine and AWS SDKs): "+
				"the first time about 15-20 minutes and 3 GB on 2 cores, after an edit of Go code or environments.yaml about a minute; "+
				"nothing is wrong")
			said = true
		} else {
			fmt.Fprintf(os.Stderr, "still compiling (%s)\n", time.Since(start).Round(time.Second))
		}
		tick.Reset(time.Minute)
	}
}
