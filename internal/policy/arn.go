package policy

import "strings"

// arn is an Amazon Resource Name split into its six parts:
// arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE. The resource part keeps any
// further colons (arn:aws:logs:...:log-group:name:*).
type arn struct {
	partition, service, region, account, resource string
}

// splitARN splits s into its parts; ok is false when s is not an ARN.
func splitARN(s string) (a arn, ok bool) {
	rest, found := strings.CutPrefix(s, "arn:")
	if !found {
		return arn{}, false
	}
	parts := [4]string{}
	for i := range parts {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return arn{}, false
		}
		parts[i], rest = rest[:j], rest[j+1:]
	}
	return arn{partition: parts[0], service: parts[1], region: parts[2], account: parts[3], resource: rest}, true
}

func (a arn) String() string {
	return "arn:" + a.partition + ":" + a.service + ":" + a.region + ":" + a.account + ":" + a.resource
}
