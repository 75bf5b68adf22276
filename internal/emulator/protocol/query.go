package protocol

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// QueryContentType is the content type of AWS Query responses.
const QueryContentType = "text/xml"

// ParseQueryParams merges the URL query string and, for a form-encoded body,
// the body's parameters, as AWS Query services accept both (GET or POST).
func ParseQueryParams(r *http.Request, body []byte) (url.Values, error) {
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, service.BadRequest("MalformedQueryString", "the query string is malformed: %v", err)
	}
	ct := r.Header.Get("Content-Type")
	if len(body) > 0 && (ct == "" || strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded")) {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, service.BadRequest("MalformedQueryString", "the form-encoded request body is malformed: %v", err)
		}
		for k, vs := range form {
			params[k] = append(params[k], vs...)
		}
	}
	return params, nil
}

// DecodeQuery fills v, a pointer to an input struct, from AWS Query
// parameters. A field is named by its `query:"Name"` tag or else its Go name
// (the AWS member name); a member whose name starts with a lower-case letter
// in the model ("arn" in STS's PolicyDescriptorType) also matches its
// capitalised Go field. Lists are Name.member.N (N from 1), maps
// Name.entry.N.key / Name.entry.N.value, nested structures Name.Member.
// Parameters that match no field are ignored, so that clients newer than
// the emulator keep working.
func DecodeQuery(params url.Values, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("protocol: DecodeQuery needs a non-nil pointer, got %T", v)
	}
	d := &queryDecoder{params: params}
	for k := range params {
		d.keys = append(d.keys, k)
	}
	sort.Strings(d.keys)
	_, err := d.decode("", rv.Elem())
	return err
}

type queryDecoder struct {
	params url.Values
	keys   []string // sorted
}

var (
	timeType        = reflect.TypeFor[time.Time]()
	serviceTimeType = reflect.TypeFor[service.Time]()
)

// present reports whether name or anything under name. is a parameter.
func (d *queryDecoder) present(name string) bool {
	if name == "" {
		return len(d.keys) > 0
	}
	if _, ok := d.params[name]; ok {
		return true
	}
	i := sort.SearchStrings(d.keys, name+".")
	return i < len(d.keys) && strings.HasPrefix(d.keys[i], name+".")
}

// indices returns the sorted distinct N of parameters prefix.N[.…].
func (d *queryDecoder) indices(prefix string) ([]int, error) {
	var out []int
	seen := map[int]bool{}
	p := prefix + "."
	for i := sort.SearchStrings(d.keys, p); i < len(d.keys) && strings.HasPrefix(d.keys[i], p); i++ {
		rest := d.keys[i][len(p):]
		num, _, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 {
			return nil, service.BadRequest("MalformedInput", "parameter %s: %q is not a list index (want %s.1, %s.2, ...)", d.keys[i], num, prefix, prefix)
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out, nil
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func (d *queryDecoder) decode(name string, v reflect.Value) (bool, error) {
	t := v.Type()
	if t == timeType || t == serviceTimeType {
		return d.scalar(name, v)
	}
	switch t.Kind() {
	case reflect.Pointer:
		if !d.present(name) {
			return false, nil
		}
		nv := reflect.New(t.Elem())
		ok, err := d.decode(name, nv.Elem())
		if err != nil || !ok {
			return ok, err
		}
		v.Set(nv)
		return true, nil
	case reflect.Struct:
		if name != "" && !d.present(name) {
			return false, nil
		}
		found := false
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			fname := f.Name
			if tag, ok := f.Tag.Lookup("query"); ok {
				if tag == "-" {
					continue
				}
				fname = tag
			}
			key := join(name, fname)
			if !d.present(key) {
				lower := strings.ToLower(fname[:1]) + fname[1:]
				if alt := join(name, lower); d.present(alt) {
					key = alt
				}
			}
			ok, err := d.decode(key, v.Field(i))
			if err != nil {
				return false, err
			}
			found = found || ok
		}
		return found || name == "", nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return d.scalar(name, v)
		}
		if !d.present(name) {
			return false, nil
		}
		idx, err := d.indices(name + ".member")
		if err != nil {
			return false, err
		}
		s := reflect.MakeSlice(t, 0, len(idx))
		for _, n := range idx {
			ev := reflect.New(t.Elem()).Elem()
			if _, err := d.decode(fmt.Sprintf("%s.member.%d", name, n), ev); err != nil {
				return false, err
			}
			s = reflect.Append(s, ev)
		}
		v.Set(s)
		return true, nil
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return false, fmt.Errorf("protocol: map field %s must have string keys", name)
		}
		if !d.present(name) {
			return false, nil
		}
		idx, err := d.indices(name + ".entry")
		if err != nil {
			return false, err
		}
		m := reflect.MakeMapWithSize(t, len(idx))
		for _, n := range idx {
			base := fmt.Sprintf("%s.entry.%d", name, n)
			kv := d.params[base+".key"]
			if len(kv) == 0 {
				return false, service.BadRequest("MalformedInput", "parameter %s.key is missing: every map entry needs a key and a value", base)
			}
			ev := reflect.New(t.Elem()).Elem()
			if _, err := d.decode(base+".value", ev); err != nil {
				return false, err
			}
			m.SetMapIndex(reflect.ValueOf(kv[0]).Convert(t.Key()), ev)
		}
		v.Set(m)
		return true, nil
	}
	return d.scalar(name, v)
}

func (d *queryDecoder) scalar(name string, v reflect.Value) (bool, error) {
	vals, ok := d.params[name]
	if !ok || len(vals) == 0 {
		return false, nil
	}
	if len(vals) > 1 {
		return false, service.BadRequest("MalformedInput", "parameter %s is given %d times; give it once", name, len(vals))
	}
	s := vals[0]
	t := v.Type()
	switch {
	case t == timeType || t == serviceTimeType:
		tm, err := parseTime(s)
		if err != nil {
			return false, service.BadRequest("ValidationError", "Invalid value %q for parameter %s: want an ISO 8601 timestamp such as 2006-01-02T15:04:05Z", s, name)
		}
		v.Set(reflect.ValueOf(tm).Convert(t))
		return true, nil
	}
	switch t.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return false, service.BadRequest("ValidationError", "Invalid value %q for parameter %s: want true or false", s, name)
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, t.Bits())
		if err != nil {
			return false, service.BadRequest("ValidationError", "Invalid value %q for parameter %s: want an integer", s, name)
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, t.Bits())
		if err != nil {
			return false, service.BadRequest("ValidationError", "Invalid value %q for parameter %s: want a non-negative integer", s, name)
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, t.Bits())
		if err != nil {
			return false, service.BadRequest("ValidationError", "Invalid value %q for parameter %s: want a number", s, name)
		}
		v.SetFloat(f)
	case reflect.Slice: // []byte: base64 blobs are passed through as given
		v.SetBytes([]byte(s))
	default:
		return false, fmt.Errorf("protocol: cannot decode query parameter %s into %s", name, t)
	}
	return true, nil
}

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return time.UnixMilli(int64(f * 1000)).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("not a timestamp")
}

// WriteQuery writes an AWS Query success response:
// <ActionResponse xmlns=NS><ActionResult>v</ActionResult><ResponseMetadata>…
// A nil v writes no Result element.
func WriteQuery(w http.ResponseWriter, action, ns, requestID string, v any) error {
	var buf bytes.Buffer
	buf.WriteString(`<` + action + `Response xmlns="`)
	_ = xml.EscapeText(&buf, []byte(ns))
	buf.WriteString(`">`)
	if v != nil && !(reflect.ValueOf(v).Kind() == reflect.Pointer && reflect.ValueOf(v).IsNil()) {
		enc := xml.NewEncoder(&buf)
		if err := enc.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
			return fmt.Errorf("encode %s response: %w", action, err)
		}
		if err := enc.Flush(); err != nil {
			return fmt.Errorf("encode %s response: %w", action, err)
		}
	}
	buf.WriteString(`<ResponseMetadata><RequestId>`)
	_ = xml.EscapeText(&buf, []byte(requestID))
	buf.WriteString(`</RequestId></ResponseMetadata></` + action + `Response>`)
	h := w.Header()
	h.Set("Content-Type", QueryContentType)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteQueryError writes e as AWS Query services do:
// <ErrorResponse><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/></ErrorResponse>.
func WriteQueryError(w http.ResponseWriter, ns, requestID string, e *service.Error) {
	var buf bytes.Buffer
	buf.WriteString(`<ErrorResponse`)
	if ns != "" {
		buf.WriteString(` xmlns="`)
		_ = xml.EscapeText(&buf, []byte(ns))
		buf.WriteString(`"`)
	}
	typ := "Sender"
	if e.Receiver || status(e) >= 500 {
		typ = "Receiver"
	}
	buf.WriteString(`><Error><Type>` + typ + `</Type><Code>`)
	_ = xml.EscapeText(&buf, []byte(e.Code))
	buf.WriteString(`</Code><Message>`)
	_ = xml.EscapeText(&buf, []byte(e.Message))
	buf.WriteString(`</Message></Error><RequestId>`)
	_ = xml.EscapeText(&buf, []byte(requestID))
	buf.WriteString(`</RequestId></ErrorResponse>`)
	h := w.Header()
	h.Set("Content-Type", QueryContentType)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status(e))
	_, _ = w.Write(buf.Bytes())
}
