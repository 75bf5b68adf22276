package iam

import (
	"fmt"
	"net/http"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// IAM's error codes and the HTTP statuses AWS returns with them, from the
// IAM API reference "Errors" sections
// (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html and
// each action's page) and aws-sdk-go-v2/service/iam/types/errors.go.

func noSuchEntity(format string, args ...any) *service.Error {
	return service.Errorf(http.StatusNotFound, "NoSuchEntity", format, args...)
}

func alreadyExists(format string, args ...any) *service.Error {
	return service.Errorf(http.StatusConflict, "EntityAlreadyExists", format, args...)
}

func limitExceeded(format string, args ...any) *service.Error {
	return service.Errorf(http.StatusConflict, "LimitExceeded", format, args...)
}

func deleteConflict(format string, args ...any) *service.Error {
	return service.Errorf(http.StatusConflict, "DeleteConflict", format, args...)
}

func malformedPolicy(format string, args ...any) *service.Error {
	return service.BadRequest("MalformedPolicyDocument", format, args...)
}

func invalidInput(format string, args ...any) *service.Error {
	return service.BadRequest("InvalidInput", format, args...)
}

func invalidAuthCode(format string, args ...any) *service.Error {
	return service.Errorf(http.StatusForbidden, "InvalidAuthenticationCode", format, args...)
}

// validationError is the smithy-style message AWS returns for a parameter
// that breaks the model's constraints: "1 validation error detected: Value
// 'x' at 'userName' failed to satisfy constraint: Member must ...".
func validationError(member, value, constraint string) *service.Error {
	return service.BadRequest("ValidationError",
		"1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, member, constraint)
}

// missing reports a required parameter that was not sent.
func missing(member string) *service.Error {
	return validationError(lowerFirst(member), "null", "Member must not be null")
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	if b[0] >= 'A' && b[0] <= 'Z' {
		b[0] += 'a' - 'A'
	}
	return string(b)
}

// internal wraps a store failure; the front end reports it as a 500.
func internal(op string, err error) error {
	return fmt.Errorf("iam %s: %w", op, err)
}
