package s3

import (
	"context"
	"errors"
	"fmt"
	"io"

	tmtypes "github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager/types"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/kekaexport/keka-hire-export/internal/store"
)

// errAborted ends the upload's body when the writer is aborted.
var errAborted = errors.New("s3: write aborted")

// Create streams key through a multipart upload (a single PutObject when
// it is smaller than one part). The object appears when Close returns nil.
// The upload runs under ctx: if ctx is canceled before Close, the upload is
// aborted and Close returns an error.
func (s *Store) Create(ctx context.Context, key string) (store.Writer, error) {
	ok, err := s.objectKey(key)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("s3: create object %s: %w", s.where(ok), err)
	}
	pr, pw := io.Pipe()
	uctx, cancel := context.WithCancel(ctx)
	w := &writer{
		ctx:    ctx,
		where:  s.where(ok),
		pw:     pw,
		cancel: cancel,
		done:   make(chan struct{}),
	}
	w.stop = context.AfterFunc(ctx, func() { pw.CloseWithError(context.Cause(ctx)) })
	sse, kms := s.sse()
	in := &transfermanager.UploadObjectInput{
		Bucket:               aws.String(s.bucket),
		Key:                  aws.String(ok),
		Body:                 pr,
		ServerSideEncryption: tmtypes.ServerSideEncryption(sse),
		SSEKMSKeyID:          kms,
	}
	go func() {
		defer close(w.done)
		_, err := s.tm.UploadObject(uctx, in)
		if err == nil {
			return
		}
		w.err = err
		pr.CloseWithError(err) // a blocked or later Write returns err
		// The transfer manager aborts a failed multipart upload; if that
		// abort failed too, try once more so that no upload is left.
		var mu transfermanager.MultipartUploadError
		if errors.As(err, &mu) {
			w.cleanupErr = s.abortUpload(ok, mu.UploadID())
		}
	}()
	return w, nil
}

// abortUpload aborts a multipart upload on a fresh context; an upload that
// is already gone is fine.
func (s *Store) abortUpload(objectKey, uploadID string) error {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	_, err := s.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
		Bucket:   aws.String(s.bucket),
		Key:      aws.String(objectKey),
		UploadId: aws.String(uploadID),
	})
	var nsu *types.NoSuchUpload
	if err != nil && !errors.As(err, &nsu) {
		return fmt.Errorf("s3: abort multipart upload %s of %s: %w", uploadID, s.where(objectKey), err)
	}
	return nil
}

// writer feeds a pipe read by the upload goroutine. It is not safe for
// concurrent use.
type writer struct {
	ctx    context.Context
	where  string
	pw     *io.PipeWriter
	cancel context.CancelFunc
	stop   func() bool
	done   chan struct{}

	// Set by the upload goroutine before done is closed.
	err        error
	cleanupErr error

	state int // open, closed, aborted
}

const (
	stateOpen = iota
	stateClosed
	stateAborted
)

func (w *writer) Write(p []byte) (int, error) {
	if w.state != stateOpen {
		return 0, fmt.Errorf("s3: write object %s: writer is closed", w.where)
	}
	n, err := w.pw.Write(p)
	if err != nil {
		return n, fmt.Errorf("s3: write object %s: %w", w.where, err)
	}
	return n, nil
}

// Close completes the upload; on error nothing was published.
func (w *writer) Close() error {
	switch w.state {
	case stateAborted:
		return fmt.Errorf("s3: close object %s: writer was aborted", w.where)
	case stateClosed:
		return w.result()
	}
	w.state = stateClosed
	if err := w.ctx.Err(); err != nil {
		w.pw.CloseWithError(err)
	} else {
		w.pw.Close()
	}
	w.finish()
	return w.result()
}

func (w *writer) result() error {
	if w.err != nil {
		return fmt.Errorf("s3: put object %s: %w", w.where, errors.Join(w.err, w.cleanupErr))
	}
	return nil
}

// Abort ends the upload and waits until it is aborted on S3. After Close
// it does nothing.
func (w *writer) Abort() error {
	if w.state != stateOpen {
		return nil
	}
	w.state = stateAborted
	w.pw.CloseWithError(errAborted)
	w.cancel()
	w.finish()
	if w.err == nil {
		// Cannot happen: the body ended in an error before EOF.
		return fmt.Errorf("s3: abort object %s: the upload completed", w.where)
	}
	if w.cleanupErr != nil {
		return w.cleanupErr
	}
	return nil
}

func (w *writer) finish() {
	<-w.done
	w.stop()
	w.cancel()
}
