package s3_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/kekaexport/keka-hire-export/internal/store"
	s3store "github.com/kekaexport/keka-hire-export/internal/store/s3"
	"github.com/kekaexport/keka-hire-export/internal/store/storetest"
	"github.com/kekaexport/keka-hire-export/internal/testenv"
)

var bucketN atomic.Int64

// newBucket creates a bucket with a name unique in this test binary.
func newBucket(t *testing.T, m *testenv.Moto) string {
	t.Helper()
	return m.CreateBucket(t, fmt.Sprintf("store-test-%d", bucketN.Add(1)))
}

func newStore(t *testing.T, client *s3.Client, o s3store.Options) *s3store.Store {
	t.Helper()
	s, err := s3store.New(client, o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func TestStore_Conformance(t *testing.T) {
	m := testenv.StartMoto(t)
	for _, prefix := range []string{"keka", ""} {
		t.Run("prefix "+prefix, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) store.Store {
				bucket := newBucket(t, m)
				t.Cleanup(func() { assertNoUploads(t, m.S3(t), bucket) })
				return newStore(t, m.S3(t), s3store.Options{Bucket: bucket, Prefix: prefix})
			})
		})
	}
}

// assertNoUploads fails t if bucket has a multipart upload in progress.
func assertNoUploads(t *testing.T, client *s3.Client, bucket string) {
	t.Helper()
	out, err := client.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("ListMultipartUploads: %v", err)
	}
	for _, u := range out.Uploads {
		t.Errorf("dangling multipart upload %s of %s", aws.ToString(u.UploadId), aws.ToString(u.Key))
	}
}

// op names the S3 operation of a request, for the operations the fault
// injection needs to tell apart.
func op(r *http.Request) string {
	q := r.URL.Query()
	switch {
	case r.Method == http.MethodPut && q.Has("partNumber") && r.Header.Get("X-Amz-Copy-Source") != "":
		return "UploadPartCopy"
	case r.Method == http.MethodPut && q.Has("partNumber"):
		return "UploadPart"
	case r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") != "":
		return "CopyObject"
	case r.Method == http.MethodPut:
		return "PutObject"
	case r.Method == http.MethodPost && q.Has("uploads"):
		return "CreateMultipartUpload"
	case r.Method == http.MethodPost && q.Has("uploadId"):
		return "CompleteMultipartUpload"
	case r.Method == http.MethodDelete && q.Has("uploadId"):
		return "AbortMultipartUpload"
	case r.Method == http.MethodPost && q.Has("delete"):
		return "DeleteObjects"
	}
	return r.Method
}

// faults is an http.RoundTripper that counts requests by operation and lets
// inject answer some of them instead of moto.
type faults struct {
	mu     sync.Mutex
	counts map[string]int
	// inject returns a response for the n-th (from 1) request of operation
	// op, or nil to pass it to moto.
	inject func(op string, n int, r *http.Request) *http.Response
}

func (f *faults) RoundTrip(r *http.Request) (*http.Response, error) {
	name := op(r)
	f.mu.Lock()
	if f.counts == nil {
		f.counts = map[string]int{}
	}
	f.counts[name]++
	n := f.counts[name]
	f.mu.Unlock()
	if f.inject != nil {
		if resp := f.inject(name, n, r); resp != nil {
			if r.Body != nil {
				io.Copy(io.Discard, r.Body)
				r.Body.Close()
			}
			return resp, nil
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

func (f *faults) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[op]
}

func s3Error(r *http.Request, status int, code string) *http.Response {
	body := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>injected</Message><RequestId>test</RequestId></Error>`, code)
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/xml"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       r,
	}
}

// write streams data to key through s in 64 KiB writes.
func write(ctx context.Context, s store.Store, key string, data []byte) error {
	w, err := s.Create(ctx, key)
	if err != nil {
		return err
	}
	defer w.Abort()
	for off := 0; off < len(data); off += 64 << 10 {
		if _, err := w.Write(data[off:min(off+64<<10, len(data))]); err != nil {
			return err
		}
	}
	return w.Close()
}

func head(t *testing.T, client *s3.Client, bucket, key string) *s3.HeadObjectOutput {
	t.Helper()
	out, err := client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("HeadObject(%s): %v", key, err)
	}
	return out
}

func TestStore_Create(t *testing.T) {
	ctx := context.Background()
	m := testenv.StartMoto(t)
	check := m.S3(t)

	t.Run("streams a multipart upload", func(t *testing.T) {
		bucket := newBucket(t, m)
		f := &faults{}
		s := newStore(t, m.S3WithTransport(t, f), s3store.Options{Bucket: bucket, Prefix: "keka"})
		data := storetest.Data(20<<20, 1)
		if err := write(ctx, s, "big.parquet", data); err != nil {
			t.Fatal(err)
		}
		// 8 MiB parts: 8 + 8 + 4.
		if got := f.count("UploadPart"); got != 3 {
			t.Errorf("UploadPart requests = %d, want 3", got)
		}
		if got := f.count("PutObject"); got != 0 {
			t.Errorf("PutObject requests = %d, want 0", got)
		}
		h := head(t, check, bucket, "keka/big.parquet")
		if etag := aws.ToString(h.ETag); !strings.HasSuffix(etag, `-3"`) {
			t.Errorf("ETag = %s, want a multipart ETag of 3 parts", etag)
		}
		if aws.ToInt64(h.ContentLength) != int64(len(data)) {
			t.Errorf("ContentLength = %d, want %d", aws.ToInt64(h.ContentLength), len(data))
		}
		assertNoUploads(t, check, bucket)
	})

	t.Run("small object is one PutObject", func(t *testing.T) {
		bucket := newBucket(t, m)
		f := &faults{}
		s := newStore(t, m.S3WithTransport(t, f), s3store.Options{Bucket: bucket})
		if err := write(ctx, s, "small.json", []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
		if f.count("PutObject") != 1 || f.count("CreateMultipartUpload") != 0 {
			t.Errorf("requests = %v, want one PutObject and no multipart upload", f.counts)
		}
	})

	for _, c := range []struct {
		name   string
		status int
		code   string
	}{
		{"retries a part that answered 503 SlowDown", http.StatusServiceUnavailable, "SlowDown"},
		{"retries a part that answered 500", http.StatusInternalServerError, "InternalError"},
	} {
		t.Run(c.name, func(t *testing.T) {
			bucket := newBucket(t, m)
			f := &faults{inject: func(op string, n int, r *http.Request) *http.Response {
				if op == "UploadPart" && n == 1 {
					return s3Error(r, c.status, c.code)
				}
				return nil
			}}
			s := newStore(t, m.S3WithTransport(t, f), s3store.Options{Bucket: bucket})
			data := storetest.Data(20<<20, 2)
			if err := write(ctx, s, "retried.parquet", data); err != nil {
				t.Fatalf("write: %v", err)
			}
			if got := f.count("UploadPart"); got != 4 {
				t.Errorf("UploadPart requests = %d, want 3 parts + 1 retry", got)
			}
			got, err := s.Get(ctx, "retried.parquet")
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("Get = %d bytes, %v; want the %d written", len(got), err, len(data))
			}
			assertNoUploads(t, check, bucket)
		})
	}

	t.Run("every part failing aborts the upload and keeps the previous object", func(t *testing.T) {
		bucket := newBucket(t, m)
		f := &faults{inject: func(op string, n int, r *http.Request) *http.Response {
			if op == "UploadPart" {
				return s3Error(r, http.StatusInternalServerError, "InternalError")
			}
			return nil
		}}
		s := newStore(t, m.S3WithTransport(t, f), s3store.Options{Bucket: bucket, Prefix: "keka"})
		old := []byte("previous snapshot")
		if err := s.Put(ctx, "jobs/part-00000.parquet", old); err != nil {
			t.Fatal(err)
		}
		err := write(ctx, s, "jobs/part-00000.parquet", storetest.Data(20<<20, 3))
		if err == nil {
			t.Fatal("write succeeded, want an error")
		}
		if !strings.Contains(err.Error(), "s3://"+bucket+"/keka/jobs/part-00000.parquet") {
			t.Errorf("error %q does not name the object", err)
		}
		if f.count("AbortMultipartUpload") == 0 {
			t.Errorf("no AbortMultipartUpload request")
		}
		if f.count("CompleteMultipartUpload") != 0 {
			t.Errorf("CompleteMultipartUpload was called")
		}
		got, err := s.Get(ctx, "jobs/part-00000.parquet")
		if err != nil || !bytes.Equal(got, old) {
			t.Fatalf("Get = %q, %v; want the previous object", got, err)
		}
		assertNoUploads(t, check, bucket)
	})

	t.Run("failed completion aborts the upload", func(t *testing.T) {
		bucket := newBucket(t, m)
		f := &faults{inject: func(op string, n int, r *http.Request) *http.Response {
			if op == "CompleteMultipartUpload" {
				return s3Error(r, http.StatusBadRequest, "InvalidPart")
			}
			return nil
		}}
		s := newStore(t, m.S3WithTransport(t, f), s3store.Options{Bucket: bucket})
		if err := write(ctx, s, "x.parquet", storetest.Data(10<<20, 4)); err == nil {
			t.Fatal("write succeeded, want an error")
		}
		if _, err := s.Get(ctx, "x.parquet"); !errors.Is(err, store.ErrNotExist) {
			t.Fatalf("Get: error = %v, want ErrNotExist", err)
		}
		assertNoUploads(t, check, bucket)
	})

	t.Run("abort after parts were uploaded leaves no upload", func(t *testing.T) {
		bucket := newBucket(t, m)
		f := &faults{}
		s := newStore(t, m.S3WithTransport(t, f), s3store.Options{Bucket: bucket})
		w, err := s.Create(ctx, "aborted.parquet")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(storetest.Data(30<<20, 5)); err != nil {
			t.Fatal(err)
		}
		if err := w.Abort(); err != nil {
			t.Fatalf("Abort: %v", err)
		}
		if f.count("UploadPart") == 0 || f.count("AbortMultipartUpload") == 0 {
			t.Errorf("requests = %v, want parts uploaded then aborted", f.counts)
		}
		assertNoUploads(t, check, bucket)
	})
}

func TestStore_Encryption(t *testing.T) {
	ctx := context.Background()
	m := testenv.StartMoto(t)
	check := m.S3(t)
	const kmsKey = "arn:aws:kms:us-east-1:123456789012:key/0b5f5e53-7fc0-4a6b-9f0e-000000000001"

	for _, c := range []struct {
		name    string
		kmsKey  string
		wantSSE types.ServerSideEncryption
	}{
		{"AES256 by default", "", types.ServerSideEncryptionAes256},
		{"aws:kms with a key", kmsKey, types.ServerSideEncryptionAwsKms},
	} {
		t.Run(c.name, func(t *testing.T) {
			bucket := newBucket(t, m)
			s := newStore(t, m.S3(t), s3store.Options{Bucket: bucket, KMSKeyID: c.kmsKey})
			s3store.SetCopyLimits(s, 6<<20, 5<<20)
			if err := s.Put(ctx, "put", []byte("x")); err != nil {
				t.Fatal(err)
			}
			if err := write(ctx, s, "create-small", []byte("x")); err != nil {
				t.Fatal(err)
			}
			if err := write(ctx, s, "create-multipart", storetest.Data(9<<20, 6)); err != nil {
				t.Fatal(err)
			}
			if err := s.Copy(ctx, "put", "copy"); err != nil {
				t.Fatal(err)
			}
			if err := s.Copy(ctx, "create-multipart", "copy-multipart"); err != nil {
				t.Fatal(err)
			}
			for _, key := range []string{"put", "create-small", "create-multipart", "copy", "copy-multipart"} {
				h := head(t, check, bucket, key)
				if h.ServerSideEncryption != c.wantSSE {
					t.Errorf("%s: ServerSideEncryption = %q, want %q", key, h.ServerSideEncryption, c.wantSSE)
				}
				if c.kmsKey != "" && aws.ToString(h.SSEKMSKeyId) != c.kmsKey {
					t.Errorf("%s: SSEKMSKeyId = %q, want %q", key, aws.ToString(h.SSEKMSKeyId), c.kmsKey)
				}
			}
		})
	}
}

func TestStore_Copy(t *testing.T) {
	ctx := context.Background()
	m := testenv.StartMoto(t)
	check := m.S3(t)

	t.Run("above the single-copy limit copies part by part", func(t *testing.T) {
		bucket := newBucket(t, m)
		f := &faults{}
		s := newStore(t, m.S3WithTransport(t, f), s3store.Options{Bucket: bucket, Prefix: "p"})
		s3store.SetCopyLimits(s, 5<<20, 5<<20)
		data := storetest.Data(12<<20+3, 7)
		if err := write(ctx, s, "src/a b.parquet", data); err != nil {
			t.Fatal(err)
		}
		if err := s.Copy(ctx, "src/a b.parquet", "dst/a b.parquet"); err != nil {
			t.Fatalf("Copy: %v", err)
		}
		if got := f.count("UploadPartCopy"); got != 3 {
			t.Errorf("UploadPartCopy requests = %d, want 3", got)
		}
		if got := f.count("CopyObject"); got != 0 {
			t.Errorf("CopyObject requests = %d, want 0", got)
		}
		got, err := s.Get(ctx, "dst/a b.parquet")
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("Get = %d bytes, %v; want the %d of the source", len(got), err, len(data))
		}
		if etag := aws.ToString(head(t, check, bucket, "p/dst/a b.parquet").ETag); !strings.HasSuffix(etag, `-3"`) {
			t.Errorf("ETag = %s, want a multipart ETag of 3 parts", etag)
		}
		assertNoUploads(t, check, bucket)
	})

	t.Run("a failed part copy aborts and keeps the destination", func(t *testing.T) {
		bucket := newBucket(t, m)
		f := &faults{inject: func(op string, n int, r *http.Request) *http.Response {
			if op == "UploadPartCopy" && r.URL.Query().Get("partNumber") == "2" {
				return s3Error(r, http.StatusForbidden, "AccessDenied")
			}
			return nil
		}}
		s := newStore(t, m.S3WithTransport(t, f), s3store.Options{Bucket: bucket})
		s3store.SetCopyLimits(s, 5<<20, 5<<20)
		if err := s.Put(ctx, "src", storetest.Data(12<<20, 8)); err != nil {
			t.Fatal(err)
		}
		if err := s.Put(ctx, "dst", []byte("old")); err != nil {
			t.Fatal(err)
		}
		err := s.Copy(ctx, "src", "dst")
		if err == nil || !strings.Contains(err.Error(), "AccessDenied") {
			t.Fatalf("Copy: error = %v, want the injected AccessDenied", err)
		}
		if got, err := s.Get(ctx, "dst"); err != nil || string(got) != "old" {
			t.Fatalf("Get(dst) = %q, %v; want the old object", got, err)
		}
		assertNoUploads(t, check, bucket)
	})
}

func TestStore_Open(t *testing.T) {
	ctx := context.Background()
	m := testenv.StartMoto(t)
	s := newStore(t, m.S3(t), s3store.Options{Bucket: newBucket(t, m)})
	if err := s.Put(ctx, "k", []byte("first version")); err != nil {
		t.Fatal(err)
	}
	o, err := s.Open(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if err := s.Put(ctx, "k", []byte("second version")); err != nil {
		t.Fatal(err)
	}
	p := make([]byte, 5)
	if n, err := o.ReadAt(p, 0); err == nil {
		t.Fatalf("ReadAt after the object was replaced = %q, want an error", p[:n])
	}
}

func TestStore_Delete(t *testing.T) {
	ctx := context.Background()
	m := testenv.StartMoto(t)
	f := &faults{inject: func(op string, n int, r *http.Request) *http.Response {
		if op != "DeleteObjects" {
			return nil
		}
		body := `<?xml version="1.0" encoding="UTF-8"?><DeleteResult><Error><Key>keka/b</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error></DeleteResult>`
		return &http.Response{
			Status: "200 OK", StatusCode: 200, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header:        http.Header{"Content-Type": {"application/xml"}},
			Body:          io.NopCloser(strings.NewReader(body)),
			ContentLength: int64(len(body)), Request: r,
		}
	}}
	bucket := newBucket(t, m)
	s := newStore(t, m.S3WithTransport(t, f), s3store.Options{Bucket: bucket, Prefix: "keka"})
	err := s.Delete(ctx, "a", "b")
	if err == nil {
		t.Fatal("Delete succeeded, want the per-key error")
	}
	for _, want := range []string{"s3://" + bucket + "/keka/b", "AccessDenied"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestNew(t *testing.T) {
	m := testenv.StartMoto(t)
	client := m.S3(t)
	for _, c := range []struct {
		name   string
		client *s3.Client
		o      s3store.Options
	}{
		{"nil client", nil, s3store.Options{Bucket: "b"}},
		{"no bucket", client, s3store.Options{}},
		{"part too small", client, s3store.Options{Bucket: "b", PartSize: 1 << 20}},
		{"negative concurrency", client, s3store.Options{Bucket: "b", Concurrency: -1}},
		{"bad prefix", client, s3store.Options{Bucket: "b", Prefix: "a/../b"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := s3store.New(c.client, c.o); err == nil {
				t.Fatal("New succeeded, want an error")
			}
		})
	}

	t.Run("errors name the object, not the credentials", func(t *testing.T) {
		s := newStore(t, client, s3store.Options{Bucket: "no-such-bucket", Prefix: "/keka/"})
		err := s.Put(context.Background(), "x.json", []byte("{}"))
		if err == nil {
			t.Fatal("Put to a missing bucket succeeded")
		}
		if !strings.Contains(err.Error(), "s3: put object s3://no-such-bucket/keka/x.json: ") {
			t.Errorf("error %q does not name the object", err)
		}
		if strings.Contains(err.Error(), testenv.MotoSecretKey) {
			t.Errorf("error %q contains the secret key", err)
		}
	})
}
