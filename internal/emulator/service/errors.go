package service

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Error is an AWS error: a code from the service model ("AccountNotFoundException",
// "NoSuchEntity"), a message, and the HTTP status AWS returns for it. The
// front end renders it in the service's protocol.
type Error struct {
	Code    string
	Message string
	Status  int
	// Receiver marks server-side faults (query <Type>Receiver</Type>);
	// false means the caller's fault (Sender).
	Receiver bool
	// Fields are extra members of the error structure in the service
	// model, such as Organizations' "Reason" on ConstraintViolationException
	// and InvalidInputException; JSON services render them next to
	// __type and message.
	Fields map[string]string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with the given status and code.
func Errorf(status int, code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Status: status, Receiver: status >= 500}
}

// BadRequest returns a 400 error with code.
func BadRequest(code, format string, args ...any) *Error {
	return Errorf(http.StatusBadRequest, code, format, args...)
}

// Time is a timestamp that renders as AWS's protocols expect: epoch seconds
// (a JSON number, with milliseconds) in JSON services and ISO 8601 in UTC
// with second precision in Query services. Stored documents use time.Time;
// output structures use Time.
type Time time.Time

// MarshalJSON renders epoch seconds, as JSON 1.1 services do.
func (t Time) MarshalJSON() ([]byte, error) {
	tt := time.Time(t)
	return []byte(strconv.FormatFloat(float64(tt.UnixMilli())/1000, 'f', -1, 64)), nil
}

// UnmarshalJSON accepts epoch seconds.
func (t *Time) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*t = Time(time.UnixMilli(int64(f * 1000)).UTC())
	return nil
}

// MarshalXML renders ISO 8601, as Query services do.
func (t Time) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement(time.Time(t).UTC().Format("2006-01-02T15:04:05Z"), start)
}
