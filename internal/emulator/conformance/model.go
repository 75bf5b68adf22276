// Package conformance checks the local AWS's responses against the AWS
// service models that botocore ships (Debian's python3-botocore installs
// them under /usr/lib/python3/dist-packages/botocore/data): every success
// body against its operation's output shape (required members, member
// names, types, enums, timestamp formats, list and map encodings) and every
// error code against the errors the operation declares or AWS's common
// errors.
//
// The models are read from the system at test time, never copied into the
// repository. A Checker wraps an http.RoundTripper, so any test driving the
// emulator through an SDK can record and check what it received. It is a
// test aid: product code must not import it.
package conformance

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// ModelDirs are where botocore's service models are looked for, in order:
// Debian's python3-botocore, then the copy bundled with Debian's awscli.
func ModelDirs() []string {
	return []string{
		"/usr/lib/python3/dist-packages/botocore/data",
		"/usr/lib/python3/dist-packages/awscli/botocore/data",
	}
}

// Model is the part of a botocore service-2.json the checks need.
type Model struct {
	Metadata struct {
		Protocol     string `json:"protocol"`
		APIVersion   string `json:"apiVersion"`
		TargetPrefix string `json:"targetPrefix"`
		SigningName  string `json:"signingName"`
		EndpointPfx  string `json:"endpointPrefix"`
	} `json:"metadata"`
	Operations map[string]Operation `json:"operations"`
	Shapes     map[string]*Shape    `json:"shapes"`

	// allowed are members ("Shape.Member") and enum values newer than the
	// installed model, reported apart instead of as violations.
	allowed map[string]bool
}

// AllowMembers declares members of shape that AWS added after the
// installed model (the caller should verify them against aws-sdk-go-v2's
// types); responses carrying them are noted, not failed.
func (m *Model) AllowMembers(shape string, members ...string) {
	if m.allowed == nil {
		m.allowed = map[string]bool{}
	}
	for _, mem := range members {
		m.allowed[shape+"."+mem] = true
	}
}

// AllowEnumValues declares enum values AWS added after the installed
// model, such as aws-sdk-go-v2's Values() of the enum type.
func (m *Model) AllowEnumValues(values ...string) {
	if m.allowed == nil {
		m.allowed = map[string]bool{}
	}
	for _, v := range values {
		m.allowed[v] = true
	}
}

// Operation is one operation of a model.
type Operation struct {
	Name   string `json:"name"`
	Output *struct {
		Shape         string `json:"shape"`
		ResultWrapper string `json:"resultWrapper"`
	} `json:"output"`
	Errors []struct {
		Shape string `json:"shape"`
	} `json:"errors"`
	Deprecated bool `json:"deprecated"`
}

// Shape is a botocore shape.
type Shape struct {
	Type            string             `json:"type"`
	Required        []string           `json:"required"`
	Members         map[string]*Member `json:"members"`
	Member          *Member            `json:"member"`
	Key             *Member            `json:"key"`
	Value           *Member            `json:"value"`
	Enum            []string           `json:"enum"`
	Flattened       bool               `json:"flattened"`
	TimestampFormat string             `json:"timestampFormat"`
	Exception       bool               `json:"exception"`
	Error           *struct {
		Code           string `json:"code"`
		HTTPStatusCode int    `json:"httpStatusCode"`
	} `json:"error"`
}

// Member refers to a shape from a structure, list or map.
type Member struct {
	Shape           string `json:"shape"`
	LocationName    string `json:"locationName"`
	Flattened       bool   `json:"flattened"`
	TimestampFormat string `json:"timestampFormat"`
}

// LoadModel reads the model of service (botocore's directory name:
// "organizations", "iam", "sts"), newest API version first. It returns
// os.ErrNotExist (wrapped) when no model directory has it.
func LoadModel(service string) (*Model, error) {
	for _, dir := range ModelDirs() {
		versions, err := filepath.Glob(filepath.Join(dir, service, "*", "service-2.json"))
		if err != nil || len(versions) == 0 {
			continue
		}
		sort.Strings(versions)
		b, err := os.ReadFile(versions[len(versions)-1])
		if err != nil {
			return nil, err
		}
		var m Model
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("model %s: %w", versions[len(versions)-1], err)
		}
		for name, op := range m.Operations {
			op.Name = name
			m.Operations[name] = op
		}
		return &m, nil
	}
	return nil, fmt.Errorf("no botocore model for %s in %v: %w", service, ModelDirs(), os.ErrNotExist)
}

// errorCodes returns the codes op may fail with: each declared error
// shape's wire code (its error.code for Query services, else its name).
func (m *Model) errorCodes(op Operation) map[string]bool {
	codes := map[string]bool{}
	for _, e := range op.Errors {
		codes[e.Shape] = true
		if s := m.Shapes[e.Shape]; s != nil && s.Error != nil && s.Error.Code != "" {
			codes[s.Error.Code] = true
		}
	}
	return codes
}

// CommonErrors are the codes any operation of any service may return: the
// authentication, throttling and validation errors AWS lists as common to
// all actions (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html,
// https://docs.aws.amazon.com/organizations/latest/APIReference/CommonErrors.html),
// and the ...Exception forms JSON services use for them.
var CommonErrors = map[string]bool{
	"AccessDeniedException": true, "IncompleteSignature": true, "IncompleteSignatureException": true,
	"InternalFailure": true, "InvalidAction": true, "InvalidClientTokenId": true, "InvalidParameterCombination": true,
	"InvalidParameterValue": true, "InvalidQueryParameter": true, "MalformedQueryString": true, "MissingAction": true,
	"MissingAuthenticationToken": true, "MissingAuthenticationTokenException": true, "MissingParameter": true,
	"NotAuthorized": true, "OptInRequired": true, "RequestExpired": true, "ServiceUnavailable": true,
	"ThrottlingException": true, "Throttling": true, "ValidationError": true, "ValidationException": true,
	"UnrecognizedClientException": true, "InvalidSignatureException": true, "SignatureDoesNotMatch": true,
	"ExpiredToken": true, "ExpiredTokenException": true, "SerializationException": true, "UnknownOperationException": true,
	"MalformedInput": true, "AccessDenied": true, "RequestEntityTooLarge": true,
}
