module github.com/acmepay/platform/observability

go 1.26.6
