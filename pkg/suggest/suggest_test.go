package suggest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTheClosestNameWithinTwoEdits(t *testing.T) {
	known := []string{"dev", "staging", "prod"}
	assert.Equal(t, "prod", Nearest("prd", known))
	assert.Equal(t, "staging", Nearest("Stageing", known), "case aside")
	assert.Equal(t, "", Nearest("production", known), "too far from any")
	assert.Equal(t, 3, Distance("kitten", "sitting"))
	assert.Equal(t, 0, Distance("", ""))
}
