package protocol

import (
	"encoding/json"
	"reflect"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// checkMemberNames refuses object keys that match a member only without
// regard to case: encoding/json accepts "accountid" for AccountId, AWS
// does not. It runs after a successful decode, so the JSON is valid and
// shaped like t.
func checkMemberNames(raw json.RawMessage, t reflect.Type, path string) *service.Error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return nil
		}
		fields := jsonFields(t)
		for k, v := range obj {
			ft, ok := fields[k]
			if !ok {
				return service.BadRequest("SerializationException", "Unknown member %s in the request body: it is not a member of this operation's input (member names are case-sensitive)", join(path, k))
			}
			if err := checkMemberNames(v, ft, join(path, k)); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) != nil {
			return nil
		}
		for _, v := range list {
			if err := checkMemberNames(v, t.Elem(), path+"[]"); err != nil {
				return err
			}
		}
	case reflect.Map:
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return nil
		}
		for k, v := range obj {
			if err := checkMemberNames(v, t.Elem(), join(path, k)); err != nil {
				return err
			}
		}
	}
	return nil
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// jsonFields maps the exact JSON names of t's fields, promoted ones
// included, to their types, as encoding/json names them.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous && f.Type.Kind() == reflect.Struct {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("json"); ok {
			n, _, _ := strings.Cut(tag, ",")
			if n == "-" {
				continue
			}
			if n != "" {
				name = n
			}
		}
		out[name] = f.Type
	}
	return out
}
