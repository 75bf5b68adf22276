package organizations

import "github.com/bulkhead-dev/bulkhead/internal/emulator/service"

// Wire shapes of the Organizations service model. Member names are the
// model's exactly (aws-sdk-go-v2/service/organizations/types/types.go);
// optional members are omitted when empty, as AWS does.

type tagIn struct {
	Key   *string
	Value *string
}

type tagOut struct {
	Key   string
	Value string
}

type policyTypeSummary struct {
	Type   string
	Status string
}

type organizationOut struct {
	Id                   string
	Arn                  string
	FeatureSet           string
	MasterAccountArn     string
	MasterAccountId      string
	MasterAccountEmail   string
	AvailablePolicyTypes []policyTypeSummary
}

type rootOut struct {
	Id          string
	Arn         string
	Name        string
	PolicyTypes []policyTypeSummary
}

type ouOut struct {
	Id   string
	Arn  string
	Name string
	Path string `json:",omitempty"`
}

type accountOut struct {
	Id              string
	Arn             string
	Email           string
	Name            string
	Status          string
	State           string
	JoinedMethod    string
	JoinedTimestamp service.Time
	Paths           []string `json:",omitempty"`
}

type createAccountStatusOut struct {
	Id                 string
	AccountName        string
	State              string
	RequestedTimestamp service.Time
	CompletedTimestamp *service.Time `json:",omitempty"`
	AccountId          string        `json:",omitempty"`
	FailureReason      string        `json:",omitempty"`
}

type childOut struct {
	Id   string
	Type string
}

type parentOut struct {
	Id   string
	Type string
}

type policySummaryOut struct {
	Id          string
	Arn         string
	Name        string
	Description string
	Type        string
	AwsManaged  bool
}

type policyOut struct {
	PolicySummary policySummaryOut
	Content       string
}

type policyTargetOut struct {
	TargetId string
	Arn      string
	Name     string
	Type     string
}

type effectivePolicyOut struct {
	PolicyContent        string
	LastUpdatedTimestamp service.Time
	TargetId             string
	PolicyType           string
}

type enabledServicePrincipalOut struct {
	ServicePrincipal string
	DateEnabled      service.Time
}

type delegatedAdministratorOut struct {
	Id                    string
	Arn                   string
	Email                 string
	Name                  string
	Status                string
	State                 string
	JoinedMethod          string
	JoinedTimestamp       service.Time
	DelegationEnabledDate service.Time
}

type delegatedServiceOut struct {
	ServicePrincipal      string
	DelegationEnabledDate service.Time
}

type resourcePolicyOut struct {
	ResourcePolicySummary struct {
		Id  string
		Arn string
	}
	Content string
}

func policyTypeSummaries(types []string) []policyTypeSummary {
	out := []policyTypeSummary{}
	for _, t := range types {
		out = append(out, policyTypeSummary{Type: t, Status: "ENABLED"})
	}
	return out
}

// listOut is a List response: the items under name and NextToken when
// there is a further page (omitted otherwise, as AWS does).
func listOut(name string, items any, next *string) map[string]any {
	m := map[string]any{name: items}
	if next != nil {
		m["NextToken"] = *next
	}
	return m
}
