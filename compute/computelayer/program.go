// Package computelayer is the program of the compute layer: the payment
// function, built from this module's source, wired to the network and data
// layers through their StackReferences only.
package computelayer

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/compute/functionbuild"
	"github.com/acmepay/platform/compute/payment"
	"github.com/acmepay/platform/pkg/component"
	"github.com/acmepay/platform/pkg/contract"
	"github.com/acmepay/platform/pkg/layer"
	"github.com/acmepay/platform/pkg/naming"
)

// PaymentKind names the payment-processing function.
const PaymentKind = naming.PaymentFunction

// Program builds the compute layer of the selected stack.
func Program(ctx *pulumi.Context) error {
	st, err := layer.Begin(ctx, contract.LayerCompute)
	if err != nil {
		return err
	}
	network, err := contract.ReadNetworkForCompute(ctx)
	if err != nil {
		return err
	}
	data, err := contract.ReadDataForCompute(ctx)
	if err != nil {
		return err
	}
	archive, err := buildPayment(ctx.Context())
	if err != nil {
		return fmt.Errorf("compute: %w", err)
	}
	fn, err := component.NewVpcFunction(ctx, PaymentKind, component.VpcFunctionArgs{
		Names:                  st.Names,
		Scope:                  st.Scope,
		BaseName:               PaymentKind,
		Description:            "Payment processing (" + string(st.Profile.Environment) + ")",
		Function:               st.Profile.Function,
		Code:                   pulumi.NewFileArchive(archive.Path),
		CodeSHA256:             archive.SHA256,
		VpcID:                  network.VpcID,
		SubnetIDs:              network.PrivateSubnetIDs,
		EgressPrefixListIDs:    network.GatewayPrefixListIDs,
		PermissionsBoundaryArn: network.PermissionsBoundaryArn,
		TableName:              data.TableName,
		BucketName:             data.AuditBucketName,
		AuditPrefix:            data.AuditPrefix,
		KeyArn:                 network.EnvironmentKeyArn,
		Variables: map[string]string{
			payment.EnvTableName:   data.TableName,
			payment.EnvAuditBucket: data.AuditBucketName,
			payment.EnvAuditPrefix: data.AuditPrefix,
			payment.EnvEnvironment: string(st.Profile.Environment),
		},
	})
	if err != nil {
		return err
	}
	contract.ComputeExports{Functions: []contract.FunctionExport{{
		Name: fn.Name, Arn: fn.Arn, LogGroupName: fn.LogGroupName, TimeoutSeconds: fn.Timeout,
	}}}.Export(ctx)
	st.Finish(ctx)
	return nil
}

var (
	buildMu sync.Mutex
	built   *functionbuild.Archive
)

// Prebuild compiles the payment function ahead of the program, so that a
// deployment's checks and stack selection overlap the build instead of
// the compute layer's preview waiting on it. The program gets the same
// archive, or the build's error when it failed, by building again.
func Prebuild(ctx context.Context) {
	_, _ = buildPayment(ctx)
}

// buildPayment compiles the payment function into the module's dist folder,
// once per process: the source cannot change under a running deployment, and
// the offline engine runs this program many times.
func buildPayment(ctx context.Context) (functionbuild.Archive, error) {
	buildMu.Lock()
	defer buildMu.Unlock()
	if built != nil {
		return *built, nil
	}
	dir, err := functionbuild.ModuleDir(ctx)
	if err != nil {
		return functionbuild.Archive{}, err
	}
	a, err := functionbuild.Build(ctx, dir, "./cmd/payment", filepath.Join(dir, "dist", "payment.zip"))
	if err != nil {
		return functionbuild.Archive{}, err
	}
	built = &a
	return a, nil
}
