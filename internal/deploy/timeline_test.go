package deploy

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/fixture"
	"github.com/acmepay/platform/pkg/stage"
)

// A run records each of its stages once, in order, and the breakdown adds
// up to the total.
func TestARunRecordsWhereItsTimeWent(t *testing.T) {
	d, _ := newDeployer(newFakeRunner(), fixture.DevAccount)
	d.Timeline = NewTimeline(time.Now().Add(-time.Second), "start")
	_, err := d.Run(context.Background(), stage.Up, "dev")
	require.NoError(t, err)
	var names []string
	var sum time.Duration
	for _, s := range d.Timeline.Stages() {
		names = append(names, s.Name)
		sum += s.Took
	}
	assert.Equal(t, []string{"start", "account and bootstrap checks", "pulumi version and passphrase", "locks", "plans", "drift check", "applies"}, names)
	assert.GreaterOrEqual(t, sum, time.Second, "the first stage runs from the given start")
	assert.Regexp(t, regexp.MustCompile(`^time: start 1\.\ds, account and bootstrap checks \d+\.\ds, .*, applies \d+\.\ds, total \d+\.\ds$`), d.Timeline.String())
}
