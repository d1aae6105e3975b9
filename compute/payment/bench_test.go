package payment

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"
)

// benchProcessor is a processor over the in-memory fakes, logging nowhere, as
// a fresh Lambda execution environment would construct it.
func benchProcessor() *Processor {
	return &Processor{
		Transactions: &Table{Client: newFakeDynamo(), Name: "transactions-prod-pay01"},
		Audit:        &Bucket{Client: &fakeS3{}, Name: "audit-logs-prod-pay01"},
		AuditPrefix:  "audit/",
		Environment:  "prod",
		Log:          slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Now:          time.Now,
	}
}

// BenchmarkHandlerColdStart measures the handler's own part of a cold start:
// constructing the processor and serving the first payment. (The Lambda
// runtime's process start and the AWS SDK's credential load are not in it.)
func BenchmarkHandlerColdStart(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		p := benchProcessor()
		if _, err := p.Handle(context.Background(), []byte(fmt.Sprintf(benchBody, i))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandlerWarm serves a new payment per iteration on one warm
// processor and reports the median and 99th percentile latency besides the
// mean.
func BenchmarkHandlerWarm(b *testing.B) {
	p := benchProcessor()
	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i] = []byte(fmt.Sprintf(benchBody, i))
	}
	latencies := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if _, err := p.Handle(context.Background(), bodies[i]); err != nil {
			b.Fatal(err)
		}
		latencies = append(latencies, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Nanoseconds()), "p99-ns")
}

const benchBody = `{"idempotencyKey":"bench-key-%08d","merchantId":"merchant_42","amount":1999,"currency":"EUR","reference":"order 4242 4242"}`
