package iam

import (
	"context"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// Instance profiles: containers passing one role to EC2 instances
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2_instance-profiles.html).
// The local AWS has no EC2, but tools (Terraform, CDK) create and delete
// them with roles, and a role in an instance profile cannot be deleted.

const (
	tableInstanceProfile   = "iam.instanceprofile" // "<account>/<lower name>"
	prefixInstanceProfile  = "AIPA"
	maxInstanceProfileName = 128
	quotaInstanceProfiles  = 1000
)

type instanceProfileRec struct {
	Name    string    `json:"name"`
	Path    string    `json:"path"`
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Roles   []string  `json:"roles,omitempty"` // role names; at most one
	Tags    []Tag     `json:"tags,omitempty"`
}

func instanceProfileARN(acct, path, name string) string {
	return "arn:aws:iam::" + acct + ":instance-profile" + path + name
}

type instanceProfileOut struct {
	Path                string       `xml:"Path"`
	InstanceProfileName string       `xml:"InstanceProfileName"`
	InstanceProfileId   string       `xml:"InstanceProfileId"`
	Arn                 string       `xml:"Arn"`
	CreateDate          service.Time `xml:"CreateDate"`
	Roles               []roleOut    `xml:"Roles>member"`
	Tags                []Tag        `xml:"Tags>member,omitempty"`
}

func (p *instanceProfileRec) out(tx store.Tx, acct string) (instanceProfileOut, error) {
	o := instanceProfileOut{Path: p.Path, InstanceProfileName: p.Name, InstanceProfileId: p.ID,
		Arn: instanceProfileARN(acct, p.Path, p.Name), CreateDate: service.Time(p.Created), Tags: p.Tags}
	for _, name := range p.Roles {
		r, err := getRole(tx, acct, name)
		if err != nil {
			return o, err
		}
		o.Roles = append(o.Roles, r.out(acct, false))
	}
	return o, nil
}

type instanceProfileInput struct {
	InstanceProfileName string
	Path                string
	RoleName            string
	Tags                []Tag
	TagKeys             []string
	PathPrefix          string
	Marker              string
	MaxItems            int
}

func (s *Service) createInstanceProfile(ctx context.Context, r *service.Request) (any, error) {
	var in instanceProfileInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	path, err := checkNew("InstanceProfileName", in.InstanceProfileName, maxInstanceProfileName, in.Path)
	if err != nil {
		return nil, err
	}
	acct, tx := r.Caller.Account, r.Tx
	if err := authorizeNew(ctx, r, instanceProfileARN(acct, path, in.InstanceProfileName), in.Tags, ""); err != nil {
		return nil, err
	}
	if err := s.checkQuota(tx, tableInstanceProfile, acct, quotaInstanceProfiles, "InstanceProfiles"); err != nil {
		return nil, err
	}
	id, err := s.uniqueID(prefixInstanceProfile)
	if err != nil {
		return nil, err
	}
	p := &instanceProfileRec{Name: in.InstanceProfileName, Path: path, ID: id, Created: r.Now, Tags: in.Tags}
	if err := insert(tx, tableInstanceProfile, nameKey(acct, p.Name), p, alreadyExists("Instance Profile %s already exists.", p.Name)); err != nil {
		return nil, err
	}
	o, err := p.out(tx, acct)
	if err != nil {
		return nil, err
	}
	return struct {
		InstanceProfile instanceProfileOut `xml:"InstanceProfile"`
	}{o}, nil
}

// instanceProfile decodes in, loads the named instance profile and
// authorizes the request on it.
func (s *Service) instanceProfile(ctx context.Context, r *service.Request, in *instanceProfileInput) (*instanceProfileRec, error) {
	if err := r.Decode(in); err != nil {
		return nil, err
	}
	if err := checkName("InstanceProfileName", in.InstanceProfileName, maxInstanceProfileName); err != nil {
		return nil, err
	}
	acct := r.Caller.Account
	p, err := getRec[instanceProfileRec](r.Tx, tableInstanceProfile, nameKey(acct, in.InstanceProfileName), "instance profile", func() error {
		return noSuchEntity("Instance Profile %s cannot be found.", in.InstanceProfileName)
	})
	if err != nil {
		return nil, err
	}
	if err := r.Authorize(ctx, service.Authz{Resource: instanceProfileARN(acct, p.Path, p.Name), Context: tagContext(in.Tags)}); err != nil {
		return nil, err
	}
	return p, nil
}

func putInstanceProfile(tx store.Tx, acct string, p *instanceProfileRec) error {
	return putRec(tx, tableInstanceProfile, nameKey(acct, p.Name), "instance profile", p)
}

func (s *Service) getInstanceProfile(ctx context.Context, r *service.Request) (any, error) {
	var in instanceProfileInput
	p, err := s.instanceProfile(ctx, r, &in)
	if err != nil {
		return nil, err
	}
	o, err := p.out(r.Tx, r.Caller.Account)
	if err != nil {
		return nil, err
	}
	return struct {
		InstanceProfile instanceProfileOut `xml:"InstanceProfile"`
	}{o}, nil
}

func (s *Service) deleteInstanceProfile(ctx context.Context, r *service.Request) (any, error) {
	var in instanceProfileInput
	p, err := s.instanceProfile(ctx, r, &in)
	if err != nil {
		return nil, err
	}
	if len(p.Roles) > 0 {
		return nil, deleteConflict("Cannot delete entity, must remove roles from instance profile first.")
	}
	if _, err := r.Tx.Delete(tableInstanceProfile, nameKey(r.Caller.Account, p.Name)); err != nil {
		return nil, internal("delete instance profile", err)
	}
	return nil, nil
}

// profileRole is the input step of Add/RemoveRoleFromInstanceProfile: the
// instance profile, loaded and authorized, then the RoleName check.
func (s *Service) profileRole(ctx context.Context, r *service.Request) (instanceProfileInput, *instanceProfileRec, error) {
	var in instanceProfileInput
	p, err := s.instanceProfile(ctx, r, &in)
	if err != nil {
		return in, nil, err
	}
	return in, p, checkName("RoleName", in.RoleName, maxRoleName)
}

func (s *Service) addRoleToInstanceProfile(ctx context.Context, r *service.Request) (any, error) {
	in, p, err := s.profileRole(ctx, r)
	if err != nil {
		return nil, err
	}
	acct := r.Caller.Account
	role, err := getRole(r.Tx, acct, in.RoleName)
	if err != nil {
		return nil, err
	}
	if containsFold(p.Roles, role.Name) {
		return nil, alreadyExists("Role %s already exists in instance profile %s.", role.Name, p.Name)
	}
	if len(p.Roles) >= 1 {
		return nil, limitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
	}
	p.Roles = append(p.Roles, role.Name)
	return nil, putInstanceProfile(r.Tx, acct, p)
}

func (s *Service) removeRoleFromInstanceProfile(ctx context.Context, r *service.Request) (any, error) {
	in, p, err := s.profileRole(ctx, r)
	if err != nil {
		return nil, err
	}
	if !containsFold(p.Roles, in.RoleName) {
		return nil, noSuchEntity("The role with name %s cannot be found in instance profile %s.", in.RoleName, p.Name)
	}
	p.Roles = removeFold(p.Roles, in.RoleName)
	return nil, putInstanceProfile(r.Tx, r.Caller.Account, p)
}

func (s *Service) listInstanceProfiles(ctx context.Context, r *service.Request) (any, error) {
	acct, tx := r.Caller.Account, r.Tx
	out, info, err := listByPath(ctx, r, tableInstanceProfile, instanceProfileARN(acct, "/", "*"), "list instance profiles",
		func(p *instanceProfileRec) string { return p.Path },
		func(p *instanceProfileRec) (instanceProfileOut, error) { return p.out(tx, acct) })
	if err != nil {
		return nil, err
	}
	return instanceProfilesOutput{out, info}, nil
}

type instanceProfilesOutput struct {
	InstanceProfiles []instanceProfileOut `xml:"InstanceProfiles>member"`
	pageInfo
}

// listInstanceProfilesForRole lists the profiles holding a role.
func (s *Service) listInstanceProfilesForRole(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		RoleName string
		Marker   string
		MaxItems int
	}
	role, err := s.roleFromInput(ctx, r, &in, func() string { return in.RoleName }, service.Authz{})
	if err != nil {
		return nil, err
	}
	pg, err := parsePage(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	acct, tx := r.Caller.Account, r.Tx
	out, info, err := scanPage(tx, tableInstanceProfile, acct+"/", pg, func(p *instanceProfileRec) (instanceProfileOut, bool, error) {
		if !containsFold(p.Roles, role.Name) {
			return instanceProfileOut{}, false, nil
		}
		o, err := p.out(tx, acct)
		return o, err == nil, err
	})
	if err != nil {
		return nil, internal("list instance profiles", err)
	}
	return instanceProfilesOutput{out, info}, nil
}

// roleInInstanceProfile reports whether a role is in any instance
// profile (DeleteRole refuses then).
func roleInInstanceProfile(tx store.Tx, acct, role string) (bool, error) {
	found := false
	err := scanRecs(tx, tableInstanceProfile, acct+"/", func(_ string, p *instanceProfileRec) (bool, error) {
		found = containsFold(p.Roles, role)
		return !found, nil
	})
	if err != nil {
		return false, internal("scan instance profiles", err)
	}
	return found, nil
}
