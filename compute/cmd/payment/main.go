// Command payment is the payment-processing Lambda function (the "bootstrap"
// of a provided.al2023 runtime). It reads its table, bucket and environment
// from the environment variables the compute layer sets.
package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/acmepay/platform/compute/payment"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	env, err := payment.ConfigFromEnv(os.Getenv)
	if err != nil {
		log.Error("configuration", "error", err.Error())
		os.Exit(1)
	}
	awsCfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("aws configuration", "error", err.Error())
		os.Exit(1)
	}
	p := &payment.Processor{
		Transactions: &payment.Table{Client: dynamodb.NewFromConfig(awsCfg), Name: env.TableName},
		Audit:        &payment.Bucket{Client: s3.NewFromConfig(awsCfg), Name: env.AuditBucket},
		AuditPrefix:  env.AuditPrefix,
		Environment:  env.Environment,
		Log:          log.With("environment", env.Environment),
		Now:          time.Now,
	}
	// A failed payment returns its error to the runtime, so Lambda counts it
	// in the Errors metric the errors alarm watches.
	lambda.Start(func(ctx context.Context, event json.RawMessage) (payment.Response, error) {
		return p.Handle(ctx, event)
	})
}
