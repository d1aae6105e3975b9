// Command awsfake serves the in-memory AWS stand-in to the real Pulumi CLI:
// the "aws" resource provider over gRPC, and STS, SSM and the quota check's
// reads (Lambda, Service Quotas, EC2) over HTTP, all on loopback ports,
// until interrupted. It prints the environment variables that point the CLI
// and the deployment code at them; with -env-file it also writes them, with
// dummy credentials and a file state backend, as a shell file to source
// (`go run mage.go standin:start <env>` runs it that way: internal/standin).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/acmepay/platform/internal/awsfake"
	"github.com/acmepay/platform/internal/standin"
)

func main() {
	account := flag.String("account", "123456789012", "the AWS account the stand-in plays")
	region := flag.String("region", "us-east-1", "its region")
	envFile := flag.String("env-file", "", "write the settings, as shell exports, to this file once serving")
	state := flag.String("state", "", "with -env-file: the directory of the file state backend it names")
	label := flag.String("label", "", "with -env-file: what the file's first line calls the stand-in (\"dev\")")
	flag.Parse()
	if err := run(*account, *region, *envFile, *state, *label); err != nil {
		fmt.Fprintln(os.Stderr, "awsfake:", err)
		os.Exit(1)
	}
}

func run(account, region, envFile, state, label string) error {
	cloud := awsfake.New(account, region)
	cancel := make(chan bool)
	h, err := cloud.ServeProvider(cancel)
	if err != nil {
		return err
	}
	sts, stop, err := cloud.ServeSTS()
	if err != nil {
		return err
	}
	listing, err := serveListing(cloud)
	if err != nil {
		return err
	}
	s := standin.Served{Account: account, Region: region, ProviderPort: h.Port, API: sts, Listing: listing, State: state}
	fmt.Printf("PULUMI_DEBUG_PROVIDERS=aws:%d\nAWS_ENDPOINT_URL_STS=http://%s\nAWS_ENDPOINT_URL_SSM=http://%s\n", h.Port, sts, sts)
	if envFile != "" {
		if err := os.WriteFile(envFile+".tmp", []byte(s.EnvFile(label, os.Getpid())), 0o600); err != nil {
			return err
		}
		// Renamed into place whole: a reader never sees half of it.
		if err := os.Rename(envFile+".tmp", envFile); err != nil {
			return err
		}
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	close(cancel)
	return stop()
}

// serveListing answers GET / with what the account holds, as JSON
// ([{"type": ..., "name": ...}], sorted), for `standin:show`.
func serveListing(cloud *awsfake.Cloud) (string, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		out := []standin.Resource{}
		for _, r := range cloud.Resources() {
			out = append(out, standin.Resource{Type: r.Type, Name: r.Name})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Type+" "+out[i].Name < out[j].Type+" "+out[j].Name })
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})}
	go func() { _ = srv.Serve(lis) }()
	return lis.Addr().String(), nil
}
