package deploy

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// STSIdentity asks AWS STS who the caller is, with the standard credential
// chain (environment, profile, SSO, instance or OIDC role).
type STSIdentity struct {
	// Region is the endpoint's region; the credential chain's, else
	// us-east-1 (STS answers GetCallerIdentity in every region).
	Region string
}

// AccountID implements Identity.
func (s STSIdentity) AccountID(ctx context.Context) (string, error) {
	out, err := s.caller(ctx)
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Account), nil
}

// CallerArn implements Principal.
func (s STSIdentity) CallerArn(ctx context.Context) (string, error) {
	out, err := s.caller(ctx)
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Arn), nil
}

func (s STSIdentity) caller(ctx context.Context) (*sts.GetCallerIdentityOutput, error) {
	opts := []func(*config.LoadOptions) error{}
	if s.Region != "" {
		opts = append(opts, config.WithRegion(s.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS credentials: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("no usable AWS credentials: %w", err)
	}
	return out, nil
}
