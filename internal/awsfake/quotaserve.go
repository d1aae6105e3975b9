package awsfake

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The reads of the deployment's quota check (quota.AWS), answered
// from the stand-in's quotas and live resources over AWS's own protocols:
// Lambda's account settings and a function's reserved concurrency (REST
// JSON), Service Quotas (JSON 1.1), and EC2's addresses, VPCs, subnets and
// NAT gateways (query, XML). Served beside STS and SSM (ServeSTS), for
// AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL_SERVICE_QUOTAS and
// AWS_ENDPOINT_URL_EC2.

// isQuotaRead tells the requests quotaHandler answers.
func isQuotaRead(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/2016-08-19/account-settings") ||
		strings.HasPrefix(r.URL.Path, "/2019-09-30/functions/") ||
		strings.HasPrefix(r.Header.Get("X-Amz-Target"), "ServiceQuotasV20190624.")
}

// isEC2Read tells an EC2 query request from STS's (both are form posts).
func isEC2Read(r *http.Request) bool {
	return strings.HasPrefix(r.Form.Get("Action"), "Describe")
}

func (c *Cloud) quotaHandler(w http.ResponseWriter, r *http.Request) {
	q := c.Limits()
	all := c.Resources()
	switch {
	case strings.HasPrefix(r.URL.Path, "/2016-08-19/account-settings"):
		reserved := 0
		for _, l := range all {
			if l.Type == typeFunction {
				reserved += Reserved(l.Inputs)
			}
		}
		writeJSON(w, map[string]any{"AccountLimit": map[string]any{
			"ConcurrentExecutions": q.LambdaConcurrency, "UnreservedConcurrentExecutions": q.LambdaConcurrency - reserved,
		}})
	case strings.HasPrefix(r.URL.Path, "/2019-09-30/functions/"):
		name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/2019-09-30/functions/"), "/concurrency")
		for _, l := range all {
			if l.Type == typeFunction && l.Inputs["name"].IsString() && l.Inputs["name"].StringValue() == name {
				body := map[string]any{}
				if n := Reserved(l.Inputs); n > 0 {
					body["ReservedConcurrentExecutions"] = n
				}
				writeJSON(w, body)
				return
			}
		}
		w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
		w.WriteHeader(http.StatusNotFound)
		writeJSON(w, map[string]string{"Type": "User", "message": "Function not found: " + name})
	default:
		var req struct{ ServiceCode, QuotaCode string }
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, "awsfake: "+err.Error(), http.StatusBadRequest)
			return
		}
		values := map[string]int{"ec2/L-0263D0A3": q.EIPs, "vpc/L-F678F1CE": q.VPCs, "vpc/L-FE5A380F": q.NATsPerAZ}
		v, ok := values[req.ServiceCode+"/"+req.QuotaCode]
		if !ok {
			w.Header().Set("X-Amzn-ErrorType", "NoSuchResourceException")
			w.WriteHeader(http.StatusBadRequest)
			writeJSON(w, map[string]string{"__type": "NoSuchResourceException", "message": "awsfake: no quota " + req.ServiceCode + "/" + req.QuotaCode})
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		writeJSON(w, map[string]any{"Quota": map[string]any{"ServiceCode": req.ServiceCode, "QuotaCode": req.QuotaCode, "Value": float64(v)}})
	}
}

func writeJSON(w http.ResponseWriter, body any) {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	_ = json.NewEncoder(w).Encode(body)
}

type ec2Tag struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type ec2Item struct {
	AllocationID string   `xml:"allocationId,omitempty"`
	VpcID        string   `xml:"vpcId,omitempty"`
	SubnetID     string   `xml:"subnetId,omitempty"`
	Zone         string   `xml:"availabilityZone,omitempty"`
	NatID        string   `xml:"natGatewayId,omitempty"`
	State        string   `xml:"state,omitempty"`
	Tags         []ec2Tag `xml:"tagSet>item"`
}

func (c *Cloud) ec2Handler(w http.ResponseWriter, r *http.Request) {
	all := c.Resources()
	action := r.Form.Get("Action")
	kind := map[string][2]string{
		"DescribeAddresses":   {typeEIP, "addressesSet"},
		"DescribeVpcs":        {typeVPC, "vpcSet"},
		"DescribeSubnets":     {typeSubnet, "subnetSet"},
		"DescribeNatGateways": {typeNAT, "natGatewaySet"},
	}[action]
	typ, set := kind[0], kind[1]
	if typ == "" {
		http.Error(w, "awsfake: EC2 "+action+" is not answered", http.StatusBadRequest)
		return
	}
	var items []ec2Item
	for _, l := range all {
		if l.Type != typ {
			continue
		}
		it := ec2Item{Tags: ec2Tags(l.Inputs)}
		switch typ {
		case typeEIP:
			it.AllocationID = l.ID
		case typeVPC:
			it.VpcID = l.ID
		case typeSubnet:
			it.SubnetID = l.ID
			if z := l.Inputs["availabilityZone"]; z.IsString() {
				it.Zone = z.StringValue()
			}
		case typeNAT:
			it.NatID, it.State = l.ID, "available"
			if s := l.Inputs["subnetId"]; s.IsString() {
				it.SubnetID = s.StringValue()
			}
		}
		items = append(items, it)
	}
	// Each response names its set: <addressesSet><item>...</item></addressesSet>.
	type set_ struct {
		XMLName xml.Name
		Items   []ec2Item `xml:"item"`
	}
	body := struct {
		XMLName   xml.Name
		NS        string `xml:"xmlns,attr"`
		RequestID string `xml:"requestId"`
		Set       set_
	}{XMLName: xml.Name{Local: action + "Response"}, NS: "http://ec2.amazonaws.com/doc/2016-11-15/", RequestID: "awsfake",
		Set: set_{XMLName: xml.Name{Local: set}, Items: items}}
	w.Header().Set("Content-Type", "text/xml")
	_ = xml.NewEncoder(w).Encode(body)
}

func ec2Tags(inputs resource.PropertyMap) []ec2Tag {
	var out []ec2Tag
	for k, v := range tagsOf(inputs) {
		out = append(out, ec2Tag{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
