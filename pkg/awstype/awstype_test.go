package awstype

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acmepay/platform/pkg/iampolicy"
	"github.com/acmepay/platform/pkg/profile"
)

// A token is the provider's: "aws:<module>/<resource>:<Resource>", the
// resource's name in lower camel case before its kind.
func TestEveryTokenIsWellFormed(t *testing.T) {
	form := regexp.MustCompile(`^aws:([a-z0-9]+)/([a-z][A-Za-z0-9]*):([A-Z][A-Za-z0-9]*)$`)
	all := All()
	require.NotEmpty(t, all)
	for _, ty := range all {
		m := form.FindStringSubmatch(ty.Token)
		if !assert.NotNil(t, m, "%q is not a resource token", ty.Token) {
			continue
		}
		assert.Equal(t, strings.ToLower(m[3][:1])+m[3][1:], m[2], "%s: the resource's name is its kind in lower camel case", ty.Token)
		assert.Equal(t, m[1], ty.Module(), ty.Token)
		assert.Equal(t, m[3], ty.Kind(), ty.Token)
	}
}

// The four types whose replacement or deletion destroys payments data, and
// no other: the data-loss guard refuses a plan that touches one.
func TestExactlyTheStoresOfDataHoldData(t *testing.T) {
	var holders []string
	for _, ty := range All() {
		if ty.Holds != "" {
			holders = append(holders, ty.Token)
		}
	}
	assert.Equal(t, []string{
		"aws:cloudwatch/logGroup:LogGroup", "aws:dynamodb/table:Table", "aws:kms/key:Key", "aws:s3/bucketV2:BucketV2",
	}, holders)
}

// The ARNs an entry builds are the forms AWS documents for the type
// (Service Authorization Reference, "Resource types defined by ...").
func TestARNsHaveAWSsForms(t *testing.T) {
	s := iampolicy.Scope{Region: "eu-west-1", Account: "111122223333"}
	input := func(key string) string {
		if key == "path" {
			return "/payments-workload/"
		}
		return ""
	}
	want := map[string]string{
		Table:       "arn:aws:dynamodb:eu-west-1:111122223333:table/n",
		Key:         "arn:aws:kms:eu-west-1:111122223333:key/id-1",
		Alias:       "arn:aws:kms:eu-west-1:111122223333:alias/n",
		Bucket:      "arn:aws:s3:::n",
		Function:    "arn:aws:lambda:eu-west-1:111122223333:function:n",
		Role:        "arn:aws:iam::111122223333:role/payments-workload/n",
		Policy:      "arn:aws:iam::111122223333:policy/n",
		LogGroup:    "arn:aws:logs:eu-west-1:111122223333:log-group:n",
		MetricAlarm: "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:n",
		Dashboard:   "arn:aws:cloudwatch::111122223333:dashboard/n",
		Topic:       "arn:aws:sns:eu-west-1:111122223333:n",
	}
	got := map[string]string{}
	for _, ty := range All() {
		if ty.ARN != nil {
			name := "n"
			if ty.Token == Alias {
				name = "alias/n"
			}
			got[ty.Token] = ty.ARN(s, Named{ID: "id-1", Name: name, Input: input})
		}
	}
	assert.Equal(t, want, got)
}

// A setting behind a property is one the environment table has.
func TestSettingsAreTheEnvironmentTablesKeys(t *testing.T) {
	n := 0
	for _, ty := range All() {
		for _, s := range ty.Settings {
			_, ok := profile.LookupSetting(s.Key)
			assert.True(t, ok, "%s: %q is no setting", ty.Token, s.Key)
			n++
		}
	}
	assert.Equal(t, 16, n, "the settings adoption can turn a hand change back into")
}

// An entry the recovery finder can use reads the provider's ID from the
// ARN the tagging API answers with.
func TestFindersReadTheProvidersID(t *testing.T) {
	for arn, want := range map[string]struct {
		form IDForm
		id   string
	}{
		"arn:aws:ec2:us-east-1:1:vpc/vpc-0a":                  {AfterSlash, "vpc-0a"},
		"arn:aws:logs:us-east-1:1:log-group:/aws/lambda/fn:*": {AfterColon, "/aws/lambda/fn"},
		"arn:aws:s3:::bucket-a":                               {AfterColon, "bucket-a"},
		"arn:aws:sns:us-east-1:1:alarms":                      {WholeARN, "arn:aws:sns:us-east-1:1:alarms"},
	} {
		assert.Equal(t, want.id, want.form.FromARN(arn), arn)
	}
	for _, ty := range All() {
		if ty.Find == nil {
			assert.True(t, ty.Untaggable || ty.Unfindable != "", "%s: no finder, and its entry does not say why", ty.Token)
			continue
		}
		assert.Empty(t, ty.Unfindable, "%s: a finder, and a reason it has none", ty.Token)
		assert.False(t, ty.Untaggable, "%s: the finder looks by the Name tag, and the type takes none", ty.Token)
		assert.Equal(t, ty.Find.ByName == DescribeTags, ty.Find.EC2Type != "", "%s: EC2's DescribeTags needs EC2's resource type", ty.Token)
		if ty.Module() == "ec2" {
			assert.Equal(t, "ec2:"+ty.Find.EC2Type, ty.Find.TagFilter, ty.Token)
		}
	}
}

func TestNamesComeFromTheNameInputOrTheNameTag(t *testing.T) {
	assert.Equal(t, "b", Physical(Bucket, map[string]any{"bucket": "b", "tags": map[string]any{"Name": "x"}}))
	assert.Empty(t, Physical(Bucket, map[string]any{"tags": map[string]any{"Name": "x"}}), "a bucket is named by its bucket input alone")
	assert.Empty(t, Physical(BucketPolicy, map[string]any{"bucket": "b"}), "a bucket's setting is not named by the bucket it configures")
	assert.Equal(t, "d", Physical(Dashboard, map[string]any{"dashboardName": "d"}))
	assert.Equal(t, "vpc-dev", Physical(Vpc, map[string]any{"tags": map[string]any{"Name": "vpc-dev"}}))
	assert.Equal(t, "f", Physical(Function, map[string]any{"name": "f"}))
}

// The layers' reads are what the read-only role is granted, so each is a
// read of configuration: a Describe, Get or List, and none of the calls
// that return payment data, logs, secrets or plaintext.
func TestTheLayersReadsAreConfigurationOnly(t *testing.T) {
	reads := LayerReads()
	require.Contains(t, reads, "dynamodb:GetResourcePolicy", "prod's table resource policy, read on every refresh")
	require.Contains(t, reads, "ec2:DescribeAvailabilityZones", "a data source's read")
	data := regexp.MustCompile(`^(s3:GetObject.*|dynamodb:(GetItem|BatchGetItem|Query|Scan|GetRecords|ExportTableToPointInTime)|logs:(GetLogEvents|FilterLogEvents|StartQuery|GetQueryResults)|` +
		`kms:(Decrypt|GenerateDataKey.*)|secretsmanager:GetSecretValue|ssm:GetParameters?(ByPath)?|lambda:InvokeFunction)$`)
	for _, action := range reads {
		assert.Regexp(t, `^[a-z0-9-]+:(Describe|Get|List)`, action)
		assert.NotRegexp(t, data, action, "a read of data, which the read-only role must never be granted")
	}
	assert.NotContains(t, reads, "iam:GetPolicyVersion", "no layer creates a managed policy (its entry is outside the layers): no read of one is granted")
}

// The quotas the types count against are AWS's: Service Quotas' codes and
// a new account's defaults as AWS documents them, a function taking its
// reservation, and AWS's errors.
func TestQuotasAreAWSs(t *testing.T) {
	type quota struct {
		service, code string
		def           int
		perZone       bool
	}
	want := map[string]quota{
		Function:   {"lambda", "L-B99A9384", 1000, false},
		Eip:        {"ec2", "L-0263D0A3", 5, false},
		Vpc:        {"vpc", "L-F678F1CE", 5, false},
		NatGateway: {"vpc", "L-FE5A380F", 5, true},
	}
	got := map[string]quota{}
	for tok, q := range Quotas() {
		got[tok] = quota{q.Service, q.Code, q.Default, q.PerZone}
		assert.NotEmpty(t, q.Name, tok)
	}
	assert.Equal(t, want, got)

	fn, _ := QuotaOf(Function)
	reserving := func(v string) Named { return Named{Input: func(string) string { return v }} }
	assert.Equal(t, 5, fn.Taken(reserving("5")))
	assert.Equal(t, 0, fn.Taken(reserving("")), "a function without a reservation takes none")
	assert.Equal(t, "InvalidParameterValueException: Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100]", fn.ExceededIn(""))
	nat, _ := QuotaOf(NatGateway)
	assert.Equal(t, 1, nat.Taken(reserving("")))
	assert.Equal(t, "NatGatewayLimitExceeded: The maximum number of NAT gateways in us-east-1a has been reached", nat.ExceededIn("us-east-1a"))
	_, ok := QuotaOf(Subnet)
	assert.False(t, ok)
}

// What AWS computes beyond the ID and ARN has AWS's documented forms.
func TestComputedOutputsHaveAWSsForms(t *testing.T) {
	s := iampolicy.Scope{Region: "eu-west-1", Account: "111122223333"}
	fnARN := "arn:aws:lambda:eu-west-1:111122223333:function:f"
	want := map[string]map[string]string{
		Function: {
			"invokeArn":    "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/" + fnARN + "/invocations",
			"qualifiedArn": fnARN + ":$LATEST",
		},
		Bucket: {"bucketDomainName": "b.s3.amazonaws.com"},
		Key:    {"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab"},
	}
	named := map[string]Named{
		Function: {Name: "f"}, Bucket: {Name: "b"}, Key: {ID: "1234abcd-12ab-34cd-56ef-1234567890ab"},
	}
	for tok, w := range want {
		ty, ok := Of(tok)
		require.True(t, ok)
		require.NotNil(t, ty.Computed, tok)
		arn := ""
		if tok == Function {
			arn = fnARN
		}
		assert.Equal(t, w, ty.Computed(s, named[tok], arn), tok)
	}
	endpoint, _ := Of(VpcEndpoint)
	byService := func(svc string) string {
		return endpoint.Computed(s, Named{Input: func(string) string { return svc }}, "")["prefixListId"]
	}
	assert.Regexp(t, `^pl-[0-9a-f]{8}$`, byService("com.amazonaws.eu-west-1.s3"))
	assert.NotEqual(t, byService("com.amazonaws.eu-west-1.s3"), byService("com.amazonaws.eu-west-1.dynamodb"), "one prefix list per service")
	var arnIDs []string
	for _, ty := range All() {
		if ty.IDIsARN {
			arnIDs = append(arnIDs, ty.Token)
		}
	}
	assert.Equal(t, []string{Topic}, arnIDs, "an SNS topic's ID is its ARN")
}
