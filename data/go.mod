module github.com/acmepay/platform/data

go 1.26.6
