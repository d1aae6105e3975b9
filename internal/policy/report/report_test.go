package report

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReportCountsAndNamesViolations(t *testing.T) {
	var r Report
	require.NoError(t, r.Violations(), "an empty report has no violation")
	r.Add(Result{Rule: "A", Resource: "urn:1", Outcome: Pass})
	r.Add(Result{Rule: "B", Resource: "urn:2", Outcome: Waived, Waiver: "approved"})
	r.Add(Result{Rule: "C", Resource: "urn:3", Outcome: Fail, Message: "too open; fix: close it"})
	assert.Equal(t, Summary{Passed: 1, Waived: 1, Failed: 1}, r.Summary)
	assert.EqualError(t, r.Violations(), "1 policy violation(s):\n  C on urn:3: too open; fix: close it")

	var out strings.Builder
	r.WriteText(&out, "dev")
	assert.Equal(t, "policy dev: 1 passed, 1 waived, 1 failed\n"+
		"  waived  B                            urn:2\n          reason: approved\n"+
		"  FAILED  C                            urn:3\n          too open; fix: close it\n", out.String())
}
