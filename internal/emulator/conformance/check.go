package conformance

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Violation is one way a response departs from the model.
type Violation struct {
	Service, Operation string
	// Path locates the value ("Accounts[3].JoinedTimestamp").
	Path    string
	Problem string
	// Newer marks a member, enum value or operation the installed model
	// does not know: Debian's models lag AWS (and aws-sdk-go-v2) by years,
	// so these are reported apart, not as violations.
	Newer bool
}

func (v Violation) String() string {
	if v.Path == "" {
		return fmt.Sprintf("%s:%s: %s", v.Service, v.Operation, v.Problem)
	}
	return fmt.Sprintf("%s:%s: %s: %s", v.Service, v.Operation, v.Path, v.Problem)
}

type checker struct {
	m       *Model
	service string
	op      string
	out     []Violation
}

func (c *checker) fail(path, format string, args ...any) {
	c.out = append(c.out, Violation{Service: c.service, Operation: c.op, Path: path, Problem: fmt.Sprintf(format, args...)})
}

// newer records something the model does not know (see Violation.Newer).
func (c *checker) newer(path, format string, args ...any) {
	c.out = append(c.out, Violation{Service: c.service, Operation: c.op, Path: path, Problem: fmt.Sprintf(format, args...), Newer: true})
}

// CheckResponse checks one response of operation op: a success body
// against the output shape, an error's code against the declared errors.
func (m *Model) CheckResponse(service, op string, status int, body []byte, errorCode string) []Violation {
	c := &checker{m: m, service: service, op: op}
	o, ok := m.Operations[op]
	if !ok {
		c.newer("", "operation is not in the installed %s model", service)
		return c.out
	}
	if status >= 300 {
		if !m.errorCodes(o)[errorCode] && !CommonErrors[errorCode] {
			declared := slices.Sorted(func(yield func(string) bool) {
				for k := range m.errorCodes(o) {
					if !yield(k) {
						return
					}
				}
			})
			c.fail("", "error code %q (HTTP %d) is neither declared by the operation (%s) nor a common error", errorCode, status, strings.Join(declared, ", "))
		}
		return c.out
	}
	switch m.Metadata.Protocol {
	case "json":
		c.checkJSONBody(o, body)
	case "query":
		c.checkQueryBody(o, body)
	default:
		c.fail("", "protocol %q is not checked", m.Metadata.Protocol)
	}
	return c.out
}

func (c *checker) checkJSONBody(o Operation, body []byte) {
	if o.Output == nil {
		if t := strings.TrimSpace(string(body)); t != "" && t != "{}" {
			c.fail("", "the operation has no output, but the body is %s", t)
		}
		return
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		c.fail("", "body is not JSON: %v", err)
		return
	}
	c.jsonValue("", o.Output.Shape, "", v)
}

func (c *checker) jsonValue(path, shapeName, tsFormat string, v any) {
	s := c.m.Shapes[shapeName]
	if s == nil {
		c.fail(path, "shape %s missing from the model", shapeName)
		return
	}
	if v == nil {
		c.fail(path, "null; AWS omits absent members")
		return
	}
	switch s.Type {
	case "structure":
		obj, ok := v.(map[string]any)
		if !ok {
			c.fail(path, "want an object (%s), got %T", shapeName, v)
			return
		}
		for _, r := range s.Required {
			if _, ok := obj[r]; !ok {
				c.fail(join(path, r), "required member missing")
			}
		}
		for k, mv := range obj {
			mem := s.Members[k]
			if mem == nil {
				c.unknownMember(join(path, k), shapeName, k)
				continue
			}
			c.jsonValue(join(path, k), mem.Shape, mem.TimestampFormat, mv)
		}
	case "list":
		arr, ok := v.([]any)
		if !ok {
			c.fail(path, "want a list, got %T", v)
			return
		}
		for i, e := range arr {
			c.jsonValue(fmt.Sprintf("%s[%d]", path, i), s.Member.Shape, s.Member.TimestampFormat, e)
		}
	case "map":
		obj, ok := v.(map[string]any)
		if !ok {
			c.fail(path, "want a map object, got %T", v)
			return
		}
		for k, e := range obj {
			c.scalar(join(path, k)+"(key)", s.Key.Shape, "", k)
			c.jsonValue(join(path, k), s.Value.Shape, s.Value.TimestampFormat, e)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			c.fail(path, "want a string, got %T", v)
			return
		}
		c.enum(path, s, str)
	case "boolean":
		if _, ok := v.(bool); !ok {
			c.fail(path, "want a boolean, got %T", v)
		}
	case "integer", "long":
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			c.fail(path, "want an integer, got %v", v)
		}
	case "double", "float":
		n, ok := v.(json.Number)
		if _, err := n.Float64(); !ok || err != nil {
			c.fail(path, "want a number, got %v", v)
		}
	case "timestamp":
		format := firstNonEmpty(tsFormat, s.TimestampFormat, "unixTimestamp")
		switch format {
		case "unixTimestamp":
			n, ok := v.(json.Number)
			f, err := n.Float64()
			if !ok || err != nil || f < 0 || math.IsInf(f, 0) {
				c.fail(path, "want a timestamp in epoch seconds (a JSON number), got %v", v)
			}
		default:
			str, _ := v.(string)
			c.timestamp(path, format, str)
		}
	case "blob":
		str, ok := v.(string)
		if _, err := base64.StdEncoding.DecodeString(str); !ok || err != nil {
			c.fail(path, "want base64, got %v", v)
		}
	default:
		c.fail(path, "shape type %s is not checked", s.Type)
	}
}

// unknownMember reports a member the model does not have: newer when
// allowed (see Model.Allow), a violation otherwise (a misspelt member).
func (c *checker) unknownMember(path, shapeName, member string) {
	if c.m.allowed[shapeName+"."+member] {
		c.newer(path, "not a member of %s in the installed model", shapeName)
		return
	}
	c.fail(path, "not a member of %s", shapeName)
}

func (c *checker) enum(path string, s *Shape, v string) {
	if len(s.Enum) == 0 || slices.Contains(s.Enum, v) {
		return
	}
	if c.m.allowed[v] {
		c.newer(path, "%q is not one of the installed model's values", v)
		return
	}
	c.fail(path, "%q is not one of %s", v, strings.Join(s.Enum, ", "))
}

func (c *checker) timestamp(path, format, v string) {
	var err error
	switch format {
	case "iso8601", "":
		_, err = time.Parse(time.RFC3339Nano, v)
	case "rfc822":
		_, err = time.Parse(time.RFC1123, v)
	case "unixTimestamp":
		_, err = strconv.ParseFloat(v, 64)
	}
	if err != nil {
		c.fail(path, "%q is not a %s timestamp", v, format)
	}
}

// scalar checks a text value (Query XML, map keys) against a scalar shape.
func (c *checker) scalar(path, shapeName, tsFormat, v string) {
	s := c.m.Shapes[shapeName]
	if s == nil {
		c.fail(path, "shape %s missing from the model", shapeName)
		return
	}
	switch s.Type {
	case "string":
		c.enum(path, s, v)
	case "boolean":
		if v != "true" && v != "false" {
			c.fail(path, "want true or false, got %q", v)
		}
	case "integer", "long":
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			c.fail(path, "want an integer, got %q", v)
		}
	case "double", "float":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			c.fail(path, "want a number, got %q", v)
		}
	case "timestamp":
		c.timestamp(path, firstNonEmpty(tsFormat, s.TimestampFormat, "iso8601"), v)
	case "blob":
		if _, err := base64.StdEncoding.DecodeString(v); err != nil {
			c.fail(path, "want base64, got %q", v)
		}
	default:
		c.fail(path, "want a %s, got text %q", s.Type, v)
	}
}

// node is an XML element.
type node struct {
	name     string
	text     string
	children []*node
}

func parseXML(body []byte) (*node, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: t.Name.Local}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("empty document")
	}
	return root, nil
}

func (c *checker) checkQueryBody(o Operation, body []byte) {
	root, err := parseXML(body)
	if err != nil {
		c.fail("", "body is not XML: %v", err)
		return
	}
	if want := o.Name + "Response"; root.name != want {
		c.fail("", "root element <%s>, want <%s>", root.name, want)
	}
	var result, meta *node
	for _, ch := range root.children {
		switch ch.name {
		case "ResponseMetadata":
			meta = ch
		default:
			if o.Output != nil && ch.name == o.Output.ResultWrapper {
				result = ch
			} else {
				c.fail(ch.name, "unexpected element in <%s>", root.name)
			}
		}
	}
	if meta == nil || len(meta.children) != 1 || meta.children[0].name != "RequestId" || meta.children[0].text == "" {
		c.fail("ResponseMetadata", "want <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata>")
	}
	if o.Output == nil {
		return
	}
	if result == nil {
		c.fail("", "<%s> missing", o.Output.ResultWrapper)
		return
	}
	c.xmlStruct("", o.Output.Shape, result)
}

func (c *checker) xmlValue(path string, mem *Member, n *node) {
	s := c.m.Shapes[mem.Shape]
	if s == nil {
		c.fail(path, "shape %s missing from the model", mem.Shape)
		return
	}
	switch s.Type {
	case "structure":
		c.xmlStruct(path, mem.Shape, n)
	case "list":
		want := firstNonEmpty(s.Member.LocationName, "member")
		for i, ch := range n.children {
			if ch.name != want {
				c.fail(fmt.Sprintf("%s[%d]", path, i), "list element <%s>, want <%s>", ch.name, want)
				continue
			}
			c.xmlValue(fmt.Sprintf("%s[%d]", path, i), s.Member, ch)
		}
		if len(n.children) == 0 && strings.TrimSpace(n.text) != "" {
			c.fail(path, "a list holds text %q", n.text)
		}
	case "map":
		for i, e := range n.children {
			p := fmt.Sprintf("%s{%d}", path, i)
			if e.name != "entry" {
				c.fail(p, "map element <%s>, want <entry>", e.name)
				continue
			}
			var k, v *node
			for _, kv := range e.children {
				switch kv.name {
				case firstNonEmpty(s.Key.LocationName, "key"):
					k = kv
				case firstNonEmpty(s.Value.LocationName, "value"):
					v = kv
				default:
					c.fail(p, "unexpected <%s> in a map entry", kv.name)
				}
			}
			if k == nil || v == nil {
				c.fail(p, "a map entry needs <key> and <value>")
				continue
			}
			c.scalar(p+".key", s.Key.Shape, "", k.text)
			c.xmlValue(p+".value", s.Value, v)
		}
	default:
		if len(n.children) > 0 {
			c.fail(path, "want a %s, got elements", s.Type)
			return
		}
		c.scalar(path, mem.Shape, mem.TimestampFormat, n.text)
	}
}

func (c *checker) xmlStruct(path, shapeName string, n *node) {
	s := c.m.Shapes[shapeName]
	if s.Type != "structure" {
		c.fail(path, "shape %s is a %s, not a structure", shapeName, s.Type)
		return
	}
	seen := map[string]int{}
	for _, ch := range n.children {
		name, mem := memberByElement(s, ch.name)
		if mem == nil {
			c.unknownMember(join(path, ch.name), shapeName, ch.name)
			continue
		}
		seen[name]++
		if seen[name] > 1 && !mem.Flattened {
			c.fail(join(path, ch.name), "member given %d times", seen[name])
		}
		c.xmlValue(join(path, ch.name), mem, ch)
	}
	for _, r := range s.Required {
		if seen[r] == 0 {
			c.fail(join(path, r), "required member missing")
		}
	}
	if len(n.children) == 0 && strings.TrimSpace(n.text) != "" {
		c.fail(path, "a structure holds text %q", strings.TrimSpace(n.text))
	}
}

func memberByElement(s *Shape, el string) (string, *Member) {
	for name, m := range s.Members {
		if firstNonEmpty(m.LocationName, name) == el {
			return name, m
		}
	}
	return "", nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
