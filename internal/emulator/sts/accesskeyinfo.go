package sts

import (
	"context"
	"fmt"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// getAccessKeyInfo returns the account an access key belongs to
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetAccessKeyInfo.html).
// AWS decodes the account from the key id itself; the local AWS's key ids
// carry no account, so it answers for the keys it issued and refuses
// others with InvalidParameterValue.
func (s *Service) getAccessKeyInfo(ctx context.Context, r *service.Request) (any, error) {
	var in struct{ AccessKeyId string }
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if n := len(in.AccessKeyId); n < 16 || n > 128 {
		return nil, validationError("accessKeyId", in.AccessKeyId, "Member must have length greater than or equal to 16 and less than or equal to 128")
	}
	if err := r.Authorize(ctx, service.Authz{Resource: "*"}); err != nil {
		return nil, err
	}
	var c service.Credential
	ok, err := r.Tx.Get(service.CredentialTable, in.AccessKeyId, &c)
	if err != nil {
		return nil, fmt.Errorf("sts: get credential: %w", err)
	}
	if !ok {
		return nil, service.BadRequest("InvalidParameterValue", "The access key %s was not issued by this local AWS, so its account is unknown.", in.AccessKeyId)
	}
	return struct {
		Account string `xml:"Account"`
	}{c.Identity.Account}, nil
}
