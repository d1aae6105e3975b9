package payment

import (
	"fmt"
	"strings"
)

// Environment variables the compute layer sets on the function.
const (
	EnvTableName   = "TABLE_NAME"
	EnvAuditBucket = "AUDIT_BUCKET"
	EnvAuditPrefix = "AUDIT_PREFIX"
	EnvEnvironment = "ENVIRONMENT"
)

// Config is the function's configuration.
type Config struct {
	TableName, AuditBucket, AuditPrefix, Environment string
}

// ConfigFromEnv reads the configuration, naming every missing variable.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		TableName:   getenv(EnvTableName),
		AuditBucket: getenv(EnvAuditBucket),
		AuditPrefix: getenv(EnvAuditPrefix),
		Environment: getenv(EnvEnvironment),
	}
	var missing []string
	for _, v := range []struct{ name, value string }{
		{EnvTableName, c.TableName}, {EnvAuditBucket, c.AuditBucket}, {EnvAuditPrefix, c.AuditPrefix}, {EnvEnvironment, c.Environment},
	} {
		if v.value == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 {
		return Config{}, fmt.Errorf("missing environment variables: %s", strings.Join(missing, ", "))
	}
	return c, nil
}
