package iam

import (
	"context"
	"errors"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// AdministratorAccessARN is the AWS managed policy granting everything.
const AdministratorAccessARN = "arn:aws:iam::aws:policy/AdministratorAccess"

// accessRolePolicy is the permissions policy Organizations gives the
// organization access role: an inline policy named AdministratorAccess
// allowing every action, as in accounts AWS creates.
const accessRolePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// AccessRoleTrustPolicy is the trust policy of the organization access
// role: the management account (its root, so any of its principals its
// own policies allow) may assume it.
func AccessRoleTrustPolicy(managementAccount string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + RootARN(managementAccount) + `"},"Action":"sts:AssumeRole"}]}`
}

// OnAccountCreated creates the organization access role in a new member
// account: ev.AccessRoleName, trusting arn:aws:iam::<management>:root, with
// full administrator permissions, as Organizations does
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_access.html).
// AWS gives the role an inline policy named AdministratorAccess that allows
// "*" on "*"; so does this.
func (s *Service) OnAccountCreated(ctx context.Context, tx store.Tx, ev service.AccountCreated) error {
	name := ev.AccessRoleName
	if name == "" {
		name = "OrganizationAccountAccessRole"
	}
	if err := checkName("RoleName", name, maxRoleName); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	role, err := s.createRole(tx, ev.AccountID, newRole{Name: name, Path: "/", Trust: AccessRoleTrustPolicy(ev.ManagementAccountID)}, ev.Now)
	if err != nil {
		return err
	}
	role.Inline = inlinePolicies{"AdministratorAccess": accessRolePolicy}
	return putRole(tx, ev.AccountID, role)
}

func asServiceError(err error, target **service.Error) bool { return errors.As(err, target) }
