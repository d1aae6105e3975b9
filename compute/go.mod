module github.com/acmepay/platform/compute

go 1.26.6
