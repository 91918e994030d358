package keka_test

import (
	"strings"
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

func TestBaseURL(t *testing.T) {
	cases := []struct {
		company, env string
		want         string
		wantErr      string
	}{
		{"acme", "keka", "https://acme.keka.com/api/v1", ""},
		{"acme-2", "kekademo", "https://acme-2.kekademo.com/api/v1", ""},
		{"a", "keka", "https://a.keka.com/api/v1", ""},
		{"acme", "prod", "", `keka: environment must be "keka" or "kekademo", got "prod"`},
		{"acme", "Keka", "", `environment must be "keka" or "kekademo", got "Keka"`},
		{"acme", "", "", `environment must be "keka" or "kekademo", got ""`},
		{"", "keka", "", "company must be the tenant's subdomain"},
		{"Acme", "keka", "", "uppercase"},
		{"acme.evil.com", "keka", "", `contains '.'`},
		{"acme/x", "keka", "", `contains '/'`},
		{"-acme", "keka", "", "hyphen"},
		{"acme-", "keka", "", "hyphen"},
		{strings.Repeat("a", 64), "keka", "", "longer than 63"},
	}
	for _, tc := range cases {
		got, err := keka.BaseURL(tc.company, tc.env)
		if tc.wantErr == "" {
			if err != nil || got != tc.want {
				t.Errorf("BaseURL(%q, %q) = %q, %v; want %q", tc.company, tc.env, got, err, tc.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("BaseURL(%q, %q) error = %v; want it to contain %q", tc.company, tc.env, err, tc.wantErr)
		}
	}
}

func TestTokenURL(t *testing.T) {
	for env, want := range map[string]string{
		"keka":     "https://login.keka.com/connect/token",
		"kekademo": "https://login.kekademo.com/connect/token",
	} {
		if got, err := keka.TokenURL(env); err != nil || got != want {
			t.Errorf("TokenURL(%q) = %q, %v; want %q", env, got, err, want)
		}
	}
	if _, err := keka.TokenURL("staging"); err == nil || !strings.Contains(err.Error(), `environment must be "keka" or "kekademo", got "staging"`) {
		t.Errorf("TokenURL(staging) error = %v", err)
	}
}

func TestCheckURL(t *testing.T) {
	cases := []struct {
		raw string
		ok  bool
	}{
		{"https://acme.keka.com/api/v1", true},
		{"https://login.keka.com/connect/token", true},
		{"http://127.0.0.1:8080/api/v1", true},
		{"http://127.1.2.3:80", true},
		{"http://[::1]:9000/api/v1", true},
		{"http://localhost:9000", true},
		{"http://LOCALHOST", true},
		{"http://acme.keka.com/api/v1", false},
		{"http://10.0.0.1/api/v1", false},
		{"http://localhost.evil.com/", false},
		{"ftp://127.0.0.1/", false},
		{"/api/v1", false},
		{"https://", false},
		{"https://user:pw@acme.keka.com/", false},
		{"://bad", false},
	}
	for _, tc := range cases {
		err := keka.CheckURL(tc.raw)
		if (err == nil) != tc.ok {
			t.Errorf("CheckURL(%q) = %v, want ok=%v", tc.raw, err, tc.ok)
		}
		if err != nil && strings.Contains(err.Error(), "pw@") {
			t.Errorf("CheckURL error %q shows the password", err)
		}
	}
}
