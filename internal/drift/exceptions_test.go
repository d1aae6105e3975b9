package drift

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const fn = "aws:lambda/function:Function"

func exceptionsRoot(t *testing.T, body string) string {
	t.Helper()
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "compliance"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, ExceptionsFile), []byte(body), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "manifests", "planned"), 0o755))
	raw, err := os.ReadFile(filepath.Join("..", "..", "manifests", "planned", "prod.json"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(root, "manifests", "planned", "prod.json"), raw, 0o644))
	return root
}

var today = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func entry(typ, name, property, expires string) string {
	return "exceptions:\n  - environment: prod\n    type: " + typ + "\n    name: " + name + "\n    property: " + property +
		"\n    reason: load test until Friday\n    approvedBy: jane.doe\n    expires: \"" + expires + "\"\n"
}

func TestTheRepositorysExceptionsFileLoads(t *testing.T) {
	_, err := LoadExceptions(filepath.Join("..", ".."), time.Now())
	require.NoError(t, err)
}

func TestExceptedDriftIsReportedNotFailed(t *testing.T) {
	x, err := LoadExceptions(exceptionsRoot(t, entry(fn, "payment-processor", "memorySize", "2026-11-27")), today)
	require.NoError(t, err, "an exception is valid through its expiry date")
	r := Report{Environment: "prod", Drifted: []Resource{{Layer: "compute", Type: fn, Name: "payment-processor", Kind: Modified,
		Properties: []Property{{Path: "memorySize", Recorded: 2048.0, Live: 3008.0}, {Path: "timeout", Recorded: 10.0, Live: 15.0}}}}}
	r.Except(x)
	require.True(t, r.Any(), "the timeout is not excepted")
	assert.Equal(t, "timeout", r.Drifted[0].Properties[0].Path)
	require.Len(t, r.Excepted, 1)
	var out bytes.Buffer
	r.WriteText(&out)
	assert.Contains(t, out.String(), "excepted: compute payment-processor aws:lambda/function:Function memorySize: 2048 -> 3008 (until 2026-11-27: load test until Friday; approved by jane.doe)")

	r.Drifted = nil
	assert.False(t, r.Any(), "only excepted drift: the check passes")
}

func TestBadExceptionsAreRefused(t *testing.T) {
	for body, want := range map[string]string{
		entry(fn, "payment-processor", "memorySize", "2026-11-26"):                                                                         "expired on 2026-11-26",
		entry(fn, "refund-processor", "memorySize", "2026-12-31"):                                                                          "the prod code has no aws:lambda/function:Function refund-processor",
		entry(fn, "payment-processor", "memorySizeMb", "2026-12-31"):                                                                       `has no property "memorySizeMb"`,
		entry(fn, "payment-processor", "memorySize", "31/12/2026"):                                                                         `expires "31/12/2026": want a date`,
		"exceptions:\n  - {environment: qa, type: x, name: y, property: z}\n":                                                              `unknown environment "qa"`,
		"exceptions:\n  - {environment: prod, type: " + fn + ", name: payment-processor, property: memorySize, expires: \"2026-12-31\"}\n": "reason and approvedBy are all required",
	} {
		_, err := LoadExceptions(exceptionsRoot(t, body), today)
		require.Error(t, err, body)
		assert.Contains(t, err.Error(), want)
	}
}
