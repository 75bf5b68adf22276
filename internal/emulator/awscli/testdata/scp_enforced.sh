# An SCP attached to a member account is enforced on that account's
# sessions, as AWS does, and lifts when detached.

aws organizations create-organization --feature-set ALL >/dev/null
root=$(aws organizations list-roots --query 'Roots[0].Id')
aws organizations enable-policy-type --root-id "$root" --policy-type SERVICE_CONTROL_POLICY >/dev/null
acct=$(wait_account "$(aws organizations create-account --account-name sandbox --email aws+sandbox@example.com --query CreateAccountStatus.Id)")
policy=$(aws organizations create-policy --name no-users --description "No IAM users" --type SERVICE_CONTROL_POLICY \
	--content '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}' \
	--query Policy.PolicySummary.Id)
aws organizations attach-policy --policy-id "$policy" --target-id "$acct"

root_key=$AWS_ACCESS_KEY_ID root_secret=$AWS_SECRET_ACCESS_KEY
read -r key secret token < <(aws sts assume-role --role-arn "arn:aws:iam::$acct:role/OrganizationAccountAccessRole" \
	--role-session-name scp --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]')
as_member() { AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=$token "$@"; }

as_member expect_error AccessDenied aws iam create-user --user-name intruder
err=$(as_member aws iam create-user --user-name intruder 2>&1 || true)
[[ $err == *"service control policy"* ]] || fail "AccessDenied should name the SCP: $err"
as_member aws iam create-group --group-name ok >/dev/null # not denied

# The management account is not subject to SCPs.
aws iam create-user --user-name admin >/dev/null

aws organizations detach-policy --policy-id "$policy" --target-id "$acct"
as_member aws iam create-user --user-name intruder >/dev/null
echo "scp enforced"
