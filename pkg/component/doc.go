// Package component holds the platform's Pulumi ComponentResources, one file
// per component: the VPC, the permissions boundary, the transactions table,
// the audit bucket, the payment function and the alarms. Each validates its
// arguments in pure functions before registering anything, parents every
// child to itself and derives child names from its own name.
package component
