# IAM users sign with the access keys IAM issues; a deactivated or deleted
# key stops working at once.

aws iam create-user --user-name ci --path /robots/ >/dev/null
aws iam create-group --group-name deployers >/dev/null
aws iam add-user-to-group --group-name deployers --user-name ci
[[ $(aws iam list-groups-for-user --user-name ci --query 'Groups[].GroupName') == deployers ]] || fail "groups"
aws iam put-user-policy --user-name ci --policy-name read --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}'
[[ $(aws iam list-user-policies --user-name ci --query 'PolicyNames') == read ]] || fail "inline policies"

read -r key secret < <(aws iam create-access-key --user-name ci --query 'AccessKey.[AccessKeyId,SecretAccessKey]')
[[ $key == AKIA* && ${#secret} == 40 ]] || fail "access key shape"
as_ci() { AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret "$@"; }
[[ $(as_ci aws sts get-caller-identity --query Arn) == "arn:aws:iam::$MANAGEMENT_ACCOUNT:user/robots/ci" ]] || fail "caller"

aws iam update-access-key --user-name ci --access-key-id "$key" --status Inactive
as_ci expect_error InvalidClientTokenId aws sts get-caller-identity
aws iam update-access-key --user-name ci --access-key-id "$key" --status Active
as_ci aws sts get-caller-identity --query Account >/dev/null
aws iam delete-access-key --user-name ci --access-key-id "$key"
as_ci expect_error InvalidClientTokenId aws sts get-caller-identity
expect_error DeleteConflict aws iam delete-user --user-name ci
echo "iam keys ok"
