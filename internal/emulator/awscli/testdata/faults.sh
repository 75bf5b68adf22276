# Faults set through the admin API are what the CLI sees, and its standard
# retry mode rides through injected throttling.

admin() { curl -sS -u "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" "$@"; }

# Only loopback clients with the root key may use the admin API.
[[ $(curl -s -o /dev/null -w '%{http_code}' "$AWS_ENDPOINT_URL/_bulkhead/status") == 401 ]] || fail "admin API without credentials"
admin "$AWS_ENDPOINT_URL/_bulkhead/status" | grep -q "\"managementAccountId\": \"$MANAGEMENT_ACCOUNT\"" || fail "status"

admin -X PUT "$AWS_ENDPOINT_URL/_bulkhead/faults" -d '{"throttleRate":1,"operations":["sts:GetCallerIdentity"]}' >/dev/null
expect_error Throttling aws sts get-caller-identity
aws iam list-users >/dev/null # other operations are not throttled

# Half the calls throttled: the standard retry mode (up to 10 attempts) gets through.
admin -X PUT "$AWS_ENDPOINT_URL/_bulkhead/faults" -d '{"throttleRate":0.5,"seed":1,"operations":["sts:GetCallerIdentity"]}' >/dev/null
for _ in 1 2 3; do
	AWS_RETRY_MODE=standard AWS_MAX_ATTEMPTS=10 aws sts get-caller-identity --query Account >/dev/null
done
stats=$(admin "$AWS_ENDPOINT_URL/_bulkhead/stats")
echo "$stats" | grep -q '"Throttling"' || fail "no throttling counted: $stats"

# Server errors, then none.
admin -X PUT "$AWS_ENDPOINT_URL/_bulkhead/faults" -d '{"errorRate":1}' >/dev/null
expect_error ServiceFailure aws iam list-users
expect_error ServiceException aws organizations describe-organization
admin -X PUT "$AWS_ENDPOINT_URL/_bulkhead/faults" -d '{}' >/dev/null
aws sts get-caller-identity --query Account >/dev/null
echo "faults ok"
