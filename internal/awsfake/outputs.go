package awsfake

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/naming"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// module returns the AWS service of a type token ("aws:ec2/vpc:Vpc" -> "ec2").
func module(typ string) string {
	s := strings.TrimPrefix(typ, "aws:")
	return strings.SplitN(s, "/", 2)[0]
}

// kind returns the resource kind of a type token ("aws:ec2/vpc:Vpc" -> "Vpc").
func kind(typ string) string {
	parts := strings.Split(typ, ":")
	return parts[len(parts)-1]
}

func idPrefix(typ string) string {
	switch kind(typ) {
	case "Vpc":
		return "vpc"
	case "Subnet":
		return "subnet"
	case "RouteTable":
		return "rtb"
	case "InternetGateway":
		return "igw"
	case "NatGateway":
		return "nat"
	case "Eip":
		return "eipalloc"
	case "SecurityGroup", "DefaultSecurityGroup":
		return "sg"
	case "VpcEndpoint":
		return "vpce"
	case "FlowLog":
		return "fl"
	}
	return strings.ToLower(kind(typ))
}

// nameIsID lists the types AWS identifies by their name.
func nameIsID(typ string) bool {
	switch kind(typ) {
	case "Role", "LogGroup", "Table", "BucketV2", "Function", "MetricAlarm", "Dashboard", "Alias":
		return true
	}
	return false
}

// nameKey is the input holding a type's physical name.
func nameKey(typ string) resource.PropertyKey { return resource.PropertyKey(naming.NameKey(typ)) }

// physicalName is a resource's own name, where it has one.
func physicalName(typ string, inputs resource.PropertyMap) (string, bool) {
	n := naming.Physical(typ, inputs.Mappable())
	return n, n != ""
}

// immutableByType lists, besides the physical name (no AWS resource the
// layers create can be renamed), the inputs AWS cannot change in place for
// the types the layers create.
var immutableByType = map[string][]resource.PropertyKey{
	"aws:dynamodb/table:Table":                            {"hashKey", "rangeKey"},
	"aws:ec2/vpc:Vpc":                                     {"cidrBlock"},
	"aws:ec2/subnet:Subnet":                               {"vpcId", "cidrBlock", "availabilityZone"},
	"aws:ec2/routeTable:RouteTable":                       {"vpcId"},
	"aws:ec2/route:Route":                                 {"routeTableId", "destinationCidrBlock"},
	"aws:ec2/routeTableAssociation:RouteTableAssociation": {"subnetId"},
	"aws:ec2/natGateway:NatGateway":                       {"subnetId", "allocationId"},
	"aws:ec2/vpcEndpoint:VpcEndpoint":                     {"vpcId", "serviceName", "vpcEndpointType"},
	"aws:ec2/securityGroup:SecurityGroup":                 {"vpcId", "description"},
	"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":   {"vpcId"},
	"aws:ec2/flowLog:FlowLog":                             {"vpcId", "logDestination", "trafficType", "iamRoleArn"},
	"aws:iam/rolePolicy:RolePolicy":                       {"role"},
	"aws:appautoscaling/target:Target":                    {"serviceNamespace", "resourceId", "scalableDimension"},
	"aws:appautoscaling/policy:Policy":                    {"serviceNamespace", "resourceId", "scalableDimension"},
	"aws:sns/topicSubscription:TopicSubscription":         {"topic", "protocol", "endpoint"},
	// The bucket's settings are separate resources keyed by the bucket.
	"aws:s3/bucketVersioningV2:BucketVersioningV2":                                               {"bucket"},
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": {"bucket"},
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":                                     {"bucket"},
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls":                                     {"bucket"},
	"aws:s3/bucketPolicy:BucketPolicy":                                                           {"bucket"},
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2":                       {"bucket"},
	"aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2":                     {"bucket"},
	// Object Lock can only be switched on when a bucket is created.
	"aws:s3/bucketV2:BucketV2": {"objectLockEnabled"},
	"aws:kms/key:Key":          {"keyUsage", "customerMasterKeySpec"},
}

// immutable reports whether a change of key replaces a resource of typ.
func immutable(typ string, key resource.PropertyKey) bool {
	if key == nameKey(typ) {
		return true
	}
	for _, k := range immutableByType[typ] {
		if k == key {
			return true
		}
	}
	return false
}

// outputs are the inputs plus what AWS computes: id, ARN, and the names and
// identifiers programs read back.
func (c *Cloud) outputs(typ, id string, inputs resource.PropertyMap, preview bool) resource.PropertyMap {
	out := inputs.Copy()
	if preview {
		// Before creation, computed values are unknown, as with the real provider.
		out["arn"] = resource.MakeComputed(resource.NewStringProperty(""))
		out["id"] = resource.MakeComputed(resource.NewStringProperty(""))
		return out
	}
	name, _ := physicalName(typ, inputs)
	if name == "" {
		name = id
	}
	out["id"] = resource.NewStringProperty(id)
	out["arn"] = resource.NewStringProperty(c.arn(typ, id, name, inputs))
	if _, ok := out["name"]; !ok {
		out["name"] = resource.NewStringProperty(name)
	}
	if tags, ok := inputs["tags"]; ok {
		out["tagsAll"] = tags
	}
	switch kind(typ) {
	case "BucketV2":
		out["bucketDomainName"] = resource.NewStringProperty(name + ".s3.amazonaws.com")
	case "Function":
		out["invokeArn"] = resource.NewStringProperty(fmt.Sprintf("arn:aws:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations", c.Region, c.arn(typ, id, name, inputs)))
		out["qualifiedArn"] = resource.NewStringProperty(c.arn(typ, id, name, inputs) + ":$LATEST")
	case "Topic":
		out["id"] = resource.NewStringProperty(c.arn(typ, id, name, inputs))
	case "Key":
		out["keyId"] = resource.NewStringProperty(id)
	case "VpcEndpoint":
		out["prefixListId"] = resource.NewStringProperty(prefixListID(inputs))
	}
	return out
}

// prefixListID is a gateway endpoint's prefix list: the service's, per
// region, so it is made up from the service's name.
func prefixListID(inputs resource.PropertyMap) string {
	sum := sha256.Sum256([]byte(input(inputs, "serviceName")))
	return "pl-" + hex.EncodeToString(sum[:4])
}

// arnByType gives, for the types whose ARN AWS builds from a name (or a key
// ID), how; every other type's ARN is built from its ID.
var arnByType = map[string]func(s iampolicy.Scope, id, name string) string{
	"aws:s3/bucketV2:BucketV2":               func(_ iampolicy.Scope, _, name string) string { return iampolicy.Bucket(name) },
	"aws:iam/policy:Policy":                  func(s iampolicy.Scope, _, name string) string { return s.Policy(name) },
	"aws:dynamodb/table:Table":               func(s iampolicy.Scope, _, name string) string { return s.Table(name) },
	"aws:lambda/function:Function":           func(s iampolicy.Scope, _, name string) string { return s.Function(name) },
	"aws:cloudwatch/logGroup:LogGroup":       func(s iampolicy.Scope, _, name string) string { return s.LogGroup(name, false) },
	"aws:cloudwatch/metricAlarm:MetricAlarm": func(s iampolicy.Scope, _, name string) string { return s.Alarm(name) },
	"aws:sns/topic:Topic":                    func(s iampolicy.Scope, _, name string) string { return s.Topic(name) },
	"aws:kms/alias:Alias":                    func(s iampolicy.Scope, _, name string) string { return s.Alias(name) },
	"aws:kms/key:Key":                        func(s iampolicy.Scope, id, _ string) string { return s.Key(id) },
	// Dashboards are global: their ARN has no region.
	"aws:cloudwatch/dashboard:Dashboard": func(s iampolicy.Scope, _, name string) string { return s.Dashboard(name) },
}

// ec2ResourceTypes are the resource types of EC2's ARNs, by kind, where
// they are not the kind in lower case.
var ec2ResourceTypes = map[string]string{
	"RouteTable": "route-table", "InternetGateway": "internet-gateway", "Eip": "elastic-ip",
	"SecurityGroup": "security-group", "DefaultSecurityGroup": "security-group", "VpcEndpoint": "vpc-endpoint", "FlowLog": "vpc-flow-log",
}

func (c *Cloud) arn(typ, id, name string, inputs resource.PropertyMap) string {
	s := iampolicy.Scope{Region: c.Region, Account: c.Account}
	if typ == "aws:iam/role:Role" {
		return s.RoleAt(input(inputs, "path"), name)
	}
	if arn, ok := arnByType[typ]; ok {
		return arn(s, id, name)
	}
	if t, ok := ec2ResourceTypes[kind(typ)]; ok && module(typ) == "ec2" {
		return s.Resource("ec2", t, id)
	}
	return s.Resource(module(typ), strings.ToLower(kind(typ)), id)
}
