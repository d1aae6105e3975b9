package awstype

// Physical returns the name a resource has in AWS, read from its inputs: its
// name input, or its Name tag for resources AWS names only by tag (VPC,
// subnets, ...). On the settings resources of a bucket, "bucket" names the
// bucket they configure, not themselves, so only the bucket itself is named
// by it.
func Physical(typ string, inputs map[string]any) string {
	if s, ok := inputs[NameKey(typ)].(string); ok && s != "" || typ == Bucket {
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
