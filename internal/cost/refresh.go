package cost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pricing"
	pricingtypes "github.com/aws/aws-sdk-go-v2/service/pricing/types"
)

// Committed reads the cost report of env as committed at a git revision
// (the pull request's base), or an empty report when it has none.
func Committed(root, rev, env string) (Report, error) {
	cmd := exec.Command("git", "show", rev+":"+filepath.ToSlash(filepath.Join(Dir, env+".json")))
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) && strings.Contains(string(exit.Stderr), "does not exist") {
			return Report{Environment: env}, nil
		}
		return Report{}, fmt.Errorf("git show %s:%s/%s.json: %w", rev, Dir, env, err)
	}
	return Read(out)
}

// PricingAPI is the part of the AWS Price List Query API the refresh calls.
type PricingAPI interface {
	GetProducts(ctx context.Context, in *pricing.GetProductsInput, opts ...func(*pricing.Options)) (*pricing.GetProductsOutput, error)
}

// query finds one price in the Price List: a service and a usage type (the
// us-east-1 usage types carry no region prefix), and how many of the price
// list's units make one of the table's.
type query struct {
	service, usageType string
	per                float64
}

// queries are the prices the refresh knows how to find. The others stay as
// the table has them, and the refresh says so.
var queries = map[string]query{
	"nat-gateway-hour":            {"AmazonEC2", "NatGateway-Hours", 1},
	"nat-gateway-gb":              {"AmazonEC2", "NatGateway-Bytes", 1},
	"lambda-arm64-gb-second":      {"AWSLambda", "Lambda-GB-Second-ARM", 1},
	"lambda-x86-gb-second":        {"AWSLambda", "Lambda-GB-Second", 1},
	"lambda-request":              {"AWSLambda", "Request-ARM", 1},
	"dynamodb-rcu-hour":           {"AmazonDynamoDB", "ReadCapacityUnit-Hrs", 1},
	"dynamodb-wcu-hour":           {"AmazonDynamoDB", "WriteCapacityUnit-Hrs", 1},
	"dynamodb-read-request-unit":  {"AmazonDynamoDB", "ReadRequestUnits", 1},
	"dynamodb-write-request-unit": {"AmazonDynamoDB", "WriteRequestUnits", 1},
	"kms-key-month":               {"awskms", "KMS-Keys", 1},
	"kms-request":                 {"awskms", "KMS-Requests", 1},
}

// Change is a price the Price List has moved.
type Change struct {
	ID       string  `json:"id"`
	Old, New float64 `json:"-"`
}

// Refresh asks the Price List for every price it knows how to find, updates
// them in p (with today's date as taken), and returns what changed and the
// ids it could not refresh.
func Refresh(ctx context.Context, api PricingAPI, p *Prices, today string) (changes []Change, skipped []string, err error) {
	if p.Region != "us-east-1" {
		// Other regions' usage types carry a prefix (USW2-NatGateway-Hours)
		// the queries do not add.
		return nil, nil, fmt.Errorf("%s: region %q: the refresh knows us-east-1's usage types only; update this table's prices by hand, each with its source and date", PricesFile, p.Region)
	}
	for i, e := range p.Prices {
		q, ok := queries[e.ID]
		if !ok {
			skipped = append(skipped, e.ID)
			continue
		}
		out, err := api.GetProducts(ctx, &pricing.GetProductsInput{
			ServiceCode: aws.String(q.service),
			Filters: []pricingtypes.Filter{
				{Type: pricingtypes.FilterTypeTermMatch, Field: aws.String("usagetype"), Value: aws.String(q.usageType)},
				{Type: pricingtypes.FilterTypeTermMatch, Field: aws.String("regionCode"), Value: aws.String(p.Region)},
			},
			MaxResults: aws.Int32(10),
		})
		if err != nil {
			return nil, nil, fmt.Errorf("price list %s %s: %w", q.service, q.usageType, err)
		}
		usd, err := firstTierUSD(out.PriceList)
		if err != nil {
			return nil, nil, fmt.Errorf("price list %s %s: %w", q.service, q.usageType, err)
		}
		usd /= q.per
		if usd != e.USD {
			changes = append(changes, Change{ID: e.ID, Old: e.USD, New: usd})
			p.Prices[i].USD = usd
		}
		p.Prices[i].Taken = today
		p.Prices[i].Source = fmt.Sprintf("AWS Price List Query API (%s, usagetype %s)", q.service, q.usageType)
	}
	return changes, skipped, nil
}

// firstTierUSD reads the on-demand price of the first (lowest) tier of the
// first product of a GetProducts answer.
func firstTierUSD(list []string) (float64, error) {
	if len(list) == 0 {
		return 0, fmt.Errorf("no product")
	}
	var product struct {
		Terms struct {
			OnDemand map[string]struct {
				PriceDimensions map[string]struct {
					BeginRange   string            `json:"beginRange"`
					PricePerUnit map[string]string `json:"pricePerUnit"`
				} `json:"priceDimensions"`
			} `json:"OnDemand"`
		} `json:"terms"`
	}
	if err := json.Unmarshal([]byte(list[0]), &product); err != nil {
		return 0, err
	}
	for _, term := range product.Terms.OnDemand {
		for _, d := range term.PriceDimensions {
			if d.BeginRange == "0" || d.BeginRange == "" {
				return strconv.ParseFloat(d.PricePerUnit["USD"], 64)
			}
		}
	}
	return 0, fmt.Errorf("no on-demand first tier")
}
