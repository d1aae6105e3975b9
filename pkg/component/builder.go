package component

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acmepay/platform/pkg/naming"
)

// builder names a component's children and keeps the first naming error, so a
// component body reads as a list of resources rather than a list of checks.
// Names cannot fail for a validated profile (the suffix is at most 12
// characters); the check stays as a guard for new resource types.
type builder struct {
	token, component string // the component's type token and name
	names            naming.Namer
	err              error
}

func (b *builder) name(kind naming.Kind, resourceType string) string {
	n, err := b.names.Name(kind, resourceType)
	if err != nil && b.err == nil {
		b.err = err
	}
	return n
}

func (b *builder) nameTag(kind naming.Kind, resourceType string) pulumi.StringMap {
	return pulumi.StringMap{"Name": pulumi.String(b.name(kind, resourceType))}
}

// wrap says which component failed: its type token and name.
func (b *builder) wrap(err error) error { return fmt.Errorf("%s %s: %w", b.token, b.component, err) }
