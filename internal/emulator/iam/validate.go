package iam

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Constraints from the IAM API model (aws-sdk-go-v2/service/iam validators
// and the API reference's "Pattern" and "Length Constraints" lines).
var (
	nameChars = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]+$`) })
	pathChars = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(/|/[\x21-\x7E]+/)$`) })
	// tagKeyChars is the pattern of IAM tag keys and values.
	tagChars = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`) })
	// aliasChars: 3 to 63 lowercase letters, digits and single hyphens,
	// not starting or ending with a hyphen.
	aliasChars = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]([a-z0-9]|-[a-z0-9])*$`) })
)

// checkName validates an entity name parameter (UserName, RoleName, ...).
func checkName(member, v string, maxLen int) error {
	if v == "" {
		return missing(member)
	}
	if n := utf8.RuneCountInString(v); n > maxLen {
		return validationError(lowerFirst(member), v, fmt.Sprintf("Member must have length less than or equal to %d", maxLen))
	}
	if !nameChars().MatchString(v) {
		return validationError(lowerFirst(member), v, `Member must satisfy regular expression pattern: [\w+=,.@-]+`)
	}
	return nil
}

// The values of enum parameters shared by several operations.
var (
	entityTypes      = []string{"User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"}
	policyUsageTypes = []string{"PermissionsPolicy", "PermissionsBoundary"}
)

// checkEnum validates an optional enum parameter: v, when sent, must be
// one of values (listed in the error in that order).
func checkEnum(member, v string, values ...string) error {
	if v == "" || slices.Contains(values, v) {
		return nil
	}
	return validationError(member, v, enumConstraint(values))
}

func enumConstraint(values []string) string {
	return "Member must satisfy enum value set: [" + strings.Join(values, ", ") + "]"
}

// checkNew validates the name (member, at most maxLen characters) and
// Path of an entity to create, and returns the path ("/" when empty).
func checkNew(member, name string, maxLen int, path string) (string, error) {
	if err := checkName(member, name, maxLen); err != nil {
		return "", err
	}
	return checkPath("Path", path)
}

// checkPath validates a Path parameter and returns it, "/" when empty.
func checkPath(member, v string) (string, error) {
	if v == "" {
		return "/", nil
	}
	if len(v) > 512 {
		return "", validationError(lowerFirst(member), v, "Member must have length less than or equal to 512")
	}
	if !pathChars().MatchString(v) {
		return "", validationError(lowerFirst(member), v, `Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`)
	}
	return v, nil
}

// checkPathPrefix validates a PathPrefix filter and returns it, "/" when empty.
func checkPathPrefix(v string) (string, error) {
	if v == "" {
		return "/", nil
	}
	if !strings.HasPrefix(v, "/") || len(v) > 512 {
		return "", validationError("pathPrefix", v, `Member must satisfy regular expression pattern: \u002F[\u0021-\u007F]*`)
	}
	return v, nil
}

// Tag is an IAM tag, as input and output.
type Tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// maxTags is the number of tags an IAM resource may carry
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
const maxTags = 50

// checkTags validates tags to add. Keys are case-insensitive in IAM: the
// same key twice in one request is refused.
func checkTags(tags []Tag) error {
	seen := map[string]bool{}
	for i, t := range tags {
		member := fmt.Sprintf("tags.%d.member.key", i+1)
		if t.Key == "" || utf8.RuneCountInString(t.Key) > 128 {
			return validationError(member, t.Key, "Member must have length between 1 and 128")
		}
		if !tagChars().MatchString(t.Key) {
			return validationError(member, t.Key, `Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`)
		}
		if utf8.RuneCountInString(t.Value) > 256 || !tagChars().MatchString(t.Value) {
			return validationError(fmt.Sprintf("tags.%d.member.value", i+1), t.Value, `Member must have length less than or equal to 256 and satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]*`)
		}
		k := strings.ToLower(t.Key)
		if seen[k] {
			return invalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
	}
	if len(tags) > maxTags {
		return limitExceeded("The number of tags has reached the maximum limit.")
	}
	return nil
}

// mergeTags applies add to have (replacing values of existing keys, keys
// compared case-insensitively as IAM does) and enforces the tag quota.
func mergeTags(have, add []Tag) ([]Tag, error) {
	if err := checkTags(add); err != nil {
		return nil, err
	}
	out := append([]Tag(nil), have...)
	for _, t := range add {
		found := false
		for i := range out {
			if strings.EqualFold(out[i].Key, t.Key) {
				out[i] = t
				found = true
			}
		}
		if !found {
			out = append(out, t)
		}
	}
	if len(out) > maxTags {
		return nil, limitExceeded("The number of tags has reached the maximum limit.")
	}
	return out, nil
}

// removeTags drops keys (case-insensitively); absent keys are ignored, as
// AWS does.
func removeTags(have []Tag, keys []string) ([]Tag, error) {
	if len(keys) > maxTags {
		return nil, validationError("tagKeys", strings.Join(keys, ","), "Member must have length less than or equal to 50")
	}
	var out []Tag
	for _, t := range have {
		drop := false
		for _, k := range keys {
			if strings.EqualFold(k, t.Key) {
				drop = true
			}
		}
		if !drop {
			out = append(out, t)
		}
	}
	return out, nil
}
