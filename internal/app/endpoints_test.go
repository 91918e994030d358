package app

import (
	"strings"
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/config"
	"github.com/kekaexport/keka-hire-export/internal/secret"
)

func TestEndpoints(t *testing.T) {
	cases := []struct {
		name              string
		cfg               config.Config
		sec               secret.Secret
		wantBase, wantTok string
		wantErr           bool
	}{
		{"from the variables", config.Config{Company: "acme", Environment: "keka"}, secret.Secret{},
			"https://acme.keka.com/api/v1", "https://login.keka.com/connect/token", false},
		{"the secret wins", config.Config{Company: "acme", Environment: "keka"}, secret.Secret{Company: "globex", Environment: "kekademo"},
			"https://globex.kekademo.com/api/v1", "https://login.kekademo.com/connect/token", false},
		{"overrides win over both", config.Config{Company: "acme", Environment: "keka", BaseURL: "http://127.0.0.1:9/api/v1", TokenURL: "http://127.0.0.1:9/connect/token"}, secret.Secret{Company: "globex"},
			"http://127.0.0.1:9/api/v1", "http://127.0.0.1:9/connect/token", false},
		{"no company anywhere", config.Config{Environment: "keka"}, secret.Secret{}, "", "", true},
		{"bad environment in the secret", config.Config{Company: "acme", Environment: "keka"}, secret.Secret{Environment: "prod"}, "", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base, tok, err := endpoints(tc.cfg, tc.sec)
			if (err != nil) != tc.wantErr || base != tc.wantBase || tok != tc.wantTok {
				t.Errorf("endpoints = %q, %q, %v; want %q, %q, error %v", base, tok, err, tc.wantBase, tc.wantTok, tc.wantErr)
			}
			if err != nil && tc.sec.Environment != "" && !strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q does not say the value came from the secret", err)
			}
		})
	}
}
