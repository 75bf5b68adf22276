package emulator

import (
	"context"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// LocalEndpoint is the base endpoint of in-process configs. Nothing
// resolves it: the transport hands requests to the handler directly.
const LocalEndpoint = "http://local.bulkhead"

// LocalConfig opens the local AWS whose state is in stateDir and returns
// an aws.Config that reaches it in-process, signing as the management
// account's root, and the Closer that closes the emulator. It is how the
// rest of bulkhead talks to the local AWS: through the SDK, exactly as to
// real AWS. opts adjust the Options (clock, logger, faults) before opening.
//
// Several processes may open one state directory (SQLite serializes
// their writers), but each emulator caches verified credentials: a key
// deleted or an account closed through another process is refused here
// only after up to a second. Faults and call counters are per process.
func LocalConfig(ctx context.Context, stateDir string, opts ...func(*Options)) (aws.Config, io.Closer, error) {
	o := Options{StateDir: stateDir}
	for _, f := range opts {
		f(&o)
	}
	e, err := New(ctx, o)
	if err != nil {
		return aws.Config{}, nil, err
	}
	id, secret := e.RootCredentials()
	return e.Config(id, secret, ""), e, nil
}

// Config returns an aws.Config that reaches e in-process and signs with
// the given credentials (sessionToken empty for long-term keys).
func (e *Emulator) Config(accessKeyID, secretAccessKey, sessionToken string) aws.Config {
	return aws.Config{
		Region:       e.region,
		Credentials:  credentials.NewStaticCredentialsProvider(accessKeyID, secretAccessKey, sessionToken),
		HTTPClient:   &http.Client{Transport: e.Transport()},
		BaseEndpoint: aws.String(LocalEndpoint),
	}
}
