package functionbuild

import (
	"archive/zip"
	"bytes"
	"context"
	"debug/elf"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Two clean builds of the payment function give byte-identical archives.
func TestBuildIsReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: cross-compiles the payment function twice")
	}
	ctx := context.Background()
	dir, err := ModuleDir(ctx)
	require.NoError(t, err)
	out := t.TempDir()
	a, err := Build(ctx, dir, "./cmd/payment", filepath.Join(out, "a", "payment.zip"))
	require.NoError(t, err)
	b, err := Build(ctx, dir, "./cmd/payment", filepath.Join(out, "b", "payment.zip"))
	require.NoError(t, err)
	t.Logf("archive sha256 %s (base64 %s)", a.Hex, a.SHA256)
	assert.Equal(t, a.SHA256, b.SHA256)
	za, _ := os.ReadFile(a.Path)
	zb, _ := os.ReadFile(b.Path)
	assert.True(t, bytes.Equal(za, zb), "archives differ byte for byte")

	// The archive holds one executable bootstrap for linux/arm64.
	zr, err := zip.NewReader(bytes.NewReader(za), int64(len(za)))
	require.NoError(t, err)
	require.Len(t, zr.File, 1)
	assert.Equal(t, "bootstrap", zr.File[0].Name)
	assert.Equal(t, os.FileMode(0o755), zr.File[0].Mode().Perm())
	rc, err := zr.File[0].Open()
	require.NoError(t, err)
	bin, err := io.ReadAll(rc)
	require.NoError(t, err)
	exe, err := elf.NewFile(bytes.NewReader(bin))
	require.NoError(t, err)
	assert.Equal(t, elf.EM_AARCH64, exe.Machine, "built for arm64")
}

func TestZipIsDeterministic(t *testing.T) {
	a, err := Zip([]byte("binary"))
	require.NoError(t, err)
	b, err := Zip([]byte("binary"))
	require.NoError(t, err)
	assert.Equal(t, a, b)
	c, err := Zip([]byte("changed"))
	require.NoError(t, err)
	assert.NotEqual(t, a, c)
}

func TestBuildReportsCompileErrors(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module broken\n\ngo 1.22\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\nfunc main() { undefined() }\n"), 0o644))
	_, err := Build(context.Background(), dir, ".", filepath.Join(dir, "out.zip"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "undefined")
}
