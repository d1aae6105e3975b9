package awsfake

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// The Resource Groups Tagging API's GetResources (JSON 1.1), answered from
// the stand-in's live resources, for AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API:
// review:sweep lists what carries a review environment's tags through it.
// Like AWS, it lists only resources that carry tags, each filter's key
// present (and its value among the filter's, when it names values).

// isTaggingRead tells a Resource Groups Tagging API request.
func isTaggingRead(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("X-Amz-Target"), "ResourceGroupsTaggingAPI_20170126.")
}

func (c *Cloud) taggingHandler(w http.ResponseWriter, r *http.Request) {
	var req struct {
		TagFilters []struct {
			Key    string
			Values []string
		}
	}
	if !strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".GetResources") || json.NewDecoder(r.Body).Decode(&req) != nil {
		w.Header().Set("X-Amzn-ErrorType", "InvalidParameterException")
		w.WriteHeader(http.StatusBadRequest)
		writeJSON(w, map[string]string{"__type": "InvalidParameterException", "message": "awsfake: only GetResources is served"})
		return
	}
	list := []map[string]any{}
	for _, l := range c.Resources() {
		raw, ok := l.Inputs["tags"]
		if !ok || !raw.IsObject() || len(raw.ObjectValue()) == 0 {
			continue
		}
		tags := map[string]string{}
		for k, v := range raw.ObjectValue() {
			if v.IsString() {
				tags[string(k)] = v.StringValue()
			}
		}
		match := true
		for _, f := range req.TagFilters {
			v, has := tags[f.Key]
			match = match && has && (len(f.Values) == 0 || slices.Contains(f.Values, v))
		}
		if !match {
			continue
		}
		var pairs []map[string]string
		for _, k := range slices.Sorted(maps.Keys(tags)) {
			pairs = append(pairs, map[string]string{"Key": k, "Value": tags[k]})
		}
		list = append(list, map[string]any{"ResourceARN": c.arn(l.Type, l.ID, input(l.Inputs, "name"), l.Inputs), "Tags": pairs})
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	writeJSON(w, map[string]any{"ResourceTagMappingList": list, "PaginationToken": ""})
}
