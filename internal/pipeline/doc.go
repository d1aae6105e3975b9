// Package pipeline holds the tests of the delivery pipeline's structure (the
// GitHub Actions workflows in .github/workflows): the promotion order, the
// approval gate on prod, the drift schedule, OIDC-only AWS access and one
// concurrency group per environment. actionlint checks the syntax in CI;
// these tests check the properties a reviewer relies on.
package pipeline
