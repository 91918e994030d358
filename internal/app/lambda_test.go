package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/parquet-go/parquet-go"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
	"github.com/kekaexport/keka-hire-export/internal/testenv"
)

const (
	bucket   = "keka-snapshots"
	secretID = "keka/export"
)

// lambdaWorld is moto (S3 and Secrets Manager), the Keka simulator and the
// built bootstrap, shared by the Lambda tests.
type lambdaWorld struct {
	moto      *testenv.Moto
	s3        *s3.Client
	sm        *secretsmanager.Client
	sim       *kekasim.Server
	bootstrap string
}

func newLambdaWorld(t *testing.T) *lambdaWorld {
	t.Helper()
	w := &lambdaWorld{moto: testenv.StartMoto(t)}
	w.s3 = w.moto.S3(t)
	w.sm = w.moto.SecretsManager(t)
	w.moto.CreateBucket(t, bucket)
	var err error
	w.sim, err = kekasim.Start(kekasim.NewTenant(11, kekasim.Size{Jobs: 30, Applications: 1800, Preboarding: 220}), kekasim.Options{RequestsPerMinute: 100000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.sim.Close() })
	w.bootstrap = testenv.BuildBootstrap(t)
	return w
}

func (w *lambdaWorld) putSecret(t *testing.T, id, value string) {
	t.Helper()
	ctx := context.Background()
	_, err := w.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(id), SecretString: aws.String(value)})
	if err != nil {
		if _, err = w.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(id), SecretString: aws.String(value)}); err != nil {
			t.Fatalf("create secret: %v", err)
		}
	}
}

func credentialsJSON(secret string) string {
	return fmt.Sprintf(`{"client_id":"sim-client-id","client_secret":%q,"api_key":"sim-api-key"}`, secret)
}

func (w *lambdaWorld) env(prefix, secret string, extra ...string) []string {
	env := append(w.moto.Env(),
		"KEKA_SECRET_ID="+secret,
		"KEKA_BASE_URL="+w.sim.BaseURL(),
		"KEKA_TOKEN_URL="+w.sim.TokenURL(),
		"KEKA_REQUESTS_PER_MINUTE=100000",
		"KEKA_REQUEST_TIMEOUT=5s",
		"EXPORT_BUCKET="+bucket,
		"EXPORT_PREFIX="+prefix,
		"EXPORT_S3_PATH_STYLE=true",
	)
	if !slices.ContainsFunc(extra, func(kv string) bool { return strings.HasPrefix(kv, "EXPORT_DEADLINE_MARGIN=") }) {
		env = append(env, "EXPORT_DEADLINE_MARGIN=5s")
	}
	return append(env, extra...)
}

func decodeResult(t *testing.T, b []byte) snapshot.Result {
	t.Helper()
	var res snapshot.Result
	if err := json.Unmarshal(b, &res); err != nil || res.Status == "" {
		t.Fatalf("the function did not return a result: %v: %s", err, b)
	}
	return res
}

// invokeToEnd repeats the invocation, as the Step Functions loop does, until
// the run is no longer in progress.
func invokeToEnd(t *testing.T, rie *testenv.RIE, first snapshot.Result) snapshot.Result {
	t.Helper()
	res := first
	for i := 0; res.Status == snapshot.StatusInProgress; i++ {
		if i > 200 {
			t.Fatal("the run did not complete in 200 invocations")
		}
		next := fmt.Sprintf(`{"snapshotDate":%q,"runId":%q}`, res.SnapshotDate, res.RunID)
		res = decodeResult(t, rie.Invoke(t, []byte(next)))
	}
	return res
}

func (w *lambdaWorld) objects(t *testing.T, prefix string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	p := s3.NewListObjectsV2Paginator(w.s3, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix + "/")})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			out[strings.TrimPrefix(*o.Key, prefix+"/")] = *o.Size
		}
	}
	return out
}

func (w *lambdaWorld) get(t *testing.T, key string) ([]byte, *s3.GetObjectOutput) {
	t.Helper()
	out, err := w.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b, out
}

func readS3Rows[T any](t *testing.T, w *lambdaWorld, key string) []T {
	t.Helper()
	b, out := w.get(t, key)
	if out.ServerSideEncryption == "" {
		t.Errorf("%s is not encrypted at rest", key)
	}
	rows, err := parquet.Read[T](bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return rows
}

// checkS3Snapshot compares the published partitions of date under prefix
// with the simulator's tenant: every record exactly once, one run.
func checkS3Snapshot(t *testing.T, w *lambdaWorld, prefix, date, runID string) {
	t.Helper()
	truth := w.sim.Truth()
	want := []string{"_runs/dt=" + date + "/checkpoint.json"}
	for _, d := range dataset.Default() {
		want = append(want, "_manifests/"+d.Name+"/dt="+date+".json", d.Name+"/dt="+date+"/part-00000.parquet")
	}
	slices.Sort(want)
	objs := w.objects(t, prefix)
	var got []string
	for k := range objs {
		if strings.Contains(k, "dt="+date) {
			got = append(got, k)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("objects under s3://%s/%s:\n%s\nwant:\n%s", bucket, prefix, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	apps := readS3Rows[dataset.JobCandidateRow](t, w, prefix+"/job_candidates/dt="+date+"/part-00000.parquet")
	wantApps := map[string]kekasim.TruthApplication{}
	for _, a := range truth.Applications {
		wantApps[a.JobID+"/"+a.CandidateID] = a
	}
	seen := map[string]bool{}
	for _, r := range apps {
		k := r.JobID + "/" + r.CandidateID
		a, ok := wantApps[k]
		switch {
		case seen[k]:
			t.Errorf("%s exported twice", k)
		case !ok:
			t.Errorf("%s is not in the tenant", k)
		case r.IsArchived != a.Archived || r.RunID != runID:
			t.Errorf("%s: is_archived %v run %s, want %v %s", k, r.IsArchived, r.RunID, a.Archived, runID)
		}
		seen[k] = true
	}
	if len(seen) != len(wantApps) {
		t.Errorf("%d applications exported, the tenant has %d", len(seen), len(wantApps))
	}
	if n := len(readS3Rows[dataset.JobRow](t, w, prefix+"/jobs/dt="+date+"/part-00000.parquet")); n != len(truth.Jobs) {
		t.Errorf("%d jobs exported, the tenant has %d", n, len(truth.Jobs))
	}
	if n := len(readS3Rows[dataset.PreboardingCandidateRow](t, w, prefix+"/preboarding_candidates/dt="+date+"/part-00000.parquet")); n != len(truth.Preboarding) {
		t.Errorf("%d preboarding candidates exported, the tenant has %d", n, len(truth.Preboarding))
	}
	b, _ := w.get(t, prefix+"/"+snapshot.ManifestKey("job_candidates", date))
	var m snapshot.Manifest
	if err := json.Unmarshal(b, &m); err != nil || m.RunID != runID || m.Rows != int64(len(wantApps)) || m.Objects[0].Size != objs["job_candidates/dt="+date+"/part-00000.parquet"] {
		t.Errorf("manifest %s (%v) does not describe run %s with %d rows", b, err, runID, len(wantApps))
	}
}

func TestLambda(t *testing.T) {
	if testing.Short() {
		t.Skip("starts moto_server and the Lambda runtime emulator")
	}
	w := newLambdaWorld(t)
	secret := "sim-client-secret"
	w.putSecret(t, secretID, credentialsJSON(secret))

	t.Run("scheduled event through the AWS CLI, then again for the same date", func(t *testing.T) {
		rie := testenv.StartRIE(t, w.bootstrap, w.env("keka", secretID), 120*time.Second)
		res := invokeToEnd(t, rie, decodeResult(t, rie.InvokeCLI(t, "events/scheduled.json", nil)))
		if res.Status != snapshot.StatusComplete || res.SnapshotDate != "2026-11-26" {
			t.Fatalf("result %+v", res)
		}
		checkS3Snapshot(t, w, "keka", "2026-11-26", res.RunID)

		again := invokeToEnd(t, rie, decodeResult(t, rie.Invoke(t, readEventFile(t, "events/scheduled.json"))))
		if again.Status != snapshot.StatusComplete || again.RunID == res.RunID {
			t.Fatalf("second run %+v", again)
		}
		checkS3Snapshot(t, w, "keka", "2026-11-26", again.RunID)

		logs := rie.Logs()
		for _, want := range []string{`"request_id"`, `"run_id":"` + again.RunID, `"snapshot_date":"2026-11-26"`} {
			if !strings.Contains(logs, want) {
				t.Errorf("the function's logs lack %s", want)
			}
		}
		for _, leak := range []string{secret, "sim-api-key", "Bearer "} {
			if strings.Contains(logs, leak) {
				t.Errorf("the function's logs contain %q", leak)
			}
		}
		// Each publishing invocation wrote its metrics to standard output.
		var emfLines []byte
		for _, line := range strings.Split(logs, "\n") {
			if strings.Contains(line, `"_aws":`) && strings.Contains(line, `"Dataset":"jobs"`) {
				emfLines = append(emfLines, line+"\n"...)
			}
		}
		if n := strings.Count(string(emfLines), "\n"); n != 2 {
			t.Errorf("%d EMF lines with the jobs dataset's figures in the function's log, want one for each of the 2 runs", n)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(emfLines)), "\n") {
			m := readEMF(t, []byte(line))
			for k, v := range m {
				if strings.HasPrefix(k, "Rows ") && v != float64(len(w.sim.Truth().Jobs)) {
					t.Errorf("%s = %v, want %d", k, v, len(w.sim.Truth().Jobs))
				}
			}
		}
	})

	t.Run("a run spans invocations at the deadline, and a rotated secret is picked up", func(t *testing.T) {
		w.sim.SetFaults(kekasim.Faults{Slow: 1, SlowDelay: 100 * time.Millisecond})
		defer w.sim.SetFaults(kekasim.Faults{})
		// One request at a time, so that the slowed tenant needs several
		// invocations of 1.5 seconds of fetching each. The margin leaves
		// publishing (eight datasets, one invocation) its time on a busy
		// machine.
		rie := testenv.StartRIE(t, w.bootstrap, w.env("resumed", secretID, "EXPORT_DEADLINE_MARGIN=5500ms", "EXPORT_SECRET_TTL=1h", "KEKA_CONCURRENCY=1"), 7*time.Second)
		res := decodeResult(t, rie.Invoke(t, []byte(`{"snapshotDate":"2026-11-20"}`)))
		if res.Status != snapshot.StatusInProgress {
			t.Fatalf("the first invocation did not stop at its deadline: %+v", res)
		}
		// Rotate the key between invocations: Keka revokes the old one, the
		// secret gets the new one, and the warm container's cached secret is
		// stale.
		w.sim.RotateCredentials("rotated-secret")
		w.putSecret(t, secretID, credentialsJSON("rotated-secret"))
		defer func() {
			w.sim.RotateCredentials(secret)
			w.putSecret(t, secretID, credentialsJSON(secret))
		}()
		res = invokeToEnd(t, rie, res)
		if res.Status != snapshot.StatusComplete || res.Invocations < 3 {
			t.Fatalf("result %+v; want complete after at least 3 invocations", res)
		}
		checkS3Snapshot(t, w, "resumed", "2026-11-20", res.RunID)
		if strings.Contains(rie.Logs(), "rotated-secret") {
			t.Error("the rotated secret appears in the logs")
		}
	})

	t.Run("bad secrets fail with one clear error naming the secret and field", func(t *testing.T) {
		w.putSecret(t, "keka/no-api-key", `{"client_id":"sim-client-id","client_secret":"hidden-value"}`)
		w.putSecret(t, "keka/not-json", `client_secret=hidden-value`)
		for name, tc := range map[string]struct{ id, want string }{
			"missing":       {"keka/absent", "keka/absent"},
			"missing field": {"keka/no-api-key", `"api_key"`},
			"not JSON":      {"keka/not-json", "not JSON"},
		} {
			t.Run(name, func(t *testing.T) {
				rie := testenv.StartRIE(t, w.bootstrap, w.env("bad", tc.id), 30*time.Second)
				out := rie.Invoke(t, readEventFile(t, "events/manual.json"))
				var fe struct{ ErrorMessage, ErrorType string }
				if err := json.Unmarshal(out, &fe); err != nil || fe.ErrorType != "SetupFailed" || !strings.Contains(fe.ErrorMessage, tc.want) || strings.Contains(fe.ErrorMessage, "\n") {
					t.Errorf("response %s is not one SetupFailed error naming %s", out, tc.want)
				}
				if strings.Contains(string(out)+rie.Logs(), "hidden-value") {
					t.Error("the secret's value leaked")
				}
				if objs := w.objects(t, "bad"); len(objs) != 0 {
					t.Errorf("objects written: %v", objs)
				}
			})
		}
	})

	t.Run("bad configuration answers every invocation with one clear error", func(t *testing.T) {
		var env []string
		for _, kv := range w.env("noconfig", secretID) {
			if !strings.HasPrefix(kv, "EXPORT_BUCKET=") {
				env = append(env, kv)
			}
		}
		rie := testenv.StartRIE(t, w.bootstrap, env, 30*time.Second)
		for range 2 {
			var fe struct{ ErrorMessage, ErrorType string }
			out := rie.Invoke(t, readEventFile(t, "events/manual.json"))
			if err := json.Unmarshal(out, &fe); err != nil || fe.ErrorType != "SetupFailed" || !strings.Contains(fe.ErrorMessage, "EXPORT_BUCKET") {
				t.Errorf("response %s does not name EXPORT_BUCKET", out)
			}
		}
	})

	t.Run("an invalid event is rejected before any request", func(t *testing.T) {
		rie := testenv.StartRIE(t, w.bootstrap, w.env("invalid", secretID), 30*time.Second)
		before := w.sim.Stats().Requests
		out := string(rie.Invoke(t, []byte(`{"datasets":["offers"]}`)))
		if !strings.Contains(out, `"errorType":"InvalidEvent"`) || !strings.Contains(out, "offers") {
			t.Errorf("response %s", out)
		}
		if after := w.sim.Stats().Requests; after != before {
			t.Errorf("%d API requests for an invalid event", after-before)
		}
	})
}

func readEventFile(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.ModuleRoot(t), filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
