package organizations

import (
	"errors"
	"fmt"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// Errors carry the codes of the Organizations service model
// (aws-sdk-go-v2/service/organizations/types/errors.go). Every one is a
// 400 except ServiceException; ConstraintViolationException and
// InvalidInputException also carry a Reason member.

func awsErr(code, format string, args ...any) *service.Error {
	return service.BadRequest(code, format, args...)
}

func withReason(code, reason, format string, args ...any) *service.Error {
	e := service.BadRequest(code, format, args...)
	e.Fields = map[string]string{"Reason": reason}
	return e
}

// invalid is InvalidInputException with a Reason such as INVALID_PATTERN.
func invalid(reason, format string, args ...any) *service.Error {
	return withReason("InvalidInputException", reason, format, args...)
}

// constraint is ConstraintViolationException with a Reason such as
// OU_DEPTH_LIMIT_EXCEEDED.
func constraint(reason, format string, args ...any) *service.Error {
	return withReason("ConstraintViolationException", reason, format, args...)
}

func errNotInUse() *service.Error {
	return awsErr("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
}

func errAccessDenied() *service.Error {
	return awsErr("AccessDeniedException", "You don't have permissions to access this resource.")
}

func errAccountNotFound(id string) *service.Error {
	return awsErr("AccountNotFoundException", "You specified an account that doesn't exist: %s.", id)
}

func errOUNotFound(id string) *service.Error {
	return awsErr("OrganizationalUnitNotFoundException", "You specified an organizational unit that doesn't exist: %s.", id)
}

func errParentNotFound(id string) *service.Error {
	return awsErr("ParentNotFoundException", "You specified a parent that doesn't exist: %s.", id)
}

func errPolicyNotFound(id string) *service.Error {
	return awsErr("PolicyNotFoundException", "You specified a policy that doesn't exist: %s.", id)
}

func errTargetNotFound(id string) *service.Error {
	return awsErr("TargetNotFoundException", "You specified a target that doesn't exist: %s.", id)
}

func errRootNotFound(id string) *service.Error {
	return awsErr("RootNotFoundException", "You specified a root that doesn't exist: %s.", id)
}

// storeErr wraps a store failure so the front end reports it as an
// internal error and logs the cause.
func storeErr(op string, err error) error {
	var se *service.Error
	if errors.As(err, &se) {
		return se
	}
	return fmt.Errorf("organizations %s: %w", op, err)
}
