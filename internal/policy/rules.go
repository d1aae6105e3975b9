package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/acmepay/platform/internal/access"
	"github.com/acmepay/platform/internal/manifest"
	"github.com/acmepay/platform/internal/proppath"
	"github.com/acmepay/platform/pkg/awstype"
	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/naming"
	"github.com/acmepay/platform/pkg/workload"
)

// Rule is one compliance rule.
type Rule struct {
	ID string
	// Title says what must hold.
	Title string
	// Equivalent names the matching Checkov / cdk-nag / AWS Config rules.
	Equivalent string
	// Fix says how to comply.
	Fix string
	// Applies selects the resources the rule checks.
	Applies func(r manifest.Resource) bool
	// Check returns "" when the resource complies, else what is wrong.
	Check func(r manifest.Resource, env *Env) string
}

// Env is what a rule may look up beyond the resource itself.
type Env struct {
	Manifest  manifest.Manifest
	resources []manifest.Resource
	// access answers who may do what, by evaluating the environment's
	// documents; accessErr says why it could not be built.
	access    *access.Environment
	accessErr error
}

func newEnv(m manifest.Manifest) *Env {
	e := &Env{Manifest: m}
	for _, l := range m.Layers {
		e.resources = append(e.resources, l.Resources...)
	}
	e.access, e.accessErr = access.FromManifest(m)
	return e
}

// decide asks one access question of the environment's documents; problem
// is set when the question could not be answered.
func (e *Env) decide(q access.Question) (got iampolicy.Result, problem string) {
	if e.accessErr != nil {
		return got, e.accessErr.Error()
	}
	got, err := e.access.Ask(q)
	if err != nil {
		return got, err.Error()
	}
	return got, ""
}

// names are the environment's names as the access questions use them.
func (e *Env) names() access.Names {
	w := e.workload()
	key := ""
	for k := range e.access.KeyPolicies {
		key = k
	}
	return access.NamesFor(w.Scope, e.Manifest.Environment, e.Manifest.Settings.Suffix, key)
}

// topic finds a topic of the environment by its ARN.
func (e *Env) topic(arn string) *manifest.Resource {
	for i, r := range e.resources {
		if r.Type == awstype.Topic && (iampolicy.Scope{Region: e.Manifest.Region, Account: e.Manifest.Account}).Topic(r.PhysicalName) == arn {
			return &e.resources[i]
		}
	}
	return nil
}

// workload names the environment's resources as the layers name them.
func (e *Env) workload() workload.Environment {
	return workload.Environment{
		Scope: iampolicy.Scope{Region: e.Manifest.Region, Account: e.Manifest.Account},
		Names: naming.New(e.Manifest.Environment, e.Manifest.Settings.Suffix),
	}
}

// configuring returns the resources of type typ whose "bucket" (or other
// key) setting names target.
func (e *Env) configuring(typ, key, target string) []manifest.Resource {
	var out []manifest.Resource
	for _, r := range e.resources {
		if r.Type == typ && r.Config[key] == target {
			out = append(out, r)
		}
	}
	return out
}

func ofType(types ...string) func(manifest.Resource) bool {
	return func(r manifest.Resource) bool { return slices.Contains(types, r.Type) }
}

// bucketSetting checks that one of the bucket's settings resources of type
// typ satisfies ok.
func bucketSetting(typ string, ok func(config map[string]any) bool, problem string) func(manifest.Resource, *Env) string {
	return func(r manifest.Resource, e *Env) string {
		for _, c := range e.configuring(typ, "bucket", r.PhysicalName) {
			if ok(c.Config) {
				return ""
			}
		}
		return problem
	}
}

// settingIs checks that the setting at path has the value want.
func settingIs(path string, want any, problem string) func(manifest.Resource, *Env) string {
	return func(r manifest.Resource, _ *Env) string {
		if proppath.Get(r.Config, path) != want {
			return problem
		}
		return ""
	}
}

func statements(doc any) ([]iampolicy.Statement, error) {
	text, ok := doc.(string)
	if !ok {
		return nil, fmt.Errorf("policy document is not known")
	}
	d, err := iampolicy.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("policy document is not valid: %w", err)
	}
	return d.Statement, nil
}

// scopedToEnvironment reports whether a resource pattern names one of this
// environment's resources before its first wildcard, so the wildcard can
// only reach within it ("table/transactions-prod-pay01/index/*"), never
// across resources ("arn:aws:s3:::*", "table/*").
func scopedToEnvironment(resource string, e *Env) bool {
	head, _, wild := strings.Cut(strings.ReplaceAll(resource, "?", "*"), "*")
	return !wild || strings.Contains(head, "-"+e.Manifest.Environment+"-"+e.Manifest.Settings.Suffix)
}

// everyStatement is a check that each statement of the policy document in a
// resource's input field must pass; it reports the first statement that does
// not.
func everyStatement(field string, check func(s iampolicy.Statement, e *Env) string) func(manifest.Resource, *Env) string {
	return func(r manifest.Resource, e *Env) string {
		st, err := statements(r.Config[field])
		if err != nil {
			return err.Error()
		}
		for _, s := range st {
			if problem := check(s, e); problem != "" {
				return problem
			}
		}
		return ""
	}
}

// evaluated is a check that needs the environment's documents evaluated
// together (e.access): when they could not be, that is its finding.
func evaluated(check func(r manifest.Resource, e *Env) string) func(manifest.Resource, *Env) string {
	return func(r manifest.Resource, e *Env) string {
		if e.accessErr != nil {
			return e.accessErr.Error()
		}
		return check(r, e)
	}
}

// everyAllow is everyStatement over the statements that allow.
func everyAllow(field string, check func(s iampolicy.Statement, e *Env) string) func(manifest.Resource, *Env) string {
	return everyStatement(field, func(s iampolicy.Statement, e *Env) string {
		if s.Effect != iampolicy.Allow {
			return ""
		}
		return check(s, e)
	})
}

// Rules lists every rule, in report order.
func Rules() []Rule {
	return slices.Concat(
		s3Rules(),
		tableRules(),
		functionRules(),
		iamDocumentRules(),
		iamEvaluatedRules(),
		keyRules(),
		retentionRules(),
		networkRules(),
		conventionRules(),
	)
}
