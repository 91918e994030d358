package s3

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Copy copies src to dst inside the bucket, re-encrypting with the store's
// setting. CopyObject copies at most 5 GiB in one request; a larger source is
// copied with a multipart upload of UploadPartCopy ranges, completed only
// when every part succeeded. It returns an error wrapping store.ErrNotExist
// when src is missing.
func (s *Store) Copy(ctx context.Context, src, dst string) error {
	sk, err := s.objectKey(src)
	if err != nil {
		return err
	}
	dk, err := s.objectKey(dst)
	if err != nil {
		return err
	}
	head, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(sk)})
	if err != nil {
		return fmt.Errorf("s3: copy object %s to %s: %w", s.where(sk), s.where(dk), notExist(err))
	}
	source := copySource(s.bucket, sk)
	size := aws.ToInt64(head.ContentLength)
	if size > s.maxCopySize {
		if err := s.copyMultipart(ctx, source, dk, size, head.ETag); err != nil {
			return fmt.Errorf("s3: copy object %s to %s: %w", s.where(sk), s.where(dk), err)
		}
		return nil
	}
	sse, kms := s.sse()
	_, err = s.client.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket:               aws.String(s.bucket),
		Key:                  aws.String(dk),
		CopySource:           aws.String(source),
		CopySourceIfMatch:    head.ETag,
		ServerSideEncryption: sse,
		SSEKMSKeyId:          kms,
	})
	if err != nil {
		return fmt.Errorf("s3: copy object %s to %s: %w", s.where(sk), s.where(dk), notExist(err))
	}
	return nil
}

// copySource is CopySource's "bucket/key", each segment URL-encoded.
func copySource(bucket, key string) string {
	segs := strings.Split(key, "/")
	for i, seg := range segs {
		segs[i] = url.PathEscape(seg)
	}
	return url.PathEscape(bucket) + "/" + strings.Join(segs, "/")
}

// copyMultipart copies size bytes of source to dst part by part, at most
// s.conc parts at once, and aborts the upload if any part fails.
func (s *Store) copyMultipart(ctx context.Context, source, dst string, size int64, etag *string) (err error) {
	sse, kms := s.sse()
	created, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket:               aws.String(s.bucket),
		Key:                  aws.String(dst),
		ServerSideEncryption: sse,
		SSEKMSKeyId:          kms,
	})
	if err != nil {
		return fmt.Errorf("create multipart upload: %w", err)
	}
	uploadID := aws.ToString(created.UploadId)
	defer func() {
		if err != nil {
			err = errors.Join(err, s.abortUpload(dst, uploadID))
		}
	}()

	partSize := max(s.copyPartSize, (size+maxParts-1)/maxParts)
	n := int((size + partSize - 1) / partSize)
	parts := make([]types.CompletedPart, n)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		sem      = make(chan struct{}, s.conc)
	)
	for i := range n {
		sem <- struct{}{}
		if ctx.Err() != nil {
			<-sem
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			first := int64(i) * partSize
			last := min(first+partSize, size) - 1
			num := int32(i + 1)
			out, err := s.client.UploadPartCopy(ctx, &s3.UploadPartCopyInput{
				Bucket:            aws.String(s.bucket),
				Key:               aws.String(dst),
				UploadId:          aws.String(uploadID),
				PartNumber:        aws.Int32(num),
				CopySource:        aws.String(source),
				CopySourceRange:   aws.String(fmt.Sprintf("bytes=%d-%d", first, last)),
				CopySourceIfMatch: etag,
			})
			if err == nil && out.CopyPartResult == nil {
				err = errors.New("no CopyPartResult in the response")
			}
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("upload part copy %d (bytes %d-%d): %w", num, first, last, notExist(err))
				}
				mu.Unlock()
				cancel()
				return
			}
			r := out.CopyPartResult
			parts[i] = types.CompletedPart{
				PartNumber:        aws.Int32(num),
				ETag:              r.ETag,
				ChecksumCRC32:     r.ChecksumCRC32,
				ChecksumCRC32C:    r.ChecksumCRC32C,
				ChecksumCRC64NVME: r.ChecksumCRC64NVME,
				ChecksumSHA1:      r.ChecksumSHA1,
				ChecksumSHA256:    r.ChecksumSHA256,
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err = s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket:          aws.String(s.bucket),
		Key:             aws.String(dst),
		UploadId:        aws.String(uploadID),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	if err != nil {
		return fmt.Errorf("complete multipart upload: %w", err)
	}
	return nil
}
