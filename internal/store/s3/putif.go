package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/kekaexport/keka-hire-export/internal/store"
)

// GetVersion returns the content of key and its ETag as the version.
func (s *Store) GetVersion(ctx context.Context, key string) ([]byte, string, error) {
	ok, err := s.objectKey(key)
	if err != nil {
		return nil, "", err
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(ok)})
	if err != nil {
		return nil, "", fmt.Errorf("s3: get object %s: %w", s.where(ok), notExist(err))
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, "", fmt.Errorf("s3: read object %s: %w", s.where(ok), err)
	}
	if aws.ToString(out.ETag) == "" {
		return nil, "", fmt.Errorf("s3: get object %s: the response has no ETag, so conditional writes cannot work against this endpoint", s.where(ok))
	}
	return b, aws.ToString(out.ETag), nil
}

// PutIf writes data to key with one PutObject conditional on the ETag
// (If-Match) or on the key's absence (If-None-Match: *), which S3 checks
// atomically.
func (s *Store) PutIf(ctx context.Context, key string, data []byte, version string) (string, error) {
	ok, err := s.objectKey(key)
	if err != nil {
		return "", err
	}
	sse, kms := s.sse()
	in := &s3.PutObjectInput{
		Bucket:               aws.String(s.bucket),
		Key:                  aws.String(ok),
		Body:                 bytes.NewReader(data),
		ContentLength:        aws.Int64(int64(len(data))),
		ServerSideEncryption: sse,
		SSEKMSKeyId:          kms,
	}
	if version == "" {
		in.IfNoneMatch = aws.String("*")
	} else {
		in.IfMatch = aws.String(version)
	}
	out, err := s.client.PutObject(ctx, in)
	if err != nil {
		return "", fmt.Errorf("s3: put object %s if unchanged: %w", s.where(ok), conflict(err))
	}
	if aws.ToString(out.ETag) == "" {
		return "", fmt.Errorf("s3: put object %s: the response has no ETag, so conditional writes cannot work against this endpoint", s.where(ok))
	}
	return aws.ToString(out.ETag), nil
}

// conflict maps S3's failed conditions to store.ErrConflict: 412
// PreconditionFailed (the ETag differs, or the key exists), 409
// ConditionalRequestConflict (a concurrent conditional write), and 404
// NoSuchKey (If-Match on a key that is gone).
func conflict(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey", "NotFound":
			return fmt.Errorf("%w: %w", store.ErrConflict, err)
		}
	}
	return err
}
