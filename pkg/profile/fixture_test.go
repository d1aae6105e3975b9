package profile

// fixture is the identity of the environments as environments.yaml states
// it, for this package's own tests (pkg/fixture gives it to every other
// test; it imports this package, so these cannot import it). A fork changes
// it and the tests stay green.
var fixture = func() (f struct {
	DevAccount, StagingAccount, ProdAccount, ToolingAccount string
	DevSuffix, StagingSuffix, ProdSuffix                    string
	StateBucket, OrgID                                      string
}) {
	p := map[Environment]Profile{}
	for _, env := range Environments() {
		var err error
		if p[env], err = Planned(env); err != nil {
			panic(err)
		}
	}
	pipe, err := PlannedPipeline()
	if err != nil {
		panic(err)
	}
	f.DevAccount, f.StagingAccount, f.ProdAccount = p[Dev].AccountID, p[Staging].AccountID, p[Prod].AccountID
	f.DevSuffix, f.StagingSuffix, f.ProdSuffix = p[Dev].Suffix, p[Staging].Suffix, p[Prod].Suffix
	f.ToolingAccount, f.StateBucket, f.OrgID = pipe.ToolingAccountID, pipe.StateBucket, pipe.OrganizationID
	return f
}()
