// Package s3 implements store.Store over an S3 bucket and key prefix.
//
// Create streams through a multipart upload whose memory is bounded by the
// part size and concurrency, whatever the object's size; the object appears
// atomically when the upload completes, and a failed or aborted upload is
// aborted on S3 so that neither an object nor an upload is left behind. Every
// write asks for server-side encryption: SSE-S3 (AES256) by default, SSE-KMS
// when a key is given.
package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/kekaexport/keka-hire-export/internal/store"
)

var _ store.Store = (*Store)(nil)

const (
	// DefaultPartSize is the part size of multipart uploads unless set.
	DefaultPartSize = 8 << 20
	// MinPartSize is S3's smallest part, except the last one.
	MinPartSize = 5 << 20
	// DefaultConcurrency is the number of parts uploaded at once unless set.
	DefaultConcurrency = 2

	// maxCopySize is the largest object CopyObject copies in one request
	// (5 GiB); larger sources are copied part by part with UploadPartCopy.
	maxCopySize = 5 << 30
	// copyPartSize is the part size of a multipart copy, raised when the
	// source would otherwise need more than maxParts parts.
	copyPartSize = 512 << 20
	maxParts     = 10000
	// deleteBatch is the most keys DeleteObjects takes at once.
	deleteBatch = 1000
	// cleanupTimeout bounds an abort of a failed upload, which runs on a
	// fresh context so that it happens even when the caller's was canceled.
	cleanupTimeout = 30 * time.Second
)

// Options configures a Store.
type Options struct {
	Bucket string
	// Prefix is prepended to every key with a "/"; "" puts keys at the
	// bucket's root. Leading and trailing slashes are ignored.
	Prefix string
	// KMSKeyID selects SSE-KMS with this key; SSE-S3 (AES256) when empty.
	KMSKeyID string
	// PartSize of multipart uploads: DefaultPartSize when 0, at least
	// MinPartSize. Create buffers about (Concurrency+2)*PartSize bytes.
	PartSize int64
	// Concurrency is the number of parts in flight: DefaultConcurrency when 0.
	Concurrency int
}

// Store is a store.Store in an S3 bucket under a prefix.
type Store struct {
	client *s3.Client
	tm     *transfermanager.Client
	bucket string
	prefix string // without slashes at either end
	kmsKey string
	conc   int

	// Thresholds of multipart copy; variables so that tests can lower them.
	maxCopySize  int64
	copyPartSize int64
}

// New returns a Store writing to o.Bucket under o.Prefix through client. It
// returns an error for a nil client, an empty bucket, or a bad part size or
// concurrency.
func New(client *s3.Client, o Options) (*Store, error) {
	if client == nil {
		return nil, errors.New("s3: nil client")
	}
	if o.Bucket == "" {
		return nil, errors.New("s3: empty bucket name")
	}
	if o.PartSize == 0 {
		o.PartSize = DefaultPartSize
	}
	if o.PartSize < MinPartSize {
		return nil, fmt.Errorf("s3: part size %d is below S3's minimum of %d bytes", o.PartSize, MinPartSize)
	}
	if o.Concurrency == 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Concurrency < 0 {
		return nil, fmt.Errorf("s3: negative concurrency %d", o.Concurrency)
	}
	prefix := strings.Trim(o.Prefix, "/")
	if prefix != "" {
		if err := store.ValidKey(prefix); err != nil {
			return nil, fmt.Errorf("s3: prefix: %w", err)
		}
	}
	// The transfer manager (which replaces the deprecated feature/s3/manager)
	// streams an io.Reader of unknown length part by part and aborts the
	// multipart upload when a part, the read, or the completion fails.
	tm := transfermanager.New(client, func(t *transfermanager.Options) {
		t.PartSizeBytes = o.PartSize
		t.Concurrency = o.Concurrency
		// The first read buffers up to the threshold; keep it to one part.
		t.MultipartUploadThreshold = o.PartSize
		t.FailTimeout = cleanupTimeout
	})
	return &Store{
		client:       client,
		tm:           tm,
		bucket:       o.Bucket,
		prefix:       prefix,
		kmsKey:       o.KMSKeyID,
		conc:         o.Concurrency,
		maxCopySize:  maxCopySize,
		copyPartSize: copyPartSize,
	}, nil
}

// objectKey validates key and returns the object key in the bucket.
func (s *Store) objectKey(key string) (string, error) {
	if err := store.ValidKey(key); err != nil {
		return "", fmt.Errorf("s3: %w", err)
	}
	return s.join(key), nil
}

func (s *Store) join(key string) string {
	if s.prefix == "" {
		return key
	}
	return s.prefix + "/" + key
}

// where names an object in errors.
func (s *Store) where(objectKey string) string {
	return "s3://" + s.bucket + "/" + objectKey
}

func (s *Store) sse() (types.ServerSideEncryption, *string) {
	if s.kmsKey != "" {
		return types.ServerSideEncryptionAwsKms, aws.String(s.kmsKey)
	}
	return types.ServerSideEncryptionAes256, nil
}

// Open returns random access to key through ranged GetObject requests, pinned
// to the ETag seen at open so that a concurrent replacement fails the reads
// instead of mixing two objects. The reads run under ctx. It returns an
// error wrapping store.ErrNotExist when key is missing.
func (s *Store) Open(ctx context.Context, key string) (store.Object, error) {
	ok, err := s.objectKey(key)
	if err != nil {
		return nil, err
	}
	head, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(ok)})
	if err != nil {
		return nil, fmt.Errorf("s3: head object %s: %w", s.where(ok), notExist(err))
	}
	return &object{ctx: ctx, s: s, key: ok, size: aws.ToInt64(head.ContentLength), etag: head.ETag}, nil
}

type object struct {
	ctx  context.Context
	s    *Store
	key  string
	size int64
	etag *string
}

func (o *object) Size() int64  { return o.size }
func (o *object) Close() error { return nil }

// ReadAt reads len(p) bytes at off with one ranged GetObject; it returns
// io.EOF with fewer bytes at the end of the object.
func (o *object) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("s3: read object %s: negative offset %d", o.s.where(o.key), off)
	}
	if off >= o.size {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	end := min(off+int64(len(p)), o.size) // exclusive
	out, err := o.s.client.GetObject(o.ctx, &s3.GetObjectInput{
		Bucket:  aws.String(o.s.bucket),
		Key:     aws.String(o.key),
		Range:   aws.String(fmt.Sprintf("bytes=%d-%d", off, end-1)),
		IfMatch: o.etag,
	})
	if err != nil {
		return 0, fmt.Errorf("s3: get object %s range %d-%d: %w", o.s.where(o.key), off, end-1, notExist(err))
	}
	defer out.Body.Close()
	n, err := io.ReadFull(out.Body, p[:end-off])
	if err != nil {
		return n, fmt.Errorf("s3: read object %s range %d-%d: %w", o.s.where(o.key), off, end-1, err)
	}
	if end-off < int64(len(p)) {
		return n, io.EOF
	}
	return n, nil
}

// Get returns the content of key, or an error wrapping store.ErrNotExist.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	ok, err := s.objectKey(key)
	if err != nil {
		return nil, err
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(ok)})
	if err != nil {
		return nil, fmt.Errorf("s3: get object %s: %w", s.where(ok), notExist(err))
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, fmt.Errorf("s3: read object %s: %w", s.where(ok), err)
	}
	return b, nil
}

// Put writes data to key with one PutObject, which S3 makes atomic.
func (s *Store) Put(ctx context.Context, key string, data []byte) error {
	ok, err := s.objectKey(key)
	if err != nil {
		return err
	}
	sse, kms := s.sse()
	_, err = s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:               aws.String(s.bucket),
		Key:                  aws.String(ok),
		Body:                 bytes.NewReader(data),
		ContentLength:        aws.Int64(int64(len(data))),
		ServerSideEncryption: sse,
		SSEKMSKeyId:          kms,
	})
	if err != nil {
		return fmt.Errorf("s3: put object %s: %w", s.where(ok), err)
	}
	return nil
}

// List returns the objects whose keys start with prefix, sorted by key.
func (s *Store) List(ctx context.Context, prefix string) ([]store.ObjectInfo, error) {
	full := s.join(prefix)
	if s.prefix != "" && prefix == "" {
		full = s.prefix + "/"
	}
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket: aws.String(s.bucket),
		Prefix: aws.String(full),
	})
	var out []store.ObjectInfo
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("s3: list objects %s: %w", s.where(full), err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if s.prefix != "" {
				key = strings.TrimPrefix(key, s.prefix+"/")
			}
			out = append(out, store.ObjectInfo{Key: key, Size: aws.ToInt64(o.Size)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Delete removes keys with DeleteObjects, 1000 at a time; missing keys are
// not an error. It returns an error naming the first key S3 refused.
func (s *Store) Delete(ctx context.Context, keys ...string) error {
	ids := make([]types.ObjectIdentifier, len(keys))
	for i, key := range keys {
		ok, err := s.objectKey(key)
		if err != nil {
			return err
		}
		ids[i] = types.ObjectIdentifier{Key: aws.String(ok)}
	}
	for batch := range slices.Chunk(ids, deleteBatch) {
		out, err := s.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: aws.String(s.bucket),
			Delete: &types.Delete{Objects: batch, Quiet: aws.Bool(true)},
		})
		if err != nil {
			return fmt.Errorf("s3: delete %d objects from s3://%s starting with %s: %w",
				len(batch), s.bucket, aws.ToString(batch[0].Key), err)
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return fmt.Errorf("s3: delete object %s: %s: %s (and %d more failed)",
				s.where(aws.ToString(e.Key)), aws.ToString(e.Code), aws.ToString(e.Message), len(out.Errors)-1)
		}
	}
	return nil
}

// notExist maps S3's missing-object errors to store.ErrNotExist.
func notExist(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "NoSuchKey", "NotFound":
			return fmt.Errorf("%w: %w", store.ErrNotExist, err)
		}
	}
	return err
}
