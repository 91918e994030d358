package config_test

import (
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones, whether or not this machine has them

	"github.com/kekaexport/keka-hire-export/internal/config"
)

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func with(base map[string]string, kv ...string) map[string]string {
	m := make(map[string]string, len(base)+len(kv)/2)
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

var (
	local = map[string]string{
		"KEKA_COMPANY": "acme", "KEKA_CLIENT_ID": "cid", "KEKA_CLIENT_SECRET": "topsecret-value", "KEKA_API_KEY": "apikey-value",
	}
	lambdaEnv = map[string]string{"KEKA_COMPANY": "acme", "KEKA_SECRET_ID": "keka/prod", "EXPORT_BUCKET": "exports"}
)

func TestFromEnv(t *testing.T) {
	t.Run("local defaults", func(t *testing.T) {
		got, err := config.FromEnv(env(local), false)
		if err != nil {
			t.Fatal(err)
		}
		want := config.Config{
			Company: "acme", Environment: "keka",
			ClientID: "cid", ClientSecret: "topsecret-value", APIKey: "apikey-value",
			RequestsPerMinute: 50, Concurrency: 6, RequestTimeout: 30 * time.Second, Zone: time.UTC, Prefix: "keka", PII: "keep",
			MaxShrink: 0.2, SecretTTL: 5 * time.Minute, DeadlineMargin: 30 * time.Second, LogLevel: slog.LevelInfo,
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("FromEnv =\n%+v\nwant\n%+v", got, want)
		}
	})

	t.Run("lambda, everything set", func(t *testing.T) {
		got, err := config.FromEnv(env(with(lambdaEnv,
			"KEKA_ENVIRONMENT", "KekaDemo", "KEKA_REQUESTS_PER_MINUTE", "40.5", "KEKA_REQUEST_TIMEOUT", "1m",
			"EXPORT_PREFIX", "/exports/keka/", "EXPORT_S3_PATH_STYLE", "true", "EXPORT_KMS_KEY_ID", "alias/x",
			"EXPORT_PII", "hash", "EXPORT_MAX_SHRINK", "1", "EXPORT_SECRET_TTL", "90s", "EXPORT_DEADLINE_MARGIN", "45s",
			"LOG_LEVEL", "DEBUG", "KEKA_TIMEZONE", " Asia/Kolkata ", "KEKA_CONCURRENCY", "8",
			"KEKA_FETCH_SCOPE", "30D", "EXPORT_DATASETS", "jobs, job_candidates,,interviews,jobs")), true)
		if err != nil {
			t.Fatal(err)
		}
		if got.Zone == nil || got.Zone.String() != "Asia/Kolkata" {
			t.Fatalf("Zone = %v, want Asia/Kolkata", got.Zone)
		}
		if _, off := time.Date(2026, 10, 2, 9, 14, 0, 0, got.Zone).Zone(); off != 5*3600+1800 {
			t.Errorf("Zone's offset = %ds, want +05:30", off)
		}
		got.Zone = nil // a loaded zone is a new pointer each time
		want := config.Config{
			Company: "acme", Environment: "kekademo", SecretID: "keka/prod",
			RequestsPerMinute: 40.5, Concurrency: 8, RequestTimeout: time.Minute, Bucket: "exports", Prefix: "exports/keka",
			S3PathStyle: true, KMSKeyID: "alias/x", PII: "hash", MaxShrink: 1, SecretTTL: 90 * time.Second,
			DeadlineMargin: 45 * time.Second, LogLevel: slog.LevelDebug,
			FetchScope: "30d", Datasets: []string{"jobs", "job_candidates", "interviews"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("FromEnv =\n%+v\nwant\n%+v", got, want)
		}
	})

	t.Run("fetch scope", func(t *testing.T) {
		for _, v := range []string{"all", "active", "1d", "3650d"} {
			if got, err := config.FromEnv(env(with(local, "KEKA_FETCH_SCOPE", v)), false); err != nil || got.FetchScope != v {
				t.Errorf("KEKA_FETCH_SCOPE=%s: %q, %v", v, got.FetchScope, err)
			}
		}
		for _, v := range []string{"0d", "3651d", "d", "week", "-1d"} {
			if _, err := config.FromEnv(env(with(local, "KEKA_FETCH_SCOPE", v)), false); err == nil || !strings.Contains(err.Error(), "KEKA_FETCH_SCOPE") {
				t.Errorf("KEKA_FETCH_SCOPE=%s: %v, want an error naming it", v, err)
			}
		}
	})

	t.Run("time zones", func(t *testing.T) {
		for _, tc := range []struct{ in, want string }{{"", "UTC"}, {"UTC", "UTC"}, {"Etc/UTC", "Etc/UTC"}, {"America/New_York", "America/New_York"}} {
			got, err := config.FromEnv(env(with(local, "KEKA_TIMEZONE", tc.in)), false)
			if err != nil {
				t.Fatalf("KEKA_TIMEZONE=%q: %v", tc.in, err)
			}
			if got.Zone == nil || got.Zone.String() != tc.want {
				t.Errorf("KEKA_TIMEZONE=%q: Zone = %v, want %s", tc.in, got.Zone, tc.want)
			}
		}
	})

	t.Run("URL overrides replace the company", func(t *testing.T) {
		e := with(local, "KEKA_COMPANY", "", "KEKA_BASE_URL", "http://127.0.0.1:8080/api/v1/", "KEKA_TOKEN_URL", "http://localhost:8080/connect/token")
		got, err := config.FromEnv(env(e), false)
		if err != nil {
			t.Fatal(err)
		}
		if got.BaseURL != "http://127.0.0.1:8080/api/v1" || got.TokenURL != "http://localhost:8080/connect/token" {
			t.Errorf("URLs = %s, %s", got.BaseURL, got.TokenURL)
		}
	})

	t.Run("company left to the secret", func(t *testing.T) {
		got, err := config.FromEnv(env(with(lambdaEnv, "KEKA_COMPANY", "", "EXPORT_PII", "hash")), true)
		if err != nil {
			t.Fatal(err)
		}
		if got.Company != "" || got.BaseURL != "" || got.TokenURL != "" || got.Environment != "keka" {
			t.Errorf("endpoints set before the secret is read: %+v", got)
		}
	})

	secrets := []string{"topsecret-value", "apikey-value", "short-key"}
	tests := []struct {
		name   string
		env    map[string]string
		lambda bool
		want   []string // every one must appear in the error
	}{
		{"bad environment", with(local, "KEKA_ENVIRONMENT", "keka.com"), false, []string{`KEKA_ENVIRONMENT "keka.com" is not keka or kekademo`}},
		{"no company", with(local, "KEKA_COMPANY", ""), false, []string{"KEKA_COMPANY is not set"}},
		{"one URL override is not enough", with(local, "KEKA_COMPANY", "", "KEKA_BASE_URL", "https://x.example/api/v1"), false, []string{"KEKA_COMPANY is not set"}},
		{"company not a label", with(local, "KEKA_COMPANY", "acme.keka.com"), false, []string{`KEKA_COMPANY "acme.keka.com" is not a subdomain`}},
		{"company with a leading hyphen", with(local, "KEKA_COMPANY", "-acme"), false, []string{"KEKA_COMPANY"}},
		{"http base URL", with(local, "KEKA_BASE_URL", "http://keka.example/api/v1"), false, []string{"KEKA_BASE_URL must use https (http only for a loopback host)"}},
		{"relative token URL", with(local, "KEKA_TOKEN_URL", "/connect/token"), false, []string{"KEKA_TOKEN_URL is not an absolute URL"}},
		{"URL with credentials", with(local, "KEKA_TOKEN_URL", "https://u:topsecret-value@login.keka.com/connect/token"), false, []string{"KEKA_TOKEN_URL must not carry a user or password"}},
		{"ftp URL", with(local, "KEKA_BASE_URL", "ftp://x/y"), false, []string{"KEKA_BASE_URL must use https"}},
		{"local without credentials", map[string]string{"KEKA_COMPANY": "acme", "KEKA_CLIENT_ID": "cid"}, false,
			[]string{"KEKA_CLIENT_SECRET, KEKA_API_KEY not set"}},
		{"lambda without secret or bucket", map[string]string{"KEKA_COMPANY": "acme"}, true, []string{"KEKA_SECRET_ID and EXPORT_BUCKET not set: required in Lambda"}},
		{"lambda without bucket", with(lambdaEnv, "EXPORT_BUCKET", ""), true, []string{"EXPORT_BUCKET not set"}},
		{"concurrency zero", with(local, "KEKA_CONCURRENCY", "0"), false, []string{`KEKA_CONCURRENCY 0 is not between 1 and 32`}},
		{"concurrency too high", with(local, "KEKA_CONCURRENCY", "1000"), false, []string{`KEKA_CONCURRENCY 1000 is not between 1 and 32`}},
		{"concurrency not a number", with(local, "KEKA_CONCURRENCY", "four"), false, []string{`KEKA_CONCURRENCY "four" is not a whole number`}},
		{"rpm zero", with(local, "KEKA_REQUESTS_PER_MINUTE", "0"), false, []string{`KEKA_REQUESTS_PER_MINUTE "0" is below 1: want at least 1`}},
		{"rpm tiny", with(local, "KEKA_REQUESTS_PER_MINUTE", "1e-9"), false, []string{`KEKA_REQUESTS_PER_MINUTE "1e-9" is below 1`}},
		{"rpm below one", with(local, "KEKA_REQUESTS_PER_MINUTE", "0.99"), false, []string{`KEKA_REQUESTS_PER_MINUTE "0.99" is below 1`}},
		{"rpm underflow", with(local, "KEKA_REQUESTS_PER_MINUTE", "1e-400"), false, []string{`KEKA_REQUESTS_PER_MINUTE "1e-400" is below 1`}},
		{"rpm negative", with(local, "KEKA_REQUESTS_PER_MINUTE", "-50"), false, []string{`KEKA_REQUESTS_PER_MINUTE "-50" is below 1`}},
		{"rpm text", with(local, "KEKA_REQUESTS_PER_MINUTE", "fast"), false, []string{`KEKA_REQUESTS_PER_MINUTE "fast" is not a number`}},
		{"rpm NaN", with(local, "KEKA_REQUESTS_PER_MINUTE", "NaN"), false, []string{`KEKA_REQUESTS_PER_MINUTE "NaN" is not a finite number`}},
		{"rpm infinite", with(local, "KEKA_REQUESTS_PER_MINUTE", "+Inf"), false, []string{`KEKA_REQUESTS_PER_MINUTE "+Inf" is not a finite number`}},
		{"rpm overflow", with(local, "KEKA_REQUESTS_PER_MINUTE", "1e400"), false, []string{`KEKA_REQUESTS_PER_MINUTE "1e400" is not a finite number`}},
		{"max shrink NaN", with(local, "EXPORT_MAX_SHRINK", "nan"), false, []string{`EXPORT_MAX_SHRINK "nan" is not a finite number`}},
		{"max shrink infinite", with(local, "EXPORT_MAX_SHRINK", "-inf"), false, []string{`EXPORT_MAX_SHRINK "-inf" is not a finite number`}},
		{"unknown zone", with(local, "KEKA_TIMEZONE", "Asia/Kolkatta"), false, []string{`KEKA_TIMEZONE "Asia/Kolkatta" is not an IANA time zone: want a name such as Asia/Kolkata or UTC`}},
		{"zone as an offset", with(local, "KEKA_TIMEZONE", "+05:30"), false, []string{`KEKA_TIMEZONE "+05:30" is not an IANA time zone`}},
		{"zone as an abbreviation", with(local, "KEKA_TIMEZONE", "IST"), false, []string{`KEKA_TIMEZONE "IST" is not an IANA time zone`}},
		{"the machine's zone", with(local, "KEKA_TIMEZONE", "Local"), false, []string{`KEKA_TIMEZONE "Local" is not an IANA time zone`}},
		{"zone as a path", with(local, "KEKA_TIMEZONE", "../../etc/passwd"), false, []string{`KEKA_TIMEZONE "../../etc/passwd" is not an IANA time zone`}},
		{"zone as an absolute path", with(local, "KEKA_TIMEZONE", "/usr/share/zoneinfo/UTC"), false, []string{`KEKA_TIMEZONE`}},
		{"negative timeout", with(local, "KEKA_REQUEST_TIMEOUT", "-30s"), false, []string{`KEKA_REQUEST_TIMEOUT "-30s" is out of range`}},
		{"sub-second timeout", with(local, "KEKA_REQUEST_TIMEOUT", "500ms"), false, []string{`KEKA_REQUEST_TIMEOUT "500ms" is out of range`}},
		{"negative margin", with(local, "EXPORT_DEADLINE_MARGIN", "-1s"), false, []string{`EXPORT_DEADLINE_MARGIN "-1s" is out of range`}},
		{"duration overflow", with(local, "EXPORT_SECRET_TTL", "9999999999h"), false, []string{`EXPORT_SECRET_TTL "9999999999h" is not a duration`}},
		{"max shrink above 1", with(local, "EXPORT_MAX_SHRINK", "1.5"), false, []string{`EXPORT_MAX_SHRINK "1.5" must be between 0 and 1`}},
		{"max shrink negative", with(local, "EXPORT_MAX_SHRINK", "-0.1"), false, []string{"EXPORT_MAX_SHRINK"}},
		{"bucket given as a URL", with(local, "EXPORT_BUCKET", "s3://snapshots"), false, []string{"EXPORT_BUCKET", "not an s3:// URL"}},
		{"prefix with an empty segment", with(local, "EXPORT_PREFIX", "keka//daily"), false, []string{"EXPORT_PREFIX"}},
		{"prefix climbing out", with(local, "EXPORT_PREFIX", "keka/../other"), false, []string{"EXPORT_PREFIX"}},
		{"no deadline margin", with(local, "EXPORT_DEADLINE_MARGIN", "0s"), false, []string{"EXPORT_DEADLINE_MARGIN"}},
		{"timeout without unit", with(local, "KEKA_REQUEST_TIMEOUT", "30"), false, []string{`KEKA_REQUEST_TIMEOUT "30" is not a duration`}},
		{"timeout zero", with(local, "KEKA_REQUEST_TIMEOUT", "0s"), false, []string{"KEKA_REQUEST_TIMEOUT \"0s\" is out of range"}},
		{"negative TTL", with(local, "EXPORT_SECRET_TTL", "-1m"), false, []string{"EXPORT_SECRET_TTL"}},
		{"zero TTL", with(local, "EXPORT_SECRET_TTL", "0s"), false, []string{"EXPORT_SECRET_TTL"}},
		{"huge margin", with(local, "EXPORT_DEADLINE_MARGIN", "1h"), false, []string{"EXPORT_DEADLINE_MARGIN"}},
		{"path style", with(local, "EXPORT_S3_PATH_STYLE", "yes"), false, []string{`EXPORT_S3_PATH_STYLE "yes" is not true or false`}},
		{"log level", with(local, "LOG_LEVEL", "verbose"), false, []string{`LOG_LEVEL "verbose" is not debug, info, warn or error`}},
		{"PII mode", with(local, "EXPORT_PII", "mask"), false, []string{`EXPORT_PII "mask" is not keep, hash or drop`}},
		{"hash without key, local", with(local, "EXPORT_PII", "hash"), false, []string{"KEKA_PII_HASH_KEY is not set: EXPORT_PII=hash needs a key"}},
		{"short hash key", with(local, "EXPORT_PII", "hash", "KEKA_PII_HASH_KEY", "short-key"), false, []string{"KEKA_PII_HASH_KEY is too short"}},
		{"several problems on one line", with(local, "KEKA_ENVIRONMENT", "prod", "EXPORT_PII", "x", "KEKA_API_KEY", "",
			"KEKA_REQUESTS_PER_MINUTE", "1e-9", "KEKA_TIMEZONE", "Mars/Olympus"), false,
			[]string{"KEKA_ENVIRONMENT", "; ", "KEKA_API_KEY not set", "EXPORT_PII", "KEKA_REQUESTS_PER_MINUTE", "KEKA_TIMEZONE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.FromEnv(env(tt.env), tt.lambda)
			if err == nil {
				t.Fatal("FromEnv succeeded")
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans several lines: %q", msg)
			}
			for _, s := range secrets {
				if strings.Contains(msg, s) {
					t.Errorf("error %q reveals a secret", msg)
				}
			}
		})
	}

	t.Run("hash without key is fine in Lambda", func(t *testing.T) {
		if _, err := config.FromEnv(env(with(lambdaEnv, "EXPORT_PII", "hash")), true); err != nil {
			t.Error(err)
		}
	})
	t.Run("local with a secret needs no credentials", func(t *testing.T) {
		if _, err := config.FromEnv(env(map[string]string{"KEKA_COMPANY": "acme", "KEKA_SECRET_ID": "s"}), false); err != nil {
			t.Error(err)
		}
	})
}
