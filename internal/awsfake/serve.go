package awsfake

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/acmepay/platform/pkg/awstype"
	"github.com/pulumi/pulumi/pkg/v3/resource/deploy/deploytest"
	"github.com/pulumi/pulumi/pkg/v3/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// attachable is the stand-in provider as a plugin the engine can attach to:
// the CLI attaches to a provider it did not start (PULUMI_DEBUG_PROVIDERS).
// The stand-in needs nothing from the engine's host, so attaching is a no-op.
type attachable struct {
	*deploytest.Provider
}

func (attachable) Attach(string) error { return nil }

// Configure accepts every configuration: the served provider lives across
// many CLI runs, each of which configures it (the in-process one is
// configured once per engine run, and asserts so). The stand-in reads no
// provider configuration.
func (attachable) Configure(context.Context, plugin.ConfigureRequest) (plugin.ConfigureResponse, error) {
	return plugin.ConfigureResponse{}, nil
}

// ServeProvider serves the stand-in as the "aws" resource provider over
// gRPC on a loopback port, for the real Pulumi CLI
// (PULUMI_DEBUG_PROVIDERS=aws:<port>). It stops when cancel is closed.
func (c *Cloud) ServeProvider(cancel chan bool) (rpcutil.ServeHandle, error) {
	p := c.provider()
	p.Name, p.Version = "aws", ProviderVersion
	return rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(srv, plugin.NewProviderServer(attachable{p}))
			return nil
		},
	})
}

// STSHandler answers STS GetCallerIdentity with the stand-in's account, for
// the deployment's account check (AWS_ENDPOINT_URL_STS=http://<addr>).
func (c *Cloud) STSHandler() http.Handler {
	type result struct {
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	}
	type response struct {
		XMLName xml.Name `xml:"GetCallerIdentityResponse"`
		NS      string   `xml:"xmlns,attr"`
		Result  result   `xml:"GetCallerIdentityResult"`
		Meta    struct {
			RequestID string `xml:"RequestId"`
		} `xml:"ResponseMetadata"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Form.Get("Action") != "GetCallerIdentity" {
			http.Error(w, "awsfake: only GetCallerIdentity is answered", http.StatusBadRequest)
			return
		}
		// A role's caller is a session of the role, as STS names it
		// (arn:aws:sts::<account>:assumed-role/<role>/<session>, "IAM
		// identifiers"); the administrator (no CallAs) is a user.
		res := result{Arn: "arn:aws:iam::" + c.Account + ":user/awsfake", UserID: "AIDAAWSFAKE", Account: c.Account}
		if role := c.Caller(); role != "" {
			name := role[strings.LastIndex(role, "/")+1:]
			res = result{Arn: "arn:aws:sts::" + c.Account + ":assumed-role/" + name + "/awsfake", UserID: "AROAAWSFAKE:awsfake", Account: c.Account}
		}
		resp := response{NS: "https://sts.amazonaws.com/doc/2011-06-15/", Result: res}
		resp.Meta.RequestID = "00000000-0000-0000-0000-000000000000"
		w.Header().Set("Content-Type", "text/xml")
		_ = xml.NewEncoder(w).Encode(resp)
	})
}

// SSMHandler answers SSM GetParameter (the JSON protocol) from the
// stand-in's live parameters, for the deployment's bootstrap version check
// (AWS_ENDPOINT_URL_SSM=http://<addr>).
func (c *Cloud) SSMHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		var req struct{ Name string }
		if r.Header.Get("X-Amz-Target") != "AmazonSSM.GetParameter" || json.NewDecoder(r.Body).Decode(&req) != nil {
			http.Error(w, "awsfake: only GetParameter is answered", http.StatusBadRequest)
			return
		}
		for _, live := range c.Resources() {
			if live.Type != awstype.Parameter || !live.Inputs["name"].IsString() || live.Inputs["name"].StringValue() != req.Name {
				continue
			}
			value := live.Inputs["value"]
			if value.IsSecret() {
				value = value.SecretValue().Element
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"Parameter": map[string]any{
				"Name": req.Name, "Type": "String", "Value": value.StringValue(), "Version": 1,
			}})
			return
		}
		w.Header().Set("X-Amzn-ErrorType", "ParameterNotFound")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": "ParameterNotFound", "message": "awsfake: no parameter " + req.Name})
	})
}

// ServeSTS serves STSHandler, SSMHandler for requests that name an SSM
// operation, and the quota check's reads (Lambda, Service Quotas, EC2), on a
// loopback port and returns its address (for AWS_ENDPOINT_URL_STS, _SSM,
// _LAMBDA, _SERVICE_QUOTAS, _EC2 and _RESOURCE_GROUPS_TAGGING_API), and the
// Tagging API's GetResources.
func (c *Cloud) ServeSTS() (addr string, stop func() error, err error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("awsfake: sts: %w", err)
	}
	sts, ssm := c.STSHandler(), c.SSMHandler()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.Header.Get("X-Amz-Target"), "AmazonSSM."):
			ssm.ServeHTTP(w, r)
		case isQuotaRead(r):
			c.quotaHandler(w, r)
		case isTaggingRead(r):
			c.taggingHandler(w, r)
		case r.Method == http.MethodPost && r.ParseForm() == nil && isEC2Read(r):
			c.ec2Handler(w, r)
		default:
			sts.ServeHTTP(w, r)
		}
	})}
	go func() { _ = srv.Serve(lis) }()
	return lis.Addr().String(), srv.Close, nil
}
