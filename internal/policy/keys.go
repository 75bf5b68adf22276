package policy

import (
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
)

// keyType is the type of a global condition key's values.
type keyType int

const (
	keyString keyType = iota
	keyARN
	keyBool
	keyDate
	keyNumeric
	keyIP
)

// globalKeys are AWS's global condition context keys and their types, from
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html.
// Keys ending in "/" take a tag key after the slash.
var globalKeys = map[string]keyType{
	"aws:calledvia": keyString, "aws:calledviafirst": keyString, "aws:calledvialast": keyString,
	"aws:currenttime": keyDate, "aws:epochtime": keyDate, "aws:federatedprovider": keyString,
	"aws:multifactorauthage": keyNumeric, "aws:multifactorauthpresent": keyBool,
	"aws:principalaccount": keyString, "aws:principalarn": keyARN, "aws:principalisawsservice": keyBool,
	"aws:principalorgid": keyString, "aws:principalorgpaths": keyString, "aws:principalservicename": keyString,
	"aws:principalservicenameslist": keyString, "aws:principaltag/": keyString, "aws:principaltype": keyString,
	"aws:referer": keyString, "aws:requestedregion": keyString, "aws:requesttag/": keyString,
	"aws:resourceaccount": keyString, "aws:resourceorgid": keyString, "aws:resourceorgpaths": keyString,
	"aws:resourcetag/": keyString, "aws:securetransport": keyBool, "aws:sourceaccount": keyString,
	"aws:sourcearn": keyARN, "aws:sourceidentity": keyString, "aws:sourceip": keyIP,
	"aws:sourceorgid": keyString, "aws:sourceorgpaths": keyString, "aws:sourcevpc": keyString,
	"aws:sourcevpce": keyString, "aws:sourcevpcarn": keyARN, "aws:tagkeys": keyString,
	"aws:tokenissuetime": keyDate, "aws:useragent": keyString, "aws:userid": keyString,
	"aws:username": keyString, "aws:viaawsservice": keyBool, "aws:vpcsourceip": keyIP,
	"aws:ec2instancesourcevpc": keyString, "aws:ec2instancesourceprivateipv4": keyIP,
	"aws:assumedroot": keyBool, "aws:vpceaccount": keyString, "aws:vpceorgid": keyString,
	"aws:vpceorgpaths": keyString,
}

// globalKeyNames is the documented spelling of each key, for did-you-mean.
var globalKeyNames = []string{
	"aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:CurrentTime", "aws:EpochTime",
	"aws:FederatedProvider", "aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent", "aws:PrincipalAccount",
	"aws:PrincipalArn", "aws:PrincipalIsAWSService", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
	"aws:PrincipalServiceName", "aws:PrincipalServiceNamesList", "aws:PrincipalType", "aws:Referer",
	"aws:RequestedRegion", "aws:ResourceAccount", "aws:ResourceOrgID", "aws:ResourceOrgPaths",
	"aws:SecureTransport", "aws:SourceAccount", "aws:SourceArn", "aws:SourceIdentity", "aws:SourceIp",
	"aws:SourceOrgID", "aws:SourceOrgPaths", "aws:SourceVpc", "aws:SourceVpce", "aws:SourceVpcArn",
	"aws:TagKeys", "aws:TokenIssueTime", "aws:UserAgent", "aws:userid", "aws:username", "aws:ViaAWSService",
	"aws:VpcSourceIp", "aws:Ec2InstanceSourceVpc", "aws:Ec2InstanceSourcePrivateIPv4", "aws:AssumedRoot",
	"aws:VpceAccount", "aws:VpceOrgID", "aws:VpceOrgPaths",
}

// lookupGlobalKey returns the type of a global key, and whether it is one.
func lookupGlobalKey(key string) (keyType, bool) {
	k := strings.ToLower(key)
	if t, ok := globalKeys[k]; ok {
		return t, true
	}
	if i := strings.IndexByte(k, '/'); i > 0 {
		t, ok := globalKeys[k[:i+1]]
		return t, ok
	}
	return 0, false
}

// operatorKind is the key type an operator compares.
func operatorKind(op Operator) (keyType, bool) {
	switch op {
	case NumericEquals, NumericNotEquals, NumericLessThan, NumericLessThanEquals, NumericGreaterThan, NumericGreaterThanEquals:
		return keyNumeric, true
	case DateEquals, DateNotEquals, DateLessThan, DateLessThanEquals, DateGreaterThan, DateGreaterThanEquals:
		return keyDate, true
	case Bool:
		return keyBool, true
	case IPAddress, NotIPAddress:
		return keyIP, true
	case ArnEquals, ArnLike, ArnNotEquals, ArnNotLike:
		return keyARN, true
	}
	return keyString, op != Null && op != BinaryEquals
}

var keyTypeOperators = map[keyType]string{
	keyString: "String operators", keyARN: "Arn or String operators", keyBool: "Bool",
	keyDate: "Date operators", keyNumeric: "Numeric operators", keyIP: "IpAddress or NotIpAddress",
}

// checkConditionKey warns about a global key that looks misspelled, or
// that is compared with an operator for another type (AWS accepts both, and
// the condition then never matches as intended).
func (p *parser) checkConditionKey(c *Condition, path string) {
	if !strings.HasPrefix(strings.ToLower(c.Key), "aws:") {
		return
	}
	kt, known := lookupGlobalKey(c.Key)
	if !known {
		if s := diag.Suggest(c.Key, globalKeyNames); s != "" {
			p.warnf(c.Pos, "unknown-global-key", path, "global condition keys are listed at https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html", "unknown global condition key %q (did you mean %q?)", c.Key, s)
		}
		return
	}
	ot, typed := operatorKind(c.Op)
	if !typed || ot == kt {
		return
	}
	// String operators suit ARN keys, and Date keys given as epoch
	// seconds may be compared numerically.
	if (kt == keyARN && ot == keyString) || (kt == keyDate && ot == keyNumeric && strings.EqualFold(c.Key, "aws:EpochTime")) {
		return
	}
	p.warnf(c.Pos, "operator-key-mismatch", path, c.Key+" is compared with "+keyTypeOperators[kt], "operator %s does not suit key %s", c.Operator, c.Key)
}
