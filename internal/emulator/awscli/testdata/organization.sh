# An organization with OUs, accounts created and waited on, SCPs enabled,
# created, attached and listed.

org_id=$(aws organizations create-organization --feature-set ALL --query Organization.Id)
[[ $org_id =~ ^o-[a-z0-9]{10,32}$ ]] || fail "organization id $org_id"
[[ $(aws organizations describe-organization --query Organization.MasterAccountId) == "$MANAGEMENT_ACCOUNT" ]] || fail "management account"
expect_error AlreadyInOrganizationException aws organizations create-organization --feature-set ALL

root=$(aws organizations list-roots --query 'Roots[0].Id')
[[ $root =~ ^r-[a-z0-9]{4,32}$ ]] || fail "root id $root"
workloads=$(aws organizations create-organizational-unit --parent-id "$root" --name Workloads --query OrganizationalUnit.Id)
prod=$(aws organizations create-organizational-unit --parent-id "$workloads" --name Prod --query OrganizationalUnit.Id)
[[ $prod =~ ^ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$ ]] || fail "OU id $prod"
[[ $(aws organizations list-organizational-units-for-parent --parent-id "$workloads" --query 'OrganizationalUnits[].Name') == Prod ]] || fail "OU listing"
[[ $(aws organizations list-parents --child-id "$prod" --query 'Parents[0].Id') == "$workloads" ]] || fail "parents"

req=$(aws organizations create-account --account-name prod --email aws+prod@example.com --query CreateAccountStatus.Id)
[[ $(aws organizations describe-create-account-status --create-account-request-id "$req" --query CreateAccountStatus.State) == IN_PROGRESS ]] || fail "not IN_PROGRESS at first"
acct=$(wait_account "$req")
[[ $acct =~ ^[0-9]{12}$ ]] || fail "account id $acct"
echo "created account (12 digits)"
dup=$(aws organizations create-account --account-name prod2 --email aws+prod@example.com --query CreateAccountStatus.Id)
for _ in $(seq 60); do
	state=$(aws organizations describe-create-account-status --create-account-request-id "$dup" --query 'CreateAccountStatus.[State,FailureReason]')
	[[ $state == IN_PROGRESS* ]] || break
	sleep 0.5
done
[[ $state == $'FAILED\tEMAIL_ALREADY_EXISTS' ]] || fail "duplicate email: $state"

aws organizations move-account --account-id "$acct" --source-parent-id "$root" --destination-parent-id "$prod"
[[ $(aws organizations list-accounts-for-parent --parent-id "$prod" --query 'Accounts[].Id') == "$acct" ]] || fail "account not in Prod"
[[ $(aws organizations list-accounts --query 'length(Accounts)') == 2 ]] || fail "want 2 accounts"
[[ $(aws organizations describe-account --account-id "$acct" --query Account.Status) == ACTIVE ]] || fail "account status"

aws organizations enable-policy-type --root-id "$root" --policy-type SERVICE_CONTROL_POLICY >/dev/null
[[ $(aws organizations list-roots --query 'Roots[0].PolicyTypes[?Type==`SERVICE_CONTROL_POLICY`].Status') == ENABLED ]] || fail "SCPs not enabled"
# FullAWSAccess is attached everywhere once SCPs are enabled.
[[ $(aws organizations list-policies-for-target --target-id "$acct" --filter SERVICE_CONTROL_POLICY --query 'Policies[].Name') == FullAWSAccess ]] || fail "FullAWSAccess"

cat >"$HOME/deny-leave.json" <<'JSON'
{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}
JSON
policy=$(aws organizations create-policy --name deny-leave --description "No leaving" --type SERVICE_CONTROL_POLICY --content "file://$HOME/deny-leave.json" --query Policy.PolicySummary.Id)
[[ $policy =~ ^p-[a-z0-9]{8,128}$ ]] || fail "policy id $policy"
aws organizations attach-policy --policy-id "$policy" --target-id "$workloads"
[[ $(aws organizations list-policies-for-target --target-id "$workloads" --filter SERVICE_CONTROL_POLICY --query 'Policies[?Name==`deny-leave`].Id') == "$policy" ]] || fail "policy not attached"
[[ $(aws organizations list-targets-for-policy --policy-id "$policy" --query 'Targets[].TargetId') == "$workloads" ]] || fail "targets"
expect_error DuplicatePolicyAttachmentException aws organizations attach-policy --policy-id "$policy" --target-id "$workloads"
expect_error PolicyInUseException aws organizations delete-policy --policy-id "$policy"
aws organizations detach-policy --policy-id "$policy" --target-id "$workloads"
aws organizations delete-policy --policy-id "$policy"
echo "organization journey ok"
