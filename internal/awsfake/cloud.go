// Package awsfake is an in-memory stand-in for the AWS provider, for running
// the real Pulumi engine hermetically. It keeps the live state of every
// resource, assigns ids and the computed outputs the layer programs read,
// answers the invokes they make, answers Read for refresh from the live state
// (so a changed live resource shows up as a difference in its inputs, as with
// the real provider), replaces rather than updates a resource when a property
// AWS cannot change in place changes (a name, a key schema, a CIDR), and lets a
// test edit or delete a live resource the way a console user would. It fakes
// AWS only; the engine, the programs and the StackReferences are real.
package awsfake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/pkg/v3/resource/deploy/deploytest"
	"github.com/pulumi/pulumi/pkg/v3/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/naming"
)

// ProviderVersion is the version of the AWS provider the programs request.
var ProviderVersion = semver.MustParse("6.83.4")

// Zones are the four availability zones the stand-in offers in a region,
// named as AWS names them: us-west-2a to us-west-2d.
func Zones(region string) []string {
	out := make([]string, 4)
	for i := range out {
		out[i] = region + string(rune('a'+i))
	}
	return out
}

// ZoneID is a zone's ID as AWS forms it: the region's short code and the
// zone's number (us-east-1 use1-az1, us-west-2 usw2-az1, ap-northeast-1
// apne1-az1).
func ZoneID(region string, i int) string {
	parts := strings.Split(region, "-")
	code := parts[0]
	for _, p := range parts[1 : len(parts)-1] {
		for _, word := range []string{"north", "south", "east", "west", "central"} {
			if strings.HasPrefix(p, word) {
				code += word[:1]
				p = p[len(word):]
			}
		}
	}
	return fmt.Sprintf("%s%s-az%d", code, parts[len(parts)-1], i+1)
}

// Live is one resource as it exists in the stand-in cloud.
type Live struct {
	Type   string
	ID     string
	Name   string // logical name
	Inputs resource.PropertyMap
}

// Cloud is the live state of one AWS account and region.
type Cloud struct {
	Account string
	Region  string

	mu        sync.Mutex
	resources map[string]*Live // by id
	objects   map[string][]Object
	faults    map[string]*Fault
	created   map[string]int // by type
	caller    string         // the role operations run as (CallAs)
	org       *Organisation  // the organisation the account is in (JoinOrganisation)
	made      map[string]map[string]bool
	// Now is the clock deletions are judged by (Object Lock retention);
	// time.Now when nil.
	Now func() time.Time
	// Quota is the account's service quotas, enforced on create and update
	// (AWS's defaults where zero).
	Quota Quotas
	// NoDefaultVPC: the account's default VPC was deleted. AWS creates one
	// in every region of a new account, and EC2 lists it.
	NoDefaultVPC bool
	// EC2PageSize, when set, is the most items one EC2 Describe answer
	// holds before it returns a NextToken.
	EC2PageSize int
}

// New returns an empty account.
func New(account, region string) *Cloud {
	return &Cloud{Account: account, Region: region, resources: map[string]*Live{}}
}

func (c *Cloud) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Loader registers the stand-in as the "aws" provider plugin.
func (c *Cloud) Loader() *deploytest.ProviderLoader {
	return deploytest.NewProviderLoader("aws", ProviderVersion, func() (plugin.Provider, error) {
		return c.provider(), nil
	})
}

func (c *Cloud) provider() *deploytest.Provider {
	return &deploytest.Provider{
		CreateF: func(ctx context.Context, req plugin.CreateRequest) (plugin.CreateResponse, error) {
			inputs := resource.ToResourcePropertyMap(req.Properties)
			if req.Preview {
				return plugin.CreateResponse{Properties: resource.FromResourcePropertyMap(previewOutputs(inputs)), Status: resource.StatusOK}, nil
			}
			if err := c.authorize(OpCreate, string(req.Type), "", inputs); err != nil {
				return plugin.CreateResponse{Status: resource.StatusOK}, err
			}
			if err := c.refuse(string(req.Type), req.Name); err != nil {
				return plugin.CreateResponse{Status: resource.StatusOK}, err
			}
			if err := c.validDocument(string(req.Type), req.Name, "", inputs); err != nil {
				return plugin.CreateResponse{Status: resource.StatusOK}, err
			}
			if err := c.overQuota(string(req.Type), "", inputs); err != nil {
				return plugin.CreateResponse{Status: resource.StatusOK}, fmt.Errorf("creating %s %s: %w", kind(string(req.Type)), req.Name, err)
			}
			id, err := c.create(string(req.URN), string(req.Type), req.Name, inputs)
			if err != nil {
				return plugin.CreateResponse{Status: resource.StatusOK}, err
			}
			outputs := resource.FromResourcePropertyMap(c.outputs(string(req.Type), id, inputs))
			if err := c.wait(ctx, string(req.Type), req.Name); err != nil {
				// Made, not ready: the engine records it with the error.
				return plugin.CreateResponse{ID: resource.ID(id), Properties: outputs, Status: resource.StatusPartialFailure}, err
			}
			return plugin.CreateResponse{ID: resource.ID(id), Properties: outputs, Status: resource.StatusOK}, nil
		},
		ReadF: func(_ context.Context, req plugin.ReadRequest) (plugin.ReadResponse, error) {
			live, ok := c.get(string(req.ID))
			if !ok {
				return plugin.ReadResponse{ReadResult: plugin.ReadResult{}, Status: resource.StatusOK}, nil // gone
			}
			if err := c.authorize(OpRead, live.Type, live.ID, live.Inputs); err != nil {
				return plugin.ReadResponse{Status: resource.StatusOK}, err
			}
			// Inputs are derived from the live resource, as the real
			// provider does, so console edits appear as input changes.
			in := resource.FromResourcePropertyMap(live.Inputs)
			out := resource.FromResourcePropertyMap(c.outputs(live.Type, live.ID, live.Inputs))
			return plugin.ReadResponse{ReadResult: plugin.ReadResult{ID: req.ID, Inputs: &in, Outputs: &out}, Status: resource.StatusOK}, nil
		},
		DiffF: func(_ context.Context, req plugin.DiffRequest) (plugin.DiffResult, error) {
			return diff(string(req.Type), resource.ToResourcePropertyMap(req.OldInputs), resource.ToResourcePropertyMap(req.NewInputs), req.IgnoreChanges), nil
		},
		UpdateF: func(_ context.Context, req plugin.UpdateRequest) (plugin.UpdateResponse, error) {
			inputs := resource.ToResourcePropertyMap(req.NewInputs)
			if !req.Preview {
				if err := c.authorizeUpdate(string(req.Type), string(req.ID), resource.ToResourcePropertyMap(req.OldInputs), inputs); err != nil {
					return plugin.UpdateResponse{Status: resource.StatusOK}, err
				}
				if err := c.validDocument(string(req.Type), string(req.ID), string(req.ID), inputs); err != nil {
					return plugin.UpdateResponse{Status: resource.StatusOK}, err
				}
				if err := c.overQuota(string(req.Type), string(req.ID), inputs); err != nil {
					return plugin.UpdateResponse{Status: resource.StatusOK}, fmt.Errorf("updating %s %s: %w", kind(string(req.Type)), req.ID, err)
				}
				c.update(string(req.ID), inputs)
			}
			// An update in place keeps the resource's identity: its ID and
			// ARN are known in a preview too, as AWS's provider plans them.
			return plugin.UpdateResponse{Properties: resource.FromResourcePropertyMap(c.outputs(string(req.Type), string(req.ID), inputs)), Status: resource.StatusOK}, nil
		},
		DeleteF: func(_ context.Context, req plugin.DeleteRequest) (plugin.DeleteResponse, error) {
			if live, ok := c.get(string(req.ID)); ok {
				if err := c.authorize(OpDelete, live.Type, live.ID, live.Inputs); err != nil {
					return plugin.DeleteResponse{Status: resource.StatusOK}, err
				}
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			if live, ok := c.resources[string(req.ID)]; ok && live.Type == awstype.Bucket {
				if err := c.deleteBucket(live, c.now()); err != nil {
					return plugin.DeleteResponse{Status: resource.StatusOK}, err
				}
			}
			delete(c.resources, string(req.ID))
			return plugin.DeleteResponse{Status: resource.StatusOK}, nil
		},
		InvokeF: func(_ context.Context, req plugin.InvokeRequest) (plugin.InvokeResponse, error) {
			if err := c.authorize(OpInvoke, string(req.Tok), "", nil); err != nil {
				return plugin.InvokeResponse{}, err
			}
			return c.invoke(string(req.Tok), req.Args)
		},
	}
}

func (c *Cloud) invoke(token string, _ property.Map) (plugin.InvokeResponse, error) {
	switch token {
	case awstype.GetAvailabilityZones:
		zones := Zones(c.Region)
		names := make([]property.Value, len(zones))
		ids := make([]property.Value, len(zones))
		for i, z := range zones {
			names[i] = property.New(z)
			ids[i] = property.New(ZoneID(c.Region, i))
		}
		return plugin.InvokeResponse{Properties: property.NewMap(map[string]property.Value{
			"id": property.New(c.Region), "names": property.New(property.NewArray(names)), "zoneIds": property.New(property.NewArray(ids)),
		})}, nil
	case awstype.GetCallerIdentity:
		return plugin.InvokeResponse{Properties: property.NewMap(map[string]property.Value{
			"accountId": property.New(c.Account), "arn": property.New("arn:aws:iam::" + c.Account + ":user/ci"), "userId": property.New("AIDAFAKE"), "id": property.New(c.Account),
		})}, nil
	case awstype.GetRegion:
		return plugin.InvokeResponse{Properties: property.NewMap(map[string]property.Value{"name": property.New(c.Region), "id": property.New(c.Region)})}, nil
	}
	return plugin.InvokeResponse{}, fmt.Errorf("awsfake: invoke %s is not implemented", token)
}

// create stores a new live resource. Ids derive from the URN, so the same
// program always gets the same ids (plans are reproducible) while distinct
// resources never share one; the replacement of a resource, which has the
// same URN, gets the next id of the sequence. Resources AWS identifies by
// name get their name as id, and, as in AWS, a second resource of that name
// is refused.
func (c *Cloud) create(urn, typ, name string, inputs resource.PropertyMap) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var id string
	if n, ok := physicalName(typ, inputs); ok && nameIsID(typ) {
		if _, taken := c.resources[n]; taken {
			return "", fmt.Errorf("awsfake: %s %s already exists", kind(typ), n)
		}
		id = n
	} else {
		for seq := 1; id == "" || c.resources[id] != nil; seq++ {
			seed := urn
			if seq > 1 {
				seed = fmt.Sprintf("%s#%d", urn, seq)
			}
			sum := sha256.Sum256([]byte(seed))
			id = fmt.Sprintf("%s-%s", idPrefix(typ), hex.EncodeToString(sum[:8]))
		}
	}
	c.resources[id] = &Live{Type: typ, ID: id, Name: name, Inputs: inputs.Copy()}
	if c.created == nil {
		c.created = map[string]int{}
	}
	c.created[typ]++
	return id, nil
}

func (c *Cloud) update(id string, inputs resource.PropertyMap) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if live, ok := c.resources[id]; ok {
		live.Inputs = inputs.Copy()
	}
}

func (c *Cloud) get(id string) (Live, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	live, ok := c.resources[id]
	if !ok {
		return Live{}, false
	}
	return Live{Type: live.Type, ID: live.ID, Name: live.Name, Inputs: live.Inputs.Copy()}, true
}

// GeneratedIDs lists the ids the stand-in made up for live resources, and
// the identifiers it computed for them (a gateway endpoint's prefix list).
func (c *Cloud) GeneratedIDs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ids []string
	for id, r := range c.resources {
		if !nameIsID(r.Type) {
			ids = append(ids, id)
		}
		// The identifiers among what AWS computes ("...Id").
		if t, _ := awstype.Of(r.Type); t.Computed != nil {
			for k, v := range t.Computed(iampolicy.Scope{Region: c.Region, Account: c.Account}, c.named(id, "", r.Inputs), "") {
				if strings.HasSuffix(k, "Id") && !slices.Contains(ids, v) {
					ids = append(ids, v)
				}
			}
		}
	}
	sort.Strings(ids)
	return ids
}

// Resources lists what exists, sorted by type and logical name.
func (c *Cloud) Resources() []Live {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Live, 0, len(c.resources))
	for _, r := range c.resources {
		out = append(out, Live{Type: r.Type, ID: r.ID, Name: r.Name, Inputs: r.Inputs.Copy()})
	}
	naming.SortByTypeAndName(out, func(l Live) (string, string) { return l.Type, l.Name })
	return out
}

// Edit changes a live resource the way a console user would: find it by type
// and logical name, and let change rewrite its configuration.
func (c *Cloud) Edit(typ, name string, change func(inputs resource.PropertyMap)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.resources {
		if r.Type == typ && r.Name == name {
			change(r.Inputs)
			return nil
		}
	}
	return fmt.Errorf("awsfake: no live %s named %s", typ, name)
}

// Remove deletes a live resource behind the code's back.
func (c *Cloud) Remove(typ, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, r := range c.resources {
		if r.Type == typ && r.Name == name {
			delete(c.resources, id)
			return nil
		}
	}
	return fmt.Errorf("awsfake: no live %s named %s", typ, name)
}

// diff compares old and new inputs. A change to a property AWS cannot change
// in place (see immutable) makes it a replacement, as the real provider
// reports it; every other change is an update.
func diff(typ string, olds, news resource.PropertyMap, ignore []string) plugin.DiffResult {
	for _, path := range ignore {
		key := resource.PropertyKey(strings.SplitN(path, ".", 2)[0])
		if v, ok := olds[key]; ok {
			news[key] = v
		} else {
			delete(news, key)
		}
	}
	d := olds.Diff(news)
	if d == nil || !d.AnyChanges() {
		return plugin.DiffResult{Changes: plugin.DiffNone}
	}
	result := plugin.DiffResult{
		Changes:      plugin.DiffSome,
		ChangedKeys:  d.ChangedKeys(),
		DetailedDiff: plugin.NewDetailedDiffFromObjectDiff(d, true),
	}
	for _, key := range result.ChangedKeys {
		if !immutable(typ, key) {
			continue
		}
		result.ReplaceKeys = append(result.ReplaceKeys, key)
		if pd, ok := result.DetailedDiff[string(key)]; ok {
			pd.Kind = pd.Kind.AsReplace()
			result.DetailedDiff[string(key)] = pd
		}
	}
	return result
}
