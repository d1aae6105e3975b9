// Package observabilitylayer is the program of the observability layer: the
// alarm topic, the alarms on every function and on the table, and the
// dashboard. It reads the network (the environment's key), data and compute
// layers through StackReferences.
package observabilitylayer

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/pkg/component"
	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/layer"
)

// Program builds the observability layer of the selected stack.
func Program(ctx *pulumi.Context) error {
	st, err := layer.Begin(ctx, contract.LayerObservability)
	if err != nil {
		return err
	}
	network, err := contract.ReadNetworkForObservability(ctx)
	if err != nil {
		return err
	}
	data, err := contract.ReadDataForObservability(ctx)
	if err != nil {
		return err
	}
	compute, err := contract.ReadComputeForObservability(ctx)
	if err != nil {
		return err
	}
	alarms, err := component.NewAlarms(ctx, "alarms", component.AlarmsArgs{
		Names:       st.Names,
		Region:      st.Profile.Region,
		Thresholds:  st.Profile.Alarms,
		Functions:   compute.Functions,
		TableName:   data.TableName,
		AlarmEmails: st.Profile.Alarms.Emails,
		TopicKeyArn: network.EnvironmentKeyArn,
	})
	if err != nil {
		return err
	}
	contract.ObservabilityExports{
		AlarmTopicArn: alarms.TopicArn,
		DashboardName: alarms.DashboardName,
		AlarmNames:    alarms.AlarmNames,
	}.Export(ctx)
	st.Finish(ctx)
	return nil
}
