// Package bootstrap writes the documents of an account's bootstrap
// (pkg/bootstrapiam) as JSON files, for review: the pipeline roles' trust,
// policies, boundary and guardrails, the break-glass role's, the workload
// boundary, and the tooling account's state bucket and key policies and the
// organisation's guardrails.
package bootstrap

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/acmepay/platform/pkg/bootstrapiam"
	"github.com/acmepay/platform/pkg/profile"
)

// Dir is where the review files are written (ignored by git).
const Dir = "dist/bootstrap"

// File is one document of a bootstrap, and what it is to AWS.
type File = bootstrapiam.File

// Account is an environment's account as its bootstrap sees it, from the
// stack files and the environments file's pipeline block.
func Account(root, env string) (bootstrapiam.Account, error) {
	p, err := profile.FromStackFiles(root, env)
	if err != nil {
		return bootstrapiam.Account{}, err
	}
	pipe, err := profile.PlannedPipeline()
	if err != nil {
		return bootstrapiam.Account{}, err
	}
	return bootstrapiam.Account{Profile: p, Pipeline: pipe}, nil
}

// Tooling is the tooling account with every environment's account.
func Tooling(root string) (bootstrapiam.Tooling, error) {
	pipe, err := profile.PlannedPipeline()
	if err != nil {
		return bootstrapiam.Tooling{}, err
	}
	t := bootstrapiam.Tooling{Pipeline: pipe}
	for _, env := range profile.Environments() {
		a, err := Account(root, string(env))
		if err != nil {
			return bootstrapiam.Tooling{}, err
		}
		t.Accounts = append(t.Accounts, a)
	}
	return t.WithReviews(), nil
}

// Files are the documents of an environment's account.
func Files(a bootstrapiam.Account) ([]File, error) { return a.Files() }

// ToolingFiles are the tooling account's documents and the organisation's
// guardrails.
func ToolingFiles(t bootstrapiam.Tooling) []File { return t.Files() }

// Write writes the files into dir, creating it, and returns their paths.
func Write(dir string, files []File) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	for _, f := range files {
		path := filepath.Join(dir, f.Name)
		if err := os.WriteFile(path, []byte(f.Doc.JSON()+"\n"), 0o644); err != nil {
			return nil, fmt.Errorf("writing %s: %w", path, err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}
