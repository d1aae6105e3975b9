// Package statebackend reads and writes the layers' state backend directly,
// the way Pulumi's DIY backend lays it out (a local directory or an S3
// bucket and prefix): the stack locks the CLI takes, the checkpoint of each
// stack, and the environment lock that keeps two deployments of one
// environment from running at once. It is how a run finds, before it touches
// anything, what an interrupted run left behind.
package statebackend

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // file:// backends
	_ "gocloud.dev/blob/s3blob"   // s3:// backends
	"gocloud.dev/gcerrors"
)

// Organization is what the DIY backend calls every organization.
const Organization = "organization"

// The DIY backend's layout inside the bucket (or prefix).
const (
	stacksDir  = ".pulumi/stacks"
	locksDir   = ".pulumi/locks"
	backupsDir = ".pulumi/backups"
	// envLocksDir holds the environment locks. It is beside, not inside,
	// Pulumi's lock directory, so the CLI never mistakes one for a stack lock.
	envLocksDir = ".platform/locks"
)

// Store is one state backend.
type Store struct {
	URL    string
	bucket *blob.Bucket
	// file is set for a file:// backend; see settled.
	file bool
}

// Open opens the backend at a URL as the CLI would: file:///abs/dir, or
// s3://bucket/prefix?region=...&endpoint=...&use_path_style=true.
func Open(ctx context.Context, backendURL string) (*Store, error) {
	u, err := url.Parse(backendURL)
	if err != nil {
		return nil, fmt.Errorf("state backend %q: %w", backendURL, err)
	}
	var b *blob.Bucket
	switch u.Scheme {
	case "file":
		dir := filepath.FromSlash(u.Path)
		// The deployment creates the local state directory on first use;
		// until then there is nothing in it to find.
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("state backend %s: %w", backendURL, err)
		}
		// As the CLI: temporary files beside the target, not in /tmp.
		b, err = blob.OpenBucket(ctx, "file://"+filepath.ToSlash(dir)+"?no_tmp_dir=true")
	case "s3":
		prefix := strings.Trim(u.Path, "/")
		u.Path = ""
		b, err = blob.OpenBucket(ctx, u.String())
		if err == nil && prefix != "" {
			b = blob.PrefixedBucket(b, prefix+"/")
		}
	default:
		return nil, fmt.Errorf("state backend %q: only file:// and s3:// backends are supported (Pulumi Cloud is not used)", backendURL)
	}
	if err != nil {
		return nil, fmt.Errorf("opening the state backend %s: %w", backendURL, err)
	}
	return &Store{URL: backendURL, bucket: b, file: u.Scheme == "file"}, nil
}

// readAll reads an object whole; exists reports whether it is there. Both
// read a file backend's sidecar as well (see settled).
func (s *Store) readAll(ctx context.Context, key string) (raw []byte, err error) {
	err = s.settled(func() error {
		raw, err = s.bucket.ReadAll(ctx, key)
		return err
	})
	return raw, err
}

func (s *Store) exists(ctx context.Context, key string) (ok bool, err error) {
	err = s.settled(func() error {
		ok, err = s.bucket.Exists(ctx, key)
		return err
	})
	return ok, err
}

// settled runs a read of a file backend again while what it met is a
// sidecar being written. The CLI's file backend (gocloud's fileblob)
// replaces a state or lock file by renaming a finished temporary file,
// which a reader never sees half-written, but it rewrites the file's
// attributes, `<key>.attrs`, in place: truncated, then written. A read
// made while the CLI deploys (the kill test's poll of the pending
// operations, a status check beside a running deploy) can open that
// sidecar empty or half-written and fail with EOF. The next read finds it
// whole; an error still there after about a third of a second is returned.
func (s *Store) settled(read func() error) error {
	err := read()
	for wait := 10 * time.Millisecond; s.file && tornSidecar(err) && wait <= 160*time.Millisecond; wait *= 2 {
		time.Sleep(wait)
		err = read()
	}
	return err
}

// tornSidecar is what decoding a sidecar cut short answers.
func tornSidecar(err error) bool {
	var syntax *json.SyntaxError
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &syntax)
}

// WithPrefix is an s3:// backend URL with its prefix replaced, its query
// (region, endpoint) kept: another stack family's prefix in the same bucket.
func WithPrefix(backendURL, prefix string) (string, error) {
	u, err := url.Parse(backendURL)
	if err != nil || u.Scheme != "s3" {
		return "", fmt.Errorf("state backend %q: not an s3:// URL", backendURL)
	}
	u.Path = "/" + prefix
	return u.String(), nil
}

// Close releases the bucket.
func (s *Store) Close() error { return s.bucket.Close() }

// Exists reports whether the backend holds a stack's state file (in the
// project-scoped layout; a stack in any other layout reads as absent).
func (s *Store) Exists(ctx context.Context, project, stack string) (bool, error) {
	base := path.Join(stacksDir, project, stack)
	for _, key := range []string{base + ".json", base + ".json.gz"} {
		ok, err := s.exists(ctx, key)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// Stacks lists the stacks a project holds in the backend (the
// project-scoped layout), by name, sorted.
func (s *Store) Stacks(ctx context.Context, project string) ([]string, error) {
	dir := path.Join(stacksDir, project)
	keys, err := s.keys(ctx, dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, key := range keys {
		name := strings.TrimPrefix(key, dir+"/")
		if strings.Contains(name, "/") {
			continue
		}
		name = strings.TrimSuffix(name, ".gz")
		if stack, ok := strings.CutSuffix(name, ".json"); ok && !slices.Contains(out, stack) {
			out = append(out, stack)
		}
	}
	slices.Sort(out)
	return out, nil
}

// RemoveLeftovers deletes what `pulumi stack rm` leaves of a removed
// stack: the backup of its last state file beside where it was, its
// backups and any history. It refuses while the stack itself exists.
func (s *Store) RemoveLeftovers(ctx context.Context, project, stack string) error {
	if ok, err := s.Exists(ctx, project, stack); err != nil || ok {
		if err == nil {
			err = fmt.Errorf("stack %s of %s still exists", stack, project)
		}
		return fmt.Errorf("removing what is left of %s/%s: %w", project, stack, err)
	}
	var keys []string
	for _, dir := range []string{backupsDir, historyDir} {
		under, err := s.keys(ctx, path.Join(dir, project, stack))
		if err != nil {
			return err
		}
		keys = append(keys, under...)
	}
	base := path.Join(stacksDir, project, stack)
	for _, bak := range []string{base + ".json.bak", base + ".json.gz.bak"} {
		ok, err := s.exists(ctx, bak)
		if err != nil {
			return err
		}
		if ok {
			keys = append(keys, bak)
		}
	}
	for _, key := range keys {
		if err := s.bucket.Delete(ctx, key); err != nil {
			return fmt.Errorf("removing what is left of %s/%s: %w", project, stack, err)
		}
	}
	return nil
}

// Checkpoint returns the latest deployment of a stack; ok is false when the
// stack does not exist or has never been deployed.
func (s *Store) Checkpoint(ctx context.Context, project, stack string) (dep apitype.DeploymentV3, ok bool, err error) {
	base := path.Join(stacksDir, project, stack)
	raw, err := s.readAll(ctx, base+".json")
	if gcerrors.Code(err) == gcerrors.NotFound {
		raw, err = s.readAll(ctx, base+".json.gz")
		if err == nil {
			raw, err = gunzip(raw)
		}
	}
	if gcerrors.Code(err) == gcerrors.NotFound {
		return dep, false, nil
	}
	if err != nil {
		return dep, false, fmt.Errorf("reading the state of %s/%s: %w", project, stack, err)
	}
	var versioned apitype.VersionedCheckpoint
	if err := json.Unmarshal(raw, &versioned); err != nil {
		return dep, false, fmt.Errorf("reading the state of %s/%s: %w", project, stack, err)
	}
	var cp apitype.CheckpointV3
	if err := json.Unmarshal(versioned.Checkpoint, &cp); err != nil {
		return dep, false, fmt.Errorf("reading the state of %s/%s: %w", project, stack, err)
	}
	if cp.Latest == nil {
		return dep, false, nil // created, never deployed (written as version 0)
	}
	if versioned.Version < 3 {
		return dep, false, fmt.Errorf("the state of %s/%s is checkpoint version %d: upgrade it with `pulumi state upgrade`", project, stack, versioned.Version)
	}
	return *cp.Latest, true, nil
}

func gunzip(raw []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// keys lists the objects under a directory, sorted.
func (s *Store) keys(ctx context.Context, dir string) ([]string, error) {
	var out []string
	it := s.bucket.List(&blob.ListOptions{Prefix: dir + "/"})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if !obj.IsDir {
			out = append(out, obj.Key)
		}
	}
	sort.Strings(out)
	return out, nil
}
