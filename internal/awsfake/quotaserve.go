package awsfake

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/acmepay/platform/pkg/awstype"
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
			if l.Type == awstype.Function {
				reserved += Reserved(l.Inputs)
			}
		}
		writeJSON(w, map[string]any{"AccountLimit": map[string]any{
			"ConcurrentExecutions": q[awstype.Function], "UnreservedConcurrentExecutions": q[awstype.Function] - reserved,
		}})
	case strings.HasPrefix(r.URL.Path, "/2019-09-30/functions/"):
		name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/2019-09-30/functions/"), "/concurrency")
		for _, l := range all {
			if l.Type == awstype.Function && l.Inputs["name"].IsString() && l.Inputs["name"].StringValue() == name {
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
		// GetServiceQuota answers a quota's applied value, which an account
		// has only for a quota it asked to change; for the others AWS
		// answers NoSuchResourceException, and GetAWSDefaultServiceQuota
		// answers the default ("GetServiceQuota", Service Quotas API
		// Reference: "If the applied quota value is not available for a
		// quota, the quota is not retrieved").
		raised := c.raised()
		var v int
		ok := false
		for tok, quota := range awstype.Quotas() {
			if quota.Service != req.ServiceCode || quota.Code != req.QuotaCode {
				continue
			}
			if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".GetAWSDefaultServiceQuota") {
				v, ok = quota.Default, true
			} else {
				v, ok = raised[tok]
			}
		}
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
	IsDefault    string   `xml:"isDefault,omitempty"`
	DefaultFor   string   `xml:"defaultForAz,omitempty"`
	Tags         []ec2Tag `xml:"tagSet>item"`
}

// DefaultVPC is the VPC AWS gives every account in every region, with a
// default subnet in each zone ("Default VPCs", Amazon VPC User Guide). It
// counts against the VPC quota; the layers never touch it.
const DefaultVPC = "vpc-0default"

// defaultNetwork is the default VPC and its subnets, as EC2 lists them.
func defaultNetwork(typ, region string) []ec2Item {
	switch typ {
	case awstype.Vpc:
		return []ec2Item{{VpcID: DefaultVPC, IsDefault: "true", State: "available"}}
	case awstype.Subnet:
		var out []ec2Item
		for i, z := range Zones(region) {
			out = append(out, ec2Item{SubnetID: fmt.Sprintf("subnet-0default%d", i), VpcID: DefaultVPC, Zone: z, DefaultFor: "true"})
		}
		return out
	}
	return nil
}

// filters reads EC2's query filters (Filter.1.Name=state&Filter.1.Value.1=available).
func filters(r *http.Request) map[string][]string {
	out := map[string][]string{}
	for i := 1; ; i++ {
		name := r.Form.Get(fmt.Sprintf("Filter.%d.Name", i))
		if name == "" {
			return out
		}
		for j := 1; ; j++ {
			v := r.Form.Get(fmt.Sprintf("Filter.%d.Value.%d", i, j))
			if v == "" {
				break
			}
			out[name] = append(out[name], v)
		}
	}
}

func (c *Cloud) ec2Handler(w http.ResponseWriter, r *http.Request) {
	all := c.Resources()
	action := r.Form.Get("Action")
	kind := map[string][2]string{
		"DescribeAddresses":   {awstype.Eip, "addressesSet"},
		"DescribeVpcs":        {awstype.Vpc, "vpcSet"},
		"DescribeSubnets":     {awstype.Subnet, "subnetSet"},
		"DescribeNatGateways": {awstype.NatGateway, "natGatewaySet"},
	}[action]
	typ, set := kind[0], kind[1]
	if typ == "" {
		http.Error(w, "awsfake: EC2 "+action+" is not answered", http.StatusBadRequest)
		return
	}
	items := defaultNetwork(typ, c.Region)
	if c.NoDefaultVPC {
		items = nil
	}
	for _, l := range all {
		if l.Type != typ {
			continue
		}
		it := ec2Item{Tags: ec2Tags(l.Inputs)}
		switch typ {
		case awstype.Eip:
			it.AllocationID = l.ID
		case awstype.Vpc:
			it.VpcID = l.ID
		case awstype.Subnet:
			it.SubnetID = l.ID
			if z := l.Inputs["availabilityZone"]; z.IsString() {
				it.Zone = z.StringValue()
			}
		case awstype.NatGateway:
			// A deleted gateway stays listed, as "deleted", for about an
			// hour; a test marks one with a state input.
			it.NatID, it.State = l.ID, "available"
			if st := l.Inputs["state"]; st.IsString() {
				it.State = st.StringValue()
			}
			if s := l.Inputs["subnetId"]; s.IsString() {
				it.SubnetID = s.StringValue()
			}
		}
		items = append(items, it)
	}
	if states, ok := filters(r)["state"]; ok && typ == awstype.NatGateway {
		var kept []ec2Item
		for _, it := range items {
			if slices.Contains(states, it.State) {
				kept = append(kept, it)
			}
		}
		items = kept
	}
	// Pages: MaxResults where the request asks, else the account's page
	// size; NextToken is where the next page starts. (DescribeAddresses is
	// not paginated.)
	next := ""
	if action != "DescribeAddresses" {
		size := c.EC2PageSize
		if m, err := strconv.Atoi(r.Form.Get("MaxResults")); err == nil && m > 0 && (size == 0 || m < size) {
			size = m
		}
		start, _ := strconv.Atoi(r.Form.Get("NextToken"))
		if start > len(items) {
			start = len(items)
		}
		items = items[start:]
		if size > 0 && len(items) > size {
			items, next = items[:size], strconv.Itoa(start+size)
		}
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
		NextToken string `xml:"nextToken,omitempty"`
	}{XMLName: xml.Name{Local: action + "Response"}, NS: "http://ec2.amazonaws.com/doc/2016-11-15/", RequestID: "awsfake",
		Set: set_{XMLName: xml.Name{Local: set}, Items: items}, NextToken: next}
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
