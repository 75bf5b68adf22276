package provider

import (
	"context"
	"errors"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// errClass is how the retry decorator treats an error.
type errClass int

const (
	errPermanent errClass = iota
	// errThrottle: the caller is over a rate; retry later and slow down.
	errThrottle
	// errTransient: the service or the connection failed; retry later.
	errTransient
)

// throttleCodes are the error codes AWS services use for throttling.
// Organizations sends TooManyRequestsException ("You have sent too many
// requests in too short a period of time ... Try again later", AWS
// Organizations API Reference, every action's Errors section); the others
// are aws-sdk-go-v2's retry.DefaultThrottleErrorCodes, for the services
// bulkhead may add.
var throttleCodes = map[string]bool{
	"TooManyRequestsException":               true,
	"Throttling":                             true,
	"ThrottlingException":                    true,
	"ThrottledException":                     true,
	"RequestThrottledException":              true,
	"RequestThrottled":                       true,
	"RequestLimitExceeded":                   true,
	"SlowDown":                               true,
	"ProvisionedThroughputExceededException": true,
	"BandwidthLimitExceeded":                 true,
	"EC2ThrottledException":                  true,
	"PriorRequestNotComplete":                true,
}

// transientCodes are Organizations errors whose documentation says to try
// again later (AWS Organizations API Reference, Common Errors and each
// action's Errors section).
var transientCodes = map[string]bool{
	"ConcurrentModificationException": true, // "Try again later"
	"ServiceException":                true, // 500, internal service error
	"FinalizingOrganizationException": true, // organization still initializing
	"InternalFailure":                 true,
	"ServiceUnavailable":              true,
}

// classify decides whether err is worth retrying, and how.
func classify(err error) errClass {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return errPermanent
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch code := ae.ErrorCode(); {
		case throttleCodes[code]:
			return errThrottle
		case transientCodes[code]:
			return errTransient
		}
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		switch s := re.HTTPStatusCode(); {
		case s == http.StatusTooManyRequests:
			return errThrottle
		case s >= 500:
			return errTransient
		case s >= 400:
			return errPermanent
		}
	}
	// Connection resets, timeouts and truncated responses: the SDK's own
	// list of retryable failures below the HTTP status.
	if retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary {
		return errTransient
	}
	return errPermanent
}

// sentinelCodes map Organizations error codes to this package's sentinels.
var sentinelCodes = map[string]error{
	"AWSOrganizationsNotInUseException":    ErrNoOrganization,
	"AccountNotFoundException":             ErrNotFound,
	"ChildNotFoundException":               ErrNotFound,
	"CreateAccountStatusNotFoundException": ErrNotFound,
	"OrganizationalUnitNotFoundException":  ErrNotFound,
	"ParentNotFoundException":              ErrNotFound,
	"PolicyNotFoundException":              ErrNotFound,
	"RootNotFoundException":                ErrNotFound,
	"SourceParentNotFoundException":        ErrNotFound,
	"DestinationParentNotFoundException":   ErrNotFound,
	"TargetNotFoundException":              ErrNotFound,
	"PolicyNotAttachedException":           ErrNotFound,
	"PolicyTypeNotEnabledException":        ErrNotFound,
	"DuplicateOrganizationalUnitException": ErrAlreadyExists,
	"DuplicatePolicyException":             ErrAlreadyExists,
	"DuplicatePolicyAttachmentException":   ErrAlreadyExists,
	"DuplicateAccountException":            ErrAlreadyExists,
	"AlreadyInOrganizationException":       ErrAlreadyExists,
	"PolicyTypeAlreadyEnabledException":    ErrAlreadyExists,
	"AccountAlreadyClosedException":        ErrAlreadyExists,
	"EffectivePolicyNotFoundException":     ErrNotFound,
}

// opError is a failed operation: what was attempted, AWS's error, and
// the sentinel it maps to.
type opError struct {
	what     string
	err      error
	sentinel error
}

func (e *opError) Error() string {
	var ae smithy.APIError
	if errors.As(e.err, &ae) {
		return e.what + ": " + ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	return e.what + ": " + e.err.Error()
}

func (e *opError) Unwrap() []error {
	if e.sentinel == nil {
		return []error{e.err}
	}
	return []error{e.err, e.sentinel}
}

// wrap names what failed ("create unit Workloads") and attaches the
// sentinel for AWS's error code, if any. It keeps the SDK error reachable
// with errors.As (smithy.APIError, the typed exceptions).
func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	e := &opError{what: what, err: err}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		e.sentinel = sentinelCodes[ae.ErrorCode()]
	}
	return e
}

func isConcurrentModification(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "ConcurrentModificationException"
}
