// Command awsfake serves the in-memory AWS stand-in to the real Pulumi CLI:
// the "aws" resource provider over gRPC, and STS GetCallerIdentity and SSM
// GetParameter over HTTP,
// both on loopback ports, until interrupted. It prints the environment
// variables that point the CLI and the deployment code at them.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/acmepay/platform/internal/awsfake"
)

func main() {
	account := flag.String("account", "123456789012", "the AWS account the stand-in plays")
	region := flag.String("region", "us-east-1", "its region")
	flag.Parse()
	cloud := awsfake.New(*account, *region)
	cancel := make(chan bool)
	h, err := cloud.ServeProvider(cancel)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sts, stop, err := cloud.ServeSTS()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("PULUMI_DEBUG_PROVIDERS=aws:%d\nAWS_ENDPOINT_URL_STS=http://%s\nAWS_ENDPOINT_URL_SSM=http://%s\n", h.Port, sts, sts)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	close(cancel)
	_ = stop()
}
