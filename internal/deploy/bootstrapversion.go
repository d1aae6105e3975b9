package deploy

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/profile"
)

// Bootstrap reads the bootstrap version of the caller's account; found is
// false when the account has none (it was never bootstrapped).
type Bootstrap interface {
	Version(ctx context.Context, region string) (version int, found bool, err error)
}

// ErrNotBootstrapped and ErrBootstrapTooOld refuse a run before anything is
// touched.
var (
	ErrNotBootstrapped = errors.New("the account is not bootstrapped")
	ErrBootstrapTooOld = errors.New("the account's bootstrap is too old")
)

// checkBootstrap refuses an account whose bootstrap is missing or older than
// this code needs.
func checkBootstrap(ctx context.Context, b Bootstrap, p profile.Profile) error {
	got, found, err := b.Version(ctx, p.Region)
	if err != nil {
		return fmt.Errorf("reading the bootstrap version of account %s (ssm:GetParameter %s): %w", p.AccountID, bootstrapiam.VersionParameter, err)
	}
	fix := fmt.Sprintf("an administrator of account %s runs `go run mage.go bootstrap:env %s` (docs/bootstrap.md)", p.AccountID, profile.Home(p.Environment))
	if !found {
		return fmt.Errorf("%w: account %s (%s) has no %s; %s", ErrNotBootstrapped, p.AccountID, p.Environment, bootstrapiam.VersionParameter, fix)
	}
	if got < bootstrapiam.Version {
		return fmt.Errorf("%w: account %s (%s) has bootstrap version %d, this code needs %d; %s", ErrBootstrapTooOld, p.AccountID, p.Environment, got, bootstrapiam.Version, fix)
	}
	return nil
}

// SSMBootstrap reads the version from the account's SSM parameter, with the
// standard credential chain.
type SSMBootstrap struct{}

// Version implements Bootstrap.
func (SSMBootstrap) Version(ctx context.Context, region string) (int, bool, error) {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		return 0, false, fmt.Errorf("loading AWS credentials: %w", err)
	}
	out, err := ssm.NewFromConfig(cfg).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(bootstrapiam.VersionParameter)})
	var missing *types.ParameterNotFound
	if errors.As(err, &missing) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	v, err := strconv.Atoi(aws.ToString(out.Parameter.Value))
	if err != nil {
		return 0, false, fmt.Errorf("%s holds %q, not a version number", bootstrapiam.VersionParameter, aws.ToString(out.Parameter.Value))
	}
	return v, true, nil
}
