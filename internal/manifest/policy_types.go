package manifest

// PolicyReport is the result of the compliance rules on the environment.
type PolicyReport struct {
	Summary PolicySummary  `json:"summary"`
	Results []PolicyResult `json:"results"`
}

// PolicySummary counts results by outcome.
type PolicySummary struct {
	Passed int `json:"passed"`
	Waived int `json:"waived"`
	Failed int `json:"failed"`
}

// PolicyResult is one rule on one resource.
type PolicyResult struct {
	Rule     string `json:"rule"`
	Resource string `json:"resource"`
	Outcome  string `json:"outcome"`
	Message  string `json:"message,omitempty"`
	Waiver   string `json:"waiver,omitempty"`
}
