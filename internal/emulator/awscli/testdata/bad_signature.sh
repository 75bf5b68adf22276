# Requests signed with the wrong secret, an unknown key or no key at all are
# refused with AWS's codes, in each protocol's shape.

good=$AWS_SECRET_ACCESS_KEY
aws sts get-caller-identity --query Account >/dev/null

AWS_SECRET_ACCESS_KEY=${good}x expect_error SignatureDoesNotMatch aws sts get-caller-identity
AWS_SECRET_ACCESS_KEY=${good}x expect_error SignatureDoesNotMatch aws iam list-users
AWS_SECRET_ACCESS_KEY=${good}x expect_error InvalidSignatureException aws organizations describe-organization
AWS_ACCESS_KEY_ID=AKIAUNKNOWNUNKNOWN00 expect_error InvalidClientTokenId aws sts get-caller-identity
AWS_ACCESS_KEY_ID=AKIAUNKNOWNUNKNOWN00 expect_error UnrecognizedClientException aws organizations describe-organization
AWS_SESSION_TOKEN=bogus expect_error InvalidClientTokenId aws sts get-caller-identity
expect_error MissingAuthenticationToken aws sts get-caller-identity --no-sign-request
echo "bad signatures refused"
