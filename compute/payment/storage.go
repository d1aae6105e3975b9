package payment

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/acmepay/platform/pkg/workload"
)

// DynamoDBAPI is the part of the DynamoDB client the function uses; its IAM
// policy grants exactly DynamoDBActions.
type DynamoDBAPI interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// DynamoDBActions are the IAM actions DynamoDBAPI needs: what the
// environment's workload policies grant on the table.
var DynamoDBActions = workload.TableActions

// Table stores transactions in DynamoDB.
type Table struct {
	Client DynamoDBAPI
	Name   string
}

// Create writes txn only if no item has its transactionId; otherwise it reads
// the stored item back with a consistent read.
func (t *Table) Create(ctx context.Context, txn Transaction) (Transaction, bool, error) {
	item, err := attributevalue.MarshalMap(txn)
	if err != nil {
		return Transaction{}, false, fmt.Errorf("encode transaction: %w", err)
	}
	_, err = t.Client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           aws.String(t.Name),
		Item:                item,
		ConditionExpression: aws.String("attribute_not_exists(transactionId)"),
	})
	if err == nil {
		return txn, true, nil
	}
	var exists *types.ConditionalCheckFailedException
	if !errors.As(err, &exists) {
		return Transaction{}, false, fmt.Errorf("put transaction %s: %w", txn.TransactionID, err)
	}
	out, err := t.Client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(t.Name),
		Key:            map[string]types.AttributeValue{"transactionId": &types.AttributeValueMemberS{Value: txn.TransactionID}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Transaction{}, false, fmt.Errorf("get transaction %s: %w", txn.TransactionID, err)
	}
	if len(out.Item) == 0 {
		return Transaction{}, false, fmt.Errorf("transaction %s: conditional write failed but no item is stored", txn.TransactionID)
	}
	var stored Transaction
	if err := attributevalue.UnmarshalMap(out.Item, &stored); err != nil {
		return Transaction{}, false, fmt.Errorf("decode transaction %s: %w", txn.TransactionID, err)
	}
	return stored, false, nil
}

// S3API is the part of the S3 client the function uses.
type S3API interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// S3Actions are the IAM actions S3API needs (a conditional create is a
// PutObject): what the workload policies grant on the audit prefix.
var S3Actions = workload.AuditWriteActions

// Bucket stores audit records in S3.
type Bucket struct {
	Client S3API
	Name   string
}

// Create writes one audit record with a conditional create
// (If-None-Match: *). S3 answers 412 Precondition Failed when the key exists,
// which here means an earlier attempt wrote the record: nothing is
// overwritten and the record counts as present. A 409 (a concurrent
// conditional write to the same key) is returned as an error, so the caller
// retries and then finds the record. The SHA-256 checksum is what S3
// requires of a write to a bucket with Object Lock.
func (b *Bucket) Create(ctx context.Context, key string, body []byte) (bool, error) {
	_, err := b.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:            aws.String(b.Name),
		Key:               aws.String(key),
		Body:              bytes.NewReader(body),
		ContentType:       aws.String("application/json"),
		IfNoneMatch:       aws.String("*"),
		ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256,
	})
	var apiErr smithy.APIError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &apiErr) && apiErr.ErrorCode() == "PreconditionFailed":
		return false, nil
	default:
		return false, fmt.Errorf("put audit record %s: %w", key, err)
	}
}
