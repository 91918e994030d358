package keka

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// BaseURL returns the API base for a tenant, https://{company}.{environment}.com/api/v1.
// It returns an error naming the bad value when environment is not "keka" or
// "kekademo", or when company is not a DNS label.
func BaseURL(company, environment string) (string, error) {
	if err := checkEnvironment(environment); err != nil {
		return "", err
	}
	if err := checkCompany(company); err != nil {
		return "", err
	}
	return "https://" + company + "." + environment + ".com/api/v1", nil
}

// TokenURL returns the token endpoint of an environment,
// https://login.{environment}.com/connect/token. It returns an error when
// environment is not "keka" or "kekademo".
func TokenURL(environment string) (string, error) {
	if err := checkEnvironment(environment); err != nil {
		return "", err
	}
	return "https://login." + environment + ".com/connect/token", nil
}

func checkEnvironment(env string) error {
	if env == "keka" || env == "kekademo" {
		return nil
	}
	return fmt.Errorf(`keka: environment must be "keka" or "kekademo", got %q`, env)
}

// checkCompany accepts a DNS label: 1 to 63 lowercase letters, digits and
// hyphens, not starting or ending with a hyphen.
func checkCompany(company string) error {
	bad := func(why string) error {
		return fmt.Errorf("keka: company must be the tenant's subdomain (lowercase letters, digits and hyphens, e.g. \"acme\" for acme.keka.com): %s, got %q", why, company)
	}
	switch {
	case company == "":
		return bad("it is empty")
	case len(company) > 63:
		return bad("it is longer than 63 characters")
	case company[0] == '-' || company[len(company)-1] == '-':
		return bad("it starts or ends with a hyphen")
	}
	for _, r := range company {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
		case r >= 'A' && r <= 'Z':
			return bad("it has uppercase letters")
		default:
			return bad(fmt.Sprintf("it contains %q", r))
		}
	}
	return nil
}

// CheckURL returns an error unless raw is an absolute https URL, or an http
// URL whose host is loopback (127.0.0.0/8, ::1 or localhost).
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("keka: URL %q does not parse: %w", raw, err)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("keka: URL %q has no host; want e.g. https://acme.keka.com/api/v1", raw)
	}
	if u.User != nil {
		return fmt.Errorf("keka: URL %q must not carry user information", redactUserinfo(u))
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("keka: URL %q must use https (http is allowed only for loopback hosts)", raw)
	default:
		return fmt.Errorf("keka: URL %q must use https, got scheme %q", raw, u.Scheme)
	}
}

func redactUserinfo(u *url.URL) string {
	c := *u
	c.User = url.User("redacted")
	return c.String()
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
