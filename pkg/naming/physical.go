package naming

import (
	"cmp"
	"slices"
	"strings"
)

// Physical returns the name a resource has in AWS, read from its inputs: its
// name input, or its Name tag for resources AWS names only by tag (VPC,
// subnets, ...). On the settings resources of a bucket, "bucket" names the
// bucket they configure, not themselves, so only the bucket itself is named
// by it.
func Physical(typ string, inputs map[string]any) string {
	if s, ok := inputs[NameKey(typ)].(string); ok && s != "" || typ == "aws:s3/bucketV2:BucketV2" {
		return s
	}
	for _, key := range []string{"functionName", "dashboardName"} {
		if s, ok := inputs[key].(string); ok && s != "" {
			return s
		}
	}
	if tags, ok := inputs["tags"].(map[string]any); ok {
		if s, ok := tags["Name"].(string); ok {
			return s
		}
	}
	return ""
}

// NameKey is the input that holds a resource type's own name.
func NameKey(typ string) string {
	switch typ {
	case "aws:s3/bucketV2:BucketV2":
		return "bucket"
	case "aws:cloudwatch/dashboard:Dashboard":
		return "dashboardName"
	}
	return "name"
}

// SortByTypeAndName orders resources by type token, then logical name: the
// one order of every resource listing (inventories, the stand-in's account,
// mocked registrations, cost lines).
func SortByTypeAndName[T any](items []T, key func(T) (typ, name string)) {
	slices.SortStableFunc(items, func(a, b T) int {
		at, an := key(a)
		bt, bn := key(b)
		return cmp.Or(strings.Compare(at, bt), strings.Compare(an, bn))
	})
}
