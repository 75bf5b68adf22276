package organizations

import "time"

// Quotas are an organization's limits, from "Quotas and service limits for
// AWS Organizations"
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
// A zero field takes the value in DefaultQuotas; PolicyTypes entries
// override the defaults per type.
type Quotas struct {
	// MaxAccounts counts every account in the organization, the
	// management account and accounts still being created included
	// (AWS: 10 by default, adjustable).
	MaxAccounts int
	// MaxOUDepth is how many OU levels may sit under the root (AWS: 5).
	MaxOUDepth int
	// MaxOUs is the number of OUs in the organization (AWS: 2,000).
	MaxOUs int
	// MaxTagsPerResource (AWS: 50).
	MaxTagsPerResource int
	// CloseAccountPercent of the member accounts, but at least
	// CloseAccountMin and at most CloseAccountMax, may be closed in any
	// CloseAccountWindow (AWS: "10% of member accounts, between 10 and
	// 1000, within a rolling 30 day period", API_CloseAccount.html).
	CloseAccountPercent int
	CloseAccountMin     int
	CloseAccountMax     int
	CloseAccountWindow  time.Duration
	// PolicyTypes holds the limits of each policy type, keyed by
	// PolicyType ("SERVICE_CONTROL_POLICY", ...).
	PolicyTypes map[string]PolicyTypeQuota
}

// PolicyTypeQuota are the limits of one policy type.
type PolicyTypeQuota struct {
	// MaxSize is the largest policy document, in characters.
	MaxSize int
	// MaxPerTarget is how many policies of the type may be attached
	// directly to one root, OU or account.
	MaxPerTarget int
	// MaxPolicies is how many policies of the type the organization may
	// hold.
	MaxPolicies int
}

// DefaultQuotas returns AWS's default quotas.
func DefaultQuotas() Quotas {
	return Quotas{
		MaxAccounts:         10,
		MaxOUDepth:          5,
		MaxOUs:              2000,
		MaxTagsPerResource:  50,
		CloseAccountPercent: 10,
		CloseAccountMin:     10,
		CloseAccountMax:     1000,
		CloseAccountWindow:  30 * 24 * time.Hour,
		PolicyTypes: map[string]PolicyTypeQuota{
			"SERVICE_CONTROL_POLICY":           {MaxSize: 5120, MaxPerTarget: 5, MaxPolicies: 10000},
			"RESOURCE_CONTROL_POLICY":          {MaxSize: 5120, MaxPerTarget: 5, MaxPolicies: 1000},
			"TAG_POLICY":                       {MaxSize: 10000, MaxPerTarget: 10, MaxPolicies: 1000},
			"BACKUP_POLICY":                    {MaxSize: 10000, MaxPerTarget: 10, MaxPolicies: 1000},
			"AISERVICES_OPT_OUT_POLICY":        {MaxSize: 2500, MaxPerTarget: 5, MaxPolicies: 1000},
			"CHATBOT_POLICY":                   {MaxSize: 10000, MaxPerTarget: 5, MaxPolicies: 1000},
			"DECLARATIVE_POLICY_EC2":           {MaxSize: 10000, MaxPerTarget: 10, MaxPolicies: 1000},
			"SECURITYHUB_POLICY":               {MaxSize: 10000, MaxPerTarget: 10, MaxPolicies: 1000},
			"INSPECTOR_POLICY":                 {MaxSize: 10000, MaxPerTarget: 10, MaxPolicies: 1000},
			"UPGRADE_ROLLOUT_POLICY":           {MaxSize: 10000, MaxPerTarget: 10, MaxPolicies: 1000},
			"BEDROCK_POLICY":                   {MaxSize: 10000, MaxPerTarget: 10, MaxPolicies: 1000},
			"S3_POLICY":                        {MaxSize: 10000, MaxPerTarget: 10, MaxPolicies: 1000},
			"NETWORK_SECURITY_DIRECTOR_POLICY": {MaxSize: 10000, MaxPerTarget: 10, MaxPolicies: 1000},
			"GUARDDUTY_POLICY":                 {MaxSize: 10000, MaxPerTarget: 10, MaxPolicies: 1000},
		},
	}
}

// withDefaults fills zero fields from DefaultQuotas. It copies the map so
// the caller's Quotas is never aliased.
func (q Quotas) withDefaults() Quotas {
	d := DefaultQuotas()
	if q.MaxAccounts == 0 {
		q.MaxAccounts = d.MaxAccounts
	}
	if q.MaxOUDepth == 0 {
		q.MaxOUDepth = d.MaxOUDepth
	}
	if q.MaxOUs == 0 {
		q.MaxOUs = d.MaxOUs
	}
	if q.MaxTagsPerResource == 0 {
		q.MaxTagsPerResource = d.MaxTagsPerResource
	}
	if q.CloseAccountPercent == 0 {
		q.CloseAccountPercent = d.CloseAccountPercent
	}
	if q.CloseAccountMin == 0 {
		q.CloseAccountMin = d.CloseAccountMin
	}
	if q.CloseAccountMax == 0 {
		q.CloseAccountMax = d.CloseAccountMax
	}
	if q.CloseAccountWindow == 0 {
		q.CloseAccountWindow = d.CloseAccountWindow
	}
	types := d.PolicyTypes
	for k, v := range q.PolicyTypes {
		base := types[k]
		if v.MaxSize != 0 {
			base.MaxSize = v.MaxSize
		}
		if v.MaxPerTarget != 0 {
			base.MaxPerTarget = v.MaxPerTarget
		}
		if v.MaxPolicies != 0 {
			base.MaxPolicies = v.MaxPolicies
		}
		types[k] = base
	}
	q.PolicyTypes = types
	return q
}
