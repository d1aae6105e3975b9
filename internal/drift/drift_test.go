package drift

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/sig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func outputsEvent(op apitype.OpType, urn, typ string, old, new map[string]any, diff map[string]apitype.PropertyDiff) apitype.EngineEvent {
	md := apitype.StepEventMetadata{Op: op, URN: urn, Type: typ, DetailedDiff: diff}
	if old != nil {
		md.Old = &apitype.StepEventStateMetadata{Inputs: old}
	}
	if new != nil {
		md.New = &apitype.StepEventStateMetadata{Inputs: new}
	}
	return apitype.EngineEvent{ResOutputsEvent: &apitype.ResOutputsEvent{Metadata: md}}
}

const secret = sig.Secret

func TestReportsPathsValuesAndRedactsSecrets(t *testing.T) {
	r := Report{Environment: "prod"}
	r.Add("data", []apitype.EngineEvent{
		outputsEvent(apitype.OpSame, "urn:pulumi:prod::data::aws:s3/bucketV2:BucketV2::audit-logs", "aws:s3/bucketV2:BucketV2", nil, nil, nil),
		outputsEvent(apitype.OpUpdate, "urn:pulumi:prod::data::aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2::audit-logs",
			"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
			map[string]any{"rules": []any{map[string]any{"expiration": map[string]any{"days": 365.0}}}, "token": map[string]any{sig.Key: secret, "plaintext": `"a"`}},
			map[string]any{"rules": []any{map[string]any{"expiration": map[string]any{"days": 7.0}}}, "token": map[string]any{sig.Key: secret, "plaintext": `"b"`}},
			map[string]apitype.PropertyDiff{"rules[0].expiration.days": {Kind: apitype.DiffUpdate}, "token": {Kind: apitype.DiffUpdate}}),
	})
	r.Add("network", []apitype.EngineEvent{
		outputsEvent(apitype.OpDelete, "urn:pulumi:prod::network::payments:network:Vpc$aws:ec2/route:Route::vpc-private-2-default", "aws:ec2/route:Route", nil, nil, nil),
	})
	require.Len(t, r.Drifted, 2)
	lc := r.Drifted[0]
	assert.Equal(t, Modified, lc.Kind)
	assert.Equal(t, []Property{
		{Path: "rules[0].expiration.days", Kind: "update", Recorded: 365.0, Live: 7.0},
		{Path: "token", Kind: "update", Recorded: "[secret]", Live: "[secret]"},
	}, lc.Properties)
	assert.Equal(t, Resource{Layer: "network", URN: "urn:pulumi:prod::network::payments:network:Vpc$aws:ec2/route:Route::vpc-private-2-default",
		Type: "aws:ec2/route:Route", Name: "vpc-private-2-default", Kind: Deleted}, r.Drifted[1])

	var out bytes.Buffer
	dir := t.TempDir()
	err := r.Publish(dir, &out)
	require.ErrorIs(t, err, ErrDrift)
	assert.Contains(t, out.String(), "DRIFT DETECTED: 2 resource(s) of prod")
	assert.Contains(t, out.String(), "rules[0].expiration.days")
	assert.NotContains(t, out.String(), `"a"`, "secret values never reach the output")
	raw, err := os.ReadFile(filepath.Join(dir, "prod.json"))
	require.NoError(t, err)
	var back Report
	require.NoError(t, json.Unmarshal(raw, &back))
	assert.Len(t, back.Drifted, 2)
}

func TestNoDrift(t *testing.T) {
	r := Report{Environment: "dev"}
	var out bytes.Buffer
	require.NoError(t, r.Publish(t.TempDir(), &out))
	assert.Contains(t, out.String(), "no drift")
	assert.NotContains(t, out.String(), "DRIFT DETECTED")
}

func TestAutoscaledCapacityIsNotDrift(t *testing.T) {
	r := Report{Environment: "prod"}
	r.Add("data", []apitype.EngineEvent{
		outputsEvent(apitype.OpUpdate, "urn:pulumi:prod::data::aws:dynamodb/table:Table::transactions", "aws:dynamodb/table:Table",
			map[string]any{"readCapacity": 25.0, "globalSecondaryIndexes": []any{map[string]any{"writeCapacity": 25.0}}},
			map[string]any{"readCapacity": 180.0, "globalSecondaryIndexes": []any{map[string]any{"writeCapacity": 60.0}}},
			map[string]apitype.PropertyDiff{"readCapacity": {Kind: apitype.DiffUpdate}, "globalSecondaryIndexes[0].writeCapacity": {Kind: apitype.DiffUpdate}}),
	})
	assert.False(t, r.Any(), "Application Auto Scaling owns the live capacity")

	r.Add("data", []apitype.EngineEvent{
		outputsEvent(apitype.OpUpdate, "urn:pulumi:prod::data::aws:dynamodb/table:Table::transactions", "aws:dynamodb/table:Table",
			map[string]any{"readCapacity": 25.0, "billingMode": "PROVISIONED"},
			map[string]any{"readCapacity": 180.0, "billingMode": "PAY_PER_REQUEST"},
			map[string]apitype.PropertyDiff{"readCapacity": {Kind: apitype.DiffUpdate}, "billingMode": {Kind: apitype.DiffUpdate}}),
	})
	require.Len(t, r.Drifted, 1)
	assert.Equal(t, []Property{{Path: "billingMode", Kind: "update", Recorded: "PROVISIONED", Live: "PAY_PER_REQUEST"}}, r.Drifted[0].Properties)
}

// A preview with refresh reports its refresh steps as "refresh": a gone
// resource has no new state, a changed one has diffs, an unchanged one
// neither. They read as the same drift a refresh alone reports.
func TestAPreviewsRefreshStepsReadAsDrift(t *testing.T) {
	step := func(name string, gone bool, diffs ...string) apitype.EngineEvent {
		md := apitype.StepEventMetadata{Op: apitype.OpRefresh, URN: "urn:pulumi:dev::compute::aws:lambda/function:Function::" + name,
			Type: "aws:lambda/function:Function", Diffs: diffs,
			Old: &apitype.StepEventStateMetadata{Inputs: map[string]any{"memorySize": 512.0}}}
		if !gone {
			md.New = &apitype.StepEventStateMetadata{Inputs: map[string]any{"memorySize": 128.0}}
		}
		return apitype.EngineEvent{ResOutputsEvent: &apitype.ResOutputsEvent{Metadata: md}}
	}
	var r Report
	r.AddRefreshed("compute", []apitype.EngineEvent{step("changed", false, "memorySize"), step("gone", true), step("same", false)})
	assert.Equal(t, []Resource{
		{Layer: "compute", URN: "urn:pulumi:dev::compute::aws:lambda/function:Function::changed", Type: "aws:lambda/function:Function", Name: "changed",
			Kind: Modified, Properties: []Property{{Path: "memorySize", Kind: "update", Recorded: 512.0, Live: 128.0}}},
		{Layer: "compute", URN: "urn:pulumi:dev::compute::aws:lambda/function:Function::gone", Type: "aws:lambda/function:Function", Name: "gone", Kind: Deleted},
	}, r.Drifted)
}
