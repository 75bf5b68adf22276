package iam

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// Managed policies and their versions:
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html.

const (
	maxPolicyName = 128
	// managedPolicyQuota is the size quota of a managed policy document
	// ("Managed policy length", 6,144 characters without white space).
	managedPolicyQuota = 6144
	// maxVersions is the number of versions a managed policy keeps.
	maxVersions = 5
)

func attachKey(acct, arn, kind, id string) string { return acct + " " + arn + " " + kind + " " + id }

func attachPrefix(acct, arn string) string { return acct + " " + arn + " " }

// lookupPolicy finds the managed policy an ARN names, as seen from acct:
// an AWS managed policy (arn:aws:iam::aws:policy/...) or one of acct's own.
func lookupPolicy(tx store.Tx, acct, arn string) (*policyRec, error) {
	notFound := noSuchEntity("Policy %s does not exist or is not attachable.", arn)
	a, ok := ParseARN(arn)
	if !ok || a.Service != "iam" || a.Type != "policy" {
		return nil, invalidInput("ARN %s is not valid.", arn)
	}
	if a.Account == "aws" {
		p := awsManagedPolicy(arn)
		if p == nil {
			return nil, notFound
		}
		return p, nil
	}
	if a.Account != acct {
		return nil, notFound
	}
	var p policyRec
	found, err := tx.Get(tablePolicy, nameKey(acct, a.Name), &p)
	if err != nil {
		return nil, internal("get policy", err)
	}
	if !found || p.ARN != arn {
		return nil, notFound
	}
	return &p, nil
}

func (p *policyRec) out(tx store.Tx, acct string, withTags bool) (policyOut, error) {
	n, err := tx.Count(tableAttach, attachPrefix(acct, p.ARN))
	if err != nil {
		return policyOut{}, internal("count attachments", err)
	}
	b, err := tx.Count(tableBoundary, attachPrefix(acct, p.ARN))
	if err != nil {
		return policyOut{}, internal("count boundaries", err)
	}
	o := policyOut{PolicyName: p.Name, PolicyId: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionId: p.DefaultVersion,
		AttachmentCount: n, PermissionsBoundaryUsageCount: b, IsAttachable: true, Description: p.Description,
		CreateDate: service.Time(p.Created), UpdateDate: service.Time(p.Updated)}
	if withTags {
		o.Tags = p.Tags
	}
	return o, nil
}

func checkManagedDocument(doc string) error {
	if doc == "" {
		return missing("PolicyDocument")
	}
	if err := checkPolicy(doc, identityDoc, nil); err != nil {
		return err
	}
	if policySize(doc) > managedPolicyQuota {
		return limitExceeded("Cannot exceed quota for PolicySize: %d", managedPolicyQuota)
	}
	return nil
}

// awsPolicyDenied is what AWS answers to changes of AWS managed policies:
// no one holds permissions on resources of the "aws" account.
func awsPolicyDenied(r *service.Request, arn string) error {
	return service.Errorf(http.StatusForbidden, "AccessDenied", "User: %s is not authorized to perform: %s:%s on resource: policy %s",
		r.Caller.ARN, r.Service, r.Action, arn)
}

type policyOutput struct {
	Policy policyOut `xml:"Policy"`
}

func (s *Service) createPolicy(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		PolicyName     string
		Path           string
		PolicyDocument string
		Description    string
		Tags           []Tag
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	path, err := checkNew("PolicyName", in.PolicyName, maxPolicyName, in.Path)
	if err != nil {
		return nil, err
	}
	if err := checkDescription(in.Description); err != nil {
		return nil, err
	}
	acct, tx := r.Caller.Account, r.Tx
	arn := policyARN(acct, path, in.PolicyName)
	if err := authorizeNew(ctx, r, arn, in.Tags, ""); err != nil {
		return nil, err
	}
	if err := checkManagedDocument(in.PolicyDocument); err != nil {
		return nil, err
	}
	if err := s.checkQuota(tx, tablePolicy, acct, quotaPolicies, "Policies"); err != nil {
		return nil, err
	}
	id, err := s.uniqueID(prefixPolicy)
	if err != nil {
		return nil, err
	}
	p := &policyRec{Name: in.PolicyName, Path: path, ID: id, ARN: arn, Description: in.Description,
		Created: r.Now, Updated: r.Now, DefaultVersion: "v1", NextVersion: 2, Tags: in.Tags,
		Versions: []versionRec{{ID: "v1", Document: in.PolicyDocument, Created: r.Now}}}
	if err := insert(tx, tablePolicy, nameKey(acct, p.Name), p,
		alreadyExists("A policy called %s already exists. Duplicate names are not allowed.", p.Name)); err != nil {
		return nil, err
	}
	o, err := p.out(tx, acct, true)
	if err != nil {
		return nil, err
	}
	return policyOutput{Policy: o}, nil
}

// policyFromInput decodes an input with a PolicyArn, loads the policy and
// authorizes the request on it.
func (s *Service) policyFromInput(ctx context.Context, r *service.Request, in any, arn func() string) (*policyRec, error) {
	if err := r.Decode(in); err != nil {
		return nil, err
	}
	if arn() == "" {
		return nil, missing("PolicyArn")
	}
	if err := r.Authorize(ctx, service.Authz{Resource: arn()}); err != nil {
		return nil, err
	}
	return lookupPolicy(r.Tx, r.Caller.Account, arn())
}

func (s *Service) getPolicy(ctx context.Context, r *service.Request) (any, error) {
	var in struct{ PolicyArn string }
	p, err := s.policyFromInput(ctx, r, &in, func() string { return in.PolicyArn })
	if err != nil {
		return nil, err
	}
	o, err := p.out(r.Tx, r.Caller.Account, true)
	if err != nil {
		return nil, err
	}
	return policyOutput{Policy: o}, nil
}

func (s *Service) deletePolicy(ctx context.Context, r *service.Request) (any, error) {
	var in struct{ PolicyArn string }
	p, err := s.policyFromInput(ctx, r, &in, func() string { return in.PolicyArn })
	if err != nil {
		return nil, err
	}
	if p.AWS {
		return nil, awsPolicyDenied(r, p.ARN)
	}
	acct, tx := r.Caller.Account, r.Tx
	o, err := p.out(tx, acct, false)
	if err != nil {
		return nil, err
	}
	if o.AttachmentCount > 0 || o.PermissionsBoundaryUsageCount > 0 {
		return nil, deleteConflict("Cannot delete a policy attached to entities.")
	}
	if len(p.Versions) > 1 {
		return nil, deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	}
	if _, err := tx.Delete(tablePolicy, nameKey(acct, p.Name)); err != nil {
		return nil, internal("delete policy", err)
	}
	return nil, nil
}

func (s *Service) listPolicies(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		Scope             string
		OnlyAttached      bool
		PathPrefix        string
		PolicyUsageFilter string
		Marker            string
		MaxItems          int
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if err := checkEnum("scope", in.Scope, "All", "AWS", "Local"); err != nil {
		return nil, err
	}
	if in.Scope == "" {
		in.Scope = "All"
	}
	if err := checkEnum("policyUsageFilter", in.PolicyUsageFilter, policyUsageTypes...); err != nil {
		return nil, err
	}
	prefix, p, err := parsePathPage(in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	acct, tx := r.Caller.Account, r.Tx
	if err := r.Authorize(ctx, service.Authz{Resource: policyARN(acct, "/", "*")}); err != nil {
		return nil, err
	}
	var items []sliceKeyed[policyOut]
	add := func(pol *policyRec, key string) error {
		if !hasPathPrefix(pol.Path, prefix) {
			return nil
		}
		o, err := pol.out(tx, acct, false)
		if err != nil {
			return err
		}
		// OnlyAttached keeps policies in use; PolicyUsageFilter keeps
		// those in use in one way (as permissions or as a boundary).
		switch in.PolicyUsageFilter {
		case "PermissionsPolicy":
			if o.AttachmentCount == 0 {
				return nil
			}
		case "PermissionsBoundary":
			if o.PermissionsBoundaryUsageCount == 0 {
				return nil
			}
		}
		if in.OnlyAttached && o.AttachmentCount == 0 && o.PermissionsBoundaryUsageCount == 0 {
			return nil
		}
		items = append(items, sliceKeyed[policyOut]{key: key, item: o})
		return nil
	}
	if in.Scope != "Local" {
		for _, pol := range awsManagedPolicies() {
			if err := add(pol, "a/"+strings.ToLower(pol.Name)); err != nil {
				return nil, err
			}
		}
	}
	if in.Scope != "AWS" {
		err := scanRecs(tx, tablePolicy, acct+"/", func(key string, pol *policyRec) (bool, error) {
			return true, add(pol, "l/"+key)
		})
		if err != nil {
			return nil, internal("list policies", err)
		}
	}
	out, info := pageSlice(items, p)
	return struct {
		Policies []policyOut `xml:"Policies>member"`
		pageInfo
	}{out, info}, nil
}

func (s *Service) createPolicyVersion(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		PolicyArn      string
		PolicyDocument string
		SetAsDefault   bool
	}
	p, err := s.policyFromInput(ctx, r, &in, func() string { return in.PolicyArn })
	if err != nil {
		return nil, err
	}
	if p.AWS {
		return nil, awsPolicyDenied(r, p.ARN)
	}
	if err := checkManagedDocument(in.PolicyDocument); err != nil {
		return nil, err
	}
	if len(p.Versions) >= maxVersions {
		return nil, limitExceeded("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxVersions)
	}
	v := versionRec{ID: "v" + strconv.Itoa(p.NextVersion), Document: in.PolicyDocument, Created: r.Now}
	p.NextVersion++
	p.Versions = append(p.Versions, v)
	if in.SetAsDefault {
		p.DefaultVersion = v.ID
	}
	p.Updated = r.Now
	if err := putPolicy(r.Tx, r.Caller.Account, p); err != nil {
		return nil, err
	}
	return struct {
		PolicyVersion policyVersionOut `xml:"PolicyVersion"`
	}{v.out(p, false)}, nil
}

func (s *Service) policyVersion(ctx context.Context, r *service.Request) (*policyRec, *versionRec, error) {
	var in struct {
		PolicyArn string
		VersionId string
	}
	p, err := s.policyFromInput(ctx, r, &in, func() string { return in.PolicyArn })
	if err != nil {
		return nil, nil, err
	}
	if in.VersionId == "" {
		return nil, nil, missing("VersionId")
	}
	v := p.version(in.VersionId)
	if v == nil {
		return nil, nil, noSuchEntity("Policy %s version %s does not exist or is not attachable.", p.ARN, in.VersionId)
	}
	return p, v, nil
}

func (s *Service) getPolicyVersion(ctx context.Context, r *service.Request) (any, error) {
	p, v, err := s.policyVersion(ctx, r)
	if err != nil {
		return nil, err
	}
	return struct {
		PolicyVersion policyVersionOut `xml:"PolicyVersion"`
	}{v.out(p, true)}, nil
}

func (s *Service) deletePolicyVersion(ctx context.Context, r *service.Request) (any, error) {
	p, v, err := s.policyVersion(ctx, r)
	if err != nil {
		return nil, err
	}
	if p.AWS {
		return nil, awsPolicyDenied(r, p.ARN)
	}
	if v.ID == p.DefaultVersion {
		return nil, deleteConflict("Cannot delete the default version of a policy.")
	}
	id := v.ID
	var keep []versionRec
	for _, e := range p.Versions {
		if e.ID != id {
			keep = append(keep, e)
		}
	}
	p.Versions = keep
	return nil, putPolicy(r.Tx, r.Caller.Account, p)
}

func (s *Service) setDefaultPolicyVersion(ctx context.Context, r *service.Request) (any, error) {
	p, v, err := s.policyVersion(ctx, r)
	if err != nil {
		return nil, err
	}
	if p.AWS {
		return nil, awsPolicyDenied(r, p.ARN)
	}
	p.DefaultVersion = v.ID
	p.Updated = r.Now
	return nil, putPolicy(r.Tx, r.Caller.Account, p)
}

func (s *Service) listPolicyVersions(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		PolicyArn string
		Marker    string
		MaxItems  int
	}
	p, err := s.policyFromInput(ctx, r, &in, func() string { return in.PolicyArn })
	if err != nil {
		return nil, err
	}
	pg, err := parsePage(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	// Newest first, as AWS lists them.
	var versions []policyVersionOut
	for i := len(p.Versions) - 1; i >= 0; i-- {
		versions = append(versions, p.Versions[i].out(p, false))
	}
	out, info := pageOrdered(versions, pg)
	return struct {
		Versions []policyVersionOut `xml:"Versions>member"`
		pageInfo
	}{out, info}, nil
}
