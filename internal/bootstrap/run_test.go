package bootstrap

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/internal/deploy"
	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/profile"
	"github.com/acmepay/platform/pkg/stage"
)

type recordingRunner struct{ runs []string }

func (r *recordingRunner) Run(_ context.Context, op stage.Op, layer stage.Layer, env string, _ io.Writer) (stage.Outcome, error) {
	r.runs = append(r.runs, string(op)+" "+layer.Name+"/"+env)
	return stage.Outcome{Changes: stage.Changes{"create": 1}}, nil
}

type callerAccount string

func (a callerAccount) AccountID(context.Context) (string, error) { return string(a), nil }

type cli struct{}

func (cli) Check(context.Context) (string, error) { return "v3.259.0", nil }

func bootstrapper(caller string, held ...string) (*Bootstrapper, *recordingRunner) {
	r := &recordingRunner{}
	return &Bootstrapper{Runner: r, Identity: callerAccount(caller), CLI: cli{}, Out: &bytes.Buffer{},
		Held: func(context.Context, profile.Environment) ([]string, error) { return held, nil }}, r
}

func TestBootstrapRunsTheAccountsStackWithItsOwnCredentialsOnly(t *testing.T) {
	b, r := bootstrapper(fixture.ProdAccount)
	require.NoError(t, b.Env(context.Background(), stage.Up, "prod"))
	assert.Equal(t, []string{"up bootstrap/prod"}, r.runs)
	assert.Contains(t, b.Out.(*bytes.Buffer).String(), "break-glass arn:aws:iam::"+fixture.ProdAccount+":role/payments-break-glass")

	b, r = bootstrapper(fixture.DevAccount)
	err := b.Env(context.Background(), stage.Up, "prod")
	require.ErrorIs(t, err, deploy.ErrWrongAccount)
	assert.Contains(t, err.Error(), "the credentials are for account "+fixture.DevAccount+", but bootstrap prod is for account "+fixture.ProdAccount)
	assert.Empty(t, r.runs, "refused before anything runs")

	b, r = bootstrapper(fixture.DevAccount)
	require.ErrorIs(t, b.State(context.Background(), stage.Up), deploy.ErrWrongAccount, "the tooling account is "+fixture.ToolingAccount)
	assert.Empty(t, r.runs)
	b, r = bootstrapper(fixture.ToolingAccount)
	require.NoError(t, b.State(context.Background(), stage.Up))
	assert.Equal(t, []string{"up bootstrap/tooling"}, r.runs)

	b, r = bootstrapper(fixture.DevAccount)
	require.ErrorContains(t, b.Env(context.Background(), stage.Up, "qa"), `unknown environment "qa"`)
	assert.Empty(t, r.runs)
}

func TestBootstrapTeardownWaitsForTheEnvironmentToBeGone(t *testing.T) {
	b, r := bootstrapper(fixture.DevAccount, "network: aws:ec2/vpc:Vpc vpc", "data: aws:dynamodb/table:Table transactions")
	err := b.Env(context.Background(), stage.Destroy, "dev")
	require.ErrorIs(t, err, ErrLayersRemain)
	assert.Contains(t, err.Error(), "go run mage.go destroy:env dev")
	assert.Contains(t, err.Error(), "it holds 2: network: aws:ec2/vpc:Vpc vpc, data: aws:dynamodb/table:Table transactions")
	assert.Empty(t, r.runs)

	b, r = bootstrapper(fixture.DevAccount)
	require.NoError(t, b.Env(context.Background(), stage.Destroy, "dev"))
	assert.Equal(t, []string{"destroy bootstrap/dev"}, r.runs)
}
