#!/bin/sh
# Overhead of `bulkhead exec --stage X -- true` and `bulkhead credential-process`
# with a warm cache, over `true` alone (issue 7's benchmark), with the
# startup layout and with 1,000 more accounts and 3,000 profiles in the AWS
# config. Needs hyperfine (apt-get install hyperfine), the AWS CLI and curl.
#
#   sh bench/exec.sh [RUNS]        # from the repository root; RUNS default 200
#
# It builds bulkhead, applies the startup blueprint to a local AWS in a
# temporary directory (which makes alice and the appeng role), serves it,
# gives alice an access key with the AWS CLI, primes the cache with one cold exec, then times
# the warm commands. It prints hyperfine's table and the medians in ms.
set -eu
runs=${1:-200}
root=$(pwd)
work=$(mktemp -d)
trap 'kill $serve 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/bin/bulkhead" ./cmd/bulkhead
PATH="$work/bin:$PATH"
cd "$work"
mkdir small && cd small
bulkhead init --blueprint startup --domain acme.example --developers alice,bob --stages preprod,qa >/dev/null
bulkhead apply --auto-approve >/dev/null
bulkhead local serve --addr 127.0.0.1:0 >/dev/null 2>&1 &
serve=$!
i=0
until bulkhead local status | grep -q 'Server: *listening'; do
	i=$((i+1)); [ $i -lt 100 ] || { echo 'server did not start' >&2; exit 1; }
	sleep 0.1
done

# apply made alice (an engineer) and the appeng role in every development
# account (issue 6); she needs only an access key, made as the management
# account's root.
(
	eval "$(bulkhead local env)"
	export AWS_DEFAULT_REGION="$AWS_REGION" AWS_PAGER=
	aws --endpoint-url "$AWS_ENDPOINT_URL" iam create-access-key --user-name alice \
		--query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text > ../alice.keys
)
read -r key secret < ../alice.keys
export AWS_ACCESS_KEY_ID="$key" AWS_SECRET_ACCESS_KEY="$secret" AWS_REGION=us-east-1
export BULKHEAD_STATE_DIR="$work/state" BULKHEAD_NO_KEYRING=1 BULKHEAD_LOCAL_STATE="$work/small/.bulkhead/local"
export AWS_CONFIG_FILE="$work/small/aws-config"
: > "$AWS_CONFIG_FILE"

# The large layout: the same organization with 1,000 more accounts; an AWS
# config with 3,000 profiles.
mkdir ../large
cp -r policies ../large/
awk '{print} /^accounts:$/ {for (i = 1; i <= 1000; i++) printf "  team-%04d:\n    unit: Workloads/Development\n    kind: development\n", i}' bulkhead.yaml > ../large/bulkhead.yaml
i=0
while [ $i -lt 3000 ]; do printf '[profile p-%04d]\nregion = us-east-1\noutput = json\n\n' $i; i=$((i+1)); done > ../large/aws-config
bulkhead -C ../large validate | tail -1

# Prime: one cold exec each (a session, the account ids, the destinations).
bulkhead exec --stage feature-x -q -- sh -c 'aws --endpoint-url "$AWS_ENDPOINT_URL" sts get-caller-identity --query Arn --output text'
bulkhead -C ../large exec --stage feature-x -q -- true
bulkhead credential-process --stage feature-x >/dev/null
AWS_CONFIG_FILE=../large/aws-config bulkhead -C ../large credential-process --stage feature-x >/dev/null

# Warm: no call may reach the local AWS from here on.
eval "$(bulkhead local env | grep -v AWS_REGION | sed 's/^export /export ROOT_/')"
ep=$(sed -n 's/.*"endpoint":"\([^"]*\)".*/\1/p' .bulkhead/local/server.json)
curl -sf -X DELETE -u "$ROOT_AWS_ACCESS_KEY_ID:$ROOT_AWS_SECRET_ACCESS_KEY" "$ep/_bulkhead/stats"

hyperfine -N --warmup 10 --runs "$runs" --export-json "$work/exec.json" \
	-n 'true' 'true' \
	-n 'bulkhead version (the process floor)' 'bulkhead version' \
	-n 'exec, startup layout' 'bulkhead exec --stage feature-x -q -- true' \
	-n 'exec, 1,000 accounts + 3,000 profiles' "env AWS_CONFIG_FILE=$work/large/aws-config bulkhead -C $work/large exec --stage feature-x -q -- true" \
	-n 'credential-process, startup layout' 'bulkhead credential-process --stage feature-x' \
	-n 'credential-process, 1,000 accounts + 3,000 profiles' "env AWS_CONFIG_FILE=$work/large/aws-config bulkhead -C $work/large credential-process --stage feature-x" \
	-n 'env true (the env wrapper alone)' 'env true'
# (The large runs go through env(1) to set AWS_CONFIG_FILE: subtract
# "env true" minus "true" from them.)

calls=$(curl -sf -u "$ROOT_AWS_ACCESS_KEY_ID:$ROOT_AWS_SECRET_ACCESS_KEY" "$ep/_bulkhead/stats" | grep -c '"operation"' || true)
echo
echo "calls to the local AWS during the warm runs: $calls"
echo "medians (ms):"
python3 - "$work/exec.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
for x in r:
    print("  %-55s %6.2f" % (x["command"], x["median"] * 1000))
PY
