// Package functionbuild compiles a Go Lambda function for linux/arm64 and
// packs it as the "bootstrap" of a provided.al2023 runtime in a zip that is
// byte-for-byte reproducible: the same source and toolchain give the same
// archive and the same hash, so an unchanged function never shows as a change
// in a preview.
package functionbuild

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Module is the import path of the module holding the functions.
const Module = "github.com/acmepay/platform/compute"

// Archive is a built function package.
type Archive struct {
	Path string
	// SHA256 is the base64 SHA-256 of the zip, the form Lambda's
	// source_code_hash uses.
	SHA256 string
	// Hex is the same digest in hex, for people.
	Hex string
}

// zipEpoch is the earliest time a zip can record; every entry gets it.
var zipEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// ModuleDir finds the compute module's directory from the working directory
// (a layer directory, the repository root or anything the go command resolves
// the module from).
func ModuleDir(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", Module).Output()
	if err != nil {
		return "", fmt.Errorf("functionbuild: locating module %s (run from the repository): %w", Module, commandError(err))
	}
	return strings.TrimSpace(string(out)), nil
}

// Build compiles the main package pkg (relative to moduleDir, e.g.
// "./cmd/payment") and writes the archive to outZip.
func Build(ctx context.Context, moduleDir, pkg, outZip string) (Archive, error) {
	tmp, err := os.MkdirTemp("", "functionbuild-")
	if err != nil {
		return Archive{}, fmt.Errorf("functionbuild: %w", err)
	}
	defer os.RemoveAll(tmp)
	binary := filepath.Join(tmp, "bootstrap")

	cmd := exec.CommandContext(ctx, "go", "build",
		"-trimpath", "-buildvcs=false", "-tags", "lambda.norpc",
		"-ldflags", "-s -w -buildid=",
		"-o", binary, pkg)
	cmd.Dir = moduleDir
	// The module's own go.mod decides the dependency versions (not whatever
	// workspace the build happens to run in), so every checkout builds the
	// same binary.
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=-mod=readonly")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return Archive{}, fmt.Errorf("functionbuild: go build %s for linux/arm64: %w\n%s", pkg, err, stderr.String())
	}
	bin, err := os.ReadFile(binary)
	if err != nil {
		return Archive{}, fmt.Errorf("functionbuild: %w", err)
	}
	data, err := Zip(bin)
	if err != nil {
		return Archive{}, err
	}
	if err := os.MkdirAll(filepath.Dir(outZip), 0o755); err != nil {
		return Archive{}, fmt.Errorf("functionbuild: %w", err)
	}
	// Write a file of our own, then rename it into place: readers (and other
	// processes building at the same time, as parallel test packages do)
	// only ever see a complete archive.
	part, err := os.CreateTemp(filepath.Dir(outZip), filepath.Base(outZip)+".*.part")
	if err != nil {
		return Archive{}, fmt.Errorf("functionbuild: %w", err)
	}
	defer os.Remove(part.Name())
	_, err = part.Write(data)
	if cerr := part.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(part.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(part.Name(), outZip)
	}
	if err != nil {
		return Archive{}, fmt.Errorf("functionbuild: %w", err)
	}
	sum := sha256.Sum256(data)
	return Archive{Path: outZip, SHA256: base64.StdEncoding.EncodeToString(sum[:]), Hex: hex.EncodeToString(sum[:])}, nil
}

// Zip packs a bootstrap binary with fixed metadata: one entry, a fixed time,
// mode 0755, deflated.
func Zip(bootstrap []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	hdr := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: zipEpoch}
	hdr.SetMode(0o755)
	f, err := w.CreateHeader(hdr)
	if err == nil {
		_, err = f.Write(bootstrap)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("functionbuild: zip: %w", err)
	}
	return buf.Bytes(), nil
}

func commandError(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
	}
	return err
}
