# AssumeRole from the management account into a new member account's
# OrganizationAccountAccessRole, then IAM there with the session.

aws organizations create-organization --feature-set ALL >/dev/null
req=$(aws organizations create-account --account-name dev --email aws+dev@example.com --query CreateAccountStatus.Id)
acct=$(wait_account "$req")

read -r key secret token < <(aws sts assume-role \
	--role-arn "arn:aws:iam::$acct:role/OrganizationAccountAccessRole" \
	--role-session-name awscli-test --duration-seconds 900 \
	--query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]')
[[ $key == ASIA* ]] || fail "session key id $key"

root_key=$AWS_ACCESS_KEY_ID root_secret=$AWS_SECRET_ACCESS_KEY
# The session signs as the assumed role in the member account.
export AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=$token
arn=$(aws sts get-caller-identity --query Arn)
[[ $arn == "arn:aws:sts::$acct:assumed-role/OrganizationAccountAccessRole/awscli-test" ]] || fail "caller $arn"

cat >"$HOME/trust.json" <<JSON
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::$MANAGEMENT_ACCOUNT:root"},"Action":"sts:AssumeRole"}]}
JSON
role_arn=$(aws iam create-role --role-name deployer --path /ci/ --assume-role-policy-document "file://$HOME/trust.json" --query Role.Arn)
[[ $role_arn == "arn:aws:iam::$acct:role/ci/deployer" ]] || fail "role arn $role_arn"
aws iam attach-role-policy --role-name deployer --policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess
[[ $(aws iam list-attached-role-policies --role-name deployer --query 'AttachedPolicies[].PolicyName') == ReadOnlyAccess ]] || fail "attached policies"
aws iam list-roles --query 'Roles[].RoleName' | tr '\t' '\n' | grep -qx deployer || fail "deployer not listed"
expect_error EntityAlreadyExists aws iam create-role --role-name deployer --assume-role-policy-document "file://$HOME/trust.json"
expect_error NoSuchEntity aws iam get-role --role-name nobody

# The member account's IAM is its own: the management account has no deployer.
unset AWS_SESSION_TOKEN
export AWS_ACCESS_KEY_ID=$root_key AWS_SECRET_ACCESS_KEY=$root_secret
expect_error NoSuchEntity aws iam get-role --role-name deployer
echo "assume-role journey ok"
