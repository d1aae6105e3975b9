package profile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// PipelineKey is the environments file's one top-level key that is not an
// environment: what every account's bootstrap shares.
const PipelineKey = "pipeline"

// Pipeline is what the accounts' bootstrap needs beyond the environments:
// the repository whose workflows assume the pipeline roles, the organisation
// whose guardrails protect them, the tooling account holding the state, and
// who may assume each environment's break-glass role.
type Pipeline struct {
	// Repository is the GitHub repository ("owner/name") whose workflows
	// assume the pipeline roles.
	Repository string `json:"repository"`
	// OrganizationID is the AWS Organizations ID ("o-...") the accounts
	// belong to; the guardrails let only its principals in.
	OrganizationID string `json:"organizationId"`
	// ToolingAccountID holds the state bucket and its key.
	ToolingAccountID string `json:"toolingAccountId"`
	Region           string `json:"region"`
	// StateBucket is the S3 bucket of every environment's state, one prefix
	// per environment.
	StateBucket string `json:"stateBucket"`
	// AdminRole is the role an administrator bootstraps an account with (the
	// organisation's account access role): the one principal besides the
	// break-glass role that the guardrails let touch what bootstrap owns.
	AdminRole string `json:"adminRole"`
	// BreakGlass lists, per environment, the IAM principals (ARNs) that may
	// assume its break-glass role, with MFA. A production environment must
	// have at least one; an environment with none gets no break-glass role.
	BreakGlass map[Environment][]string `json:"breakGlassPrincipals"`
}

var (
	repoPattern      = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	orgPattern       = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	bucketPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	rolePattern      = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]{1,64}$`)
	principalPattern = regexp.MustCompile(`^arn:aws:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]+$`)
)

// Validate checks every field, naming the key, the value and what is
// allowed.
func (p Pipeline) Validate() error {
	var errs []error
	check := func(key, value string, re *regexp.Regexp, allowed string) {
		if !re.MatchString(value) {
			errs = append(errs, fmt.Errorf("%s.%s = %q: want %s", PipelineKey, key, value, allowed))
		}
	}
	check("repository", p.Repository, repoPattern, "owner/name")
	check("organizationId", p.OrganizationID, orgPattern, "an AWS Organizations ID (o- and 10-32 lowercase letters or digits)")
	check("toolingAccountId", p.ToolingAccountID, accountPattern, "a 12-digit AWS account ID")
	check("stateBucket", p.StateBucket, bucketPattern, "an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)")
	check("adminRole", p.AdminRole, rolePattern, "an IAM role name")
	if p.Region == "" {
		errs = append(errs, fmt.Errorf("%s.region is empty: want the tooling account's region, for example us-east-1", PipelineKey))
	}
	for env, principals := range p.BreakGlass {
		if _, err := ParseEnvironment(string(env)); err != nil {
			errs = append(errs, fmt.Errorf("%s.breakGlassPrincipals.%s: %w", PipelineKey, env, err))
		}
		for _, arn := range principals {
			check("breakGlassPrincipals."+string(env), arn, principalPattern, "an IAM role or user ARN (arn:aws:iam::<account>:role/<name>)")
		}
	}
	for _, env := range Environments() {
		if defaults[env].Production() && len(p.BreakGlass[env]) == 0 {
			errs = append(errs, fmt.Errorf("%s.breakGlassPrincipals.%s is empty: %s is a production environment (tier %s), whose data is destroyed only through its break-glass role; name at least one IAM principal (arn:aws:iam::<account>:role/<name>) that may assume it with MFA", PipelineKey, env, env, Production))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return fmt.Errorf("environments file: %s", strings.Join(msgs, "; "))
}

// parsePipeline reads the pipeline block of the environments file.
func parsePipeline(body any) (Pipeline, error) {
	var p Pipeline
	if err := decodeBlock(PipelineKey, body, &p); err != nil {
		return Pipeline{}, err
	}
	return p, nil
}

// PlannedPipeline is the pipeline block of the environments file, validated.
func PlannedPipeline() (Pipeline, error) {
	p := pipeline
	return p, p.Validate()
}

// decodeBlock decodes a block of the environments file (its YAML, read as
// generic values) onto into, whose json tags are the block's keys; a key
// into has no field for is an error naming the block.
func decodeBlock(block string, body, into any) error {
	text, err := json.Marshal(body)
	if err == nil {
		err = strictJSON(text, into)
	}
	if err != nil {
		return fmt.Errorf("environments file: %s: %w", block, err)
	}
	return nil
}

// strictJSON decodes text onto into, refusing a key into has no field for.
func strictJSON(text []byte, into any) error {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	return dec.Decode(into)
}
