# Sourced by every script (BASH_ENV). Secrets are never echoed.

# aws is the AWS CLI v2 pointed at the local AWS under test.
aws() { "$AWS_CLI" --endpoint-url "$AWS_ENDPOINT_URL" --output text "$@"; }

# fail prints a message and stops the script.
fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_error CODE CMD... runs CMD, which must fail with error CODE.
expect_error() {
	local code=$1; shift
	local err
	if err=$("$@" 2>&1); then fail "$* succeeded; want $code"; fi
	case $err in
	*"($code)"*) echo "ok: $* -> $code" ;;
	*) fail "$*: want $code, got: $err" ;;
	esac
}

# wait_account REQUEST_ID waits until CreateAccount finishes and prints the
# new account id (30 s at most).
wait_account() {
	local state
	for _ in $(seq 60); do
		state=$(aws organizations describe-create-account-status --create-account-request-id "$1" --query CreateAccountStatus.State)
		case $state in
		SUCCEEDED) aws organizations describe-create-account-status --create-account-request-id "$1" --query CreateAccountStatus.AccountId; return ;;
		FAILED) fail "CreateAccount $1 failed: $(aws organizations describe-create-account-status --create-account-request-id "$1" --query CreateAccountStatus.FailureReason)" ;;
		IN_PROGRESS) sleep 0.5 ;;
		*) fail "CreateAccount $1: unexpected state $state" ;;
		esac
	done
	fail "CreateAccount $1 still IN_PROGRESS after 30 s"
}
