// Package protocol holds the local AWS's wire codecs: AWS JSON 1.1 and AWS
// Query request decoding into a service's input struct, and response and
// error encoding in each protocol's own shape, as aws-sdk-go-v2 and the AWS
// CLI parse them.
//
// The codecs know nothing of services, signatures or the store; they turn
// bytes into Go values and back, and every malformed input becomes a
// *service.Error naming the offending parameter. They must never panic on
// client input.
package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// JSONContentType is the content type of AWS JSON 1.1 requests and responses.
const JSONContentType = "application/x-amz-json-1.1"

// DecodeJSON fills v from an AWS JSON 1.1 request body. An empty body is an
// empty input ({}). Unknown members and members of the wrong type are
// refused with SerializationException, as AWS's JSON services do for input
// that does not match the operation's shape.
func DecodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonDecodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return service.BadRequest("SerializationException", "Start of structure or map found where not expected: trailing data after the request body")
	}
	if err := checkMemberNames(body, reflect.TypeOf(v), ""); err != nil {
		return err
	}
	return nil
}

func jsonDecodeError(err error) *service.Error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return service.BadRequest("SerializationException", "the request body must be a JSON object, not %s", te.Value)
		}
		return service.BadRequest("SerializationException", "Unexpected value for member %s: got a JSON %s, want %s", field, te.Value, jsonKind(te.Type.Kind().String()))
	case errors.As(err, &se):
		return service.BadRequest("SerializationException", "the request body is not valid JSON at byte %d: %v", se.Offset, se)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return service.BadRequest("SerializationException", "Unknown member %s in the request body: it is not a member of this operation's input", name)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return service.BadRequest("SerializationException", "the request body is truncated JSON")
	}
	// Errors from UnmarshalJSON methods (timestamps, enums).
	return service.BadRequest("SerializationException", "the request body does not match the operation's input: %v", err)
}

func jsonKind(k string) string {
	switch k {
	case "int", "int32", "int64", "uint", "uint32", "uint64", "float64", "float32":
		return "a number"
	case "bool":
		return "a boolean"
	case "string":
		return "a string"
	case "slice":
		return "a list"
	case "map", "struct", "ptr":
		return "an object"
	}
	return k
}

// WriteJSON writes an AWS JSON 1.1 success response; a nil v is "{}".
func WriteJSON(w http.ResponseWriter, v any) error {
	body := []byte("{}")
	if v != nil {
		var err error
		if body, err = json.Marshal(v); err != nil {
			return fmt.Errorf("encode response: %w", err)
		}
	}
	h := w.Header()
	h.Set("Content-Type", JSONContentType)
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(body)
	return err
}

// WriteJSONError writes e as AWS JSON 1.1 does: the code in X-Amzn-ErrorType
// and in the body's __type, with the message, any extra members of the
// error structure (e.Fields, such as Organizations' Reason), and e's HTTP status.
func WriteJSONError(w http.ResponseWriter, e *service.Error) {
	m := make(map[string]string, len(e.Fields)+2)
	for k, v := range e.Fields {
		m[k] = v
	}
	m["__type"] = e.Code
	m["Message"] = e.Message
	body, _ := json.Marshal(m)
	h := w.Header()
	h.Set("Content-Type", JSONContentType)
	h.Set("X-Amzn-ErrorType", e.Code)
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status(e))
	_, _ = w.Write(body)
}

func status(e *service.Error) int {
	if e.Status == 0 {
		if e.Receiver {
			return http.StatusInternalServerError
		}
		return http.StatusBadRequest
	}
	return e.Status
}
