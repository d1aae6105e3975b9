package magetargets

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTheMagefilesTargetsAreRead(t *testing.T) {
	targets, err := Read("../../magefile.go")
	require.NoError(t, err)
	for _, want := range []string{"deploy:env", "bootstrap:destroyState", "standin:start", "parity", "drift:report", "manifest:caller"} {
		assert.Contains(t, targets, want)
	}
	for _, helper := range []string{"run", "onEnv", "onAccount"} {
		assert.NotContains(t, targets, helper, "an unexported helper is no target")
	}
}

func TestAMistypedTargetIsRefusedWithTheClosest(t *testing.T) {
	targets := []string{"deploy:env", "destroy:env", "drift:env", "parity"}
	err := Check([]string{"deploy:evn", "dev"}, targets)
	require.Error(t, err)
	assert.Equal(t, `unknown target "deploy:evn": did you mean deploy:env? (go run mage.go -l lists every target, with its arguments)`, err.Error())
	err = Check([]string{"-v", "launch", "dev"}, targets)
	assert.EqualError(t, err, `unknown target "launch" (go run mage.go -l lists every target, with its arguments)`)
	assert.NoError(t, Check([]string{"-v", "deploy:env", "dev"}, targets))
	assert.NoError(t, Check([]string{"Deploy:Env", "dev"}, targets), "mage ignores case")
	assert.NoError(t, Check([]string{"-t", "5m", "parity"}, targets), "a flag's value is no target")
	assert.NoError(t, Check([]string{"-l"}, targets))
	assert.NoError(t, Check(nil, targets))
}
