package keka

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// ErrConfiguration is matched (errors.Is) by errors that only a change of
// configuration fixes: a URL whose server does not speak https, a TLS
// certificate that does not verify, a redirect. Such errors are Permanent.
var ErrConfiguration = errors.New("keka: configuration")

// configError is a failure that says the configured URL is wrong.
type configError struct {
	msg string
	err error // the cause, for errors.As; nil when msg says it all
}

func (e *configError) Error() string        { return e.msg }
func (e *configError) Unwrap() error        { return e.err }
func (e *configError) Is(target error) bool { return target == ErrConfiguration }

// userAgent sets the product's User-Agent on every request it carries,
// token requests included: Keka's Azure application gateway turns away
// default client agents such as Go-http-client/1.1 with an HTML 403.
type userAgent struct {
	base http.RoundTripper
	ua   string
}

func (ua userAgent) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context()) // a RoundTripper must not change the caller's request
	r.Header.Set("User-Agent", ua.ua)
	return ua.base.RoundTrip(r)
}

// redirectError is a redirect the client refused to follow.
type redirectError struct {
	status int
	to     string // the target's origin (scheme://host:port), never its query
}

func (e *redirectError) Error() string {
	return fmt.Sprintf("answered %d redirect to %s", e.status, e.to)
}

// newHTTPClient returns a copy of base (or a new client) that sends ua on
// every request and follows no redirect.
//
// Neither the token request nor API requests follow redirects. The token
// request carries client_secret and api_key in its body, which Go's client
// sends again to whatever host a 307 or 308 names. API requests carry the
// bearer token, which Go forwards to another port or from https to http as
// long as the host name matches. Following only same-origin redirects
// would be safe too, but Keka's API has no redirects: one means the base
// URL is wrong (a web page, a login page), and a followed redirect would be
// an extra request that neither the rate limiter nor Stats see. So every
// redirect is an error that names where it pointed.
func newHTTPClient(base *http.Client, ua string) *http.Client {
	hc := &http.Client{}
	if base != nil {
		c := *base
		hc = &c
	}
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	hc.Transport = userAgent{base: rt, ua: ua}
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		status := 0
		if req.Response != nil {
			status = req.Response.StatusCode
		}
		return &redirectError{status: status, to: origin(req.URL)}
	}
	return hc
}

// origin is scheme://host[:port] of u.
func origin(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
}

// endpoint names what a request went to, for configuration errors.
type endpoint struct {
	name string // "token endpoint" or "API base"
	url  string // the configured URL
	fix  string // what to change
}

func tokenEndpoint(u string) endpoint {
	return endpoint{name: "token endpoint", url: u, fix: "KEKA_TOKEN_URL (or KEKA_ENVIRONMENT)"}
}

func apiBase(u string) endpoint {
	return endpoint{name: "API base", url: u, fix: "KEKA_BASE_URL (or KEKA_COMPANY and KEKA_ENVIRONMENT)"}
}

// configProblem returns a configuration error when err (from an HTTP
// client) is one no retry changes: a redirect, a server that does not
// speak TLS on an https URL, a certificate that does not verify. It
// returns nil for any other error.
func configProblem(err error, at endpoint) error {
	var re *redirectError
	if errors.As(err, &re) {
		what := "API requests never follow redirects (the token would go with them)"
		if at.name == "token endpoint" {
			what = "tokens are never requested from a redirect target"
		}
		return &configError{err: re, msg: fmt.Sprintf("keka: %s %s answered %d redirect to another location (%s); %s: check %s",
			at.name, at.url, re.status, re.to, what, at.fix)}
	}
	var rhe tls.RecordHeaderError
	if errors.Is(err, http.ErrSchemeMismatch) || errors.As(err, &rhe) {
		return &configError{err: err, msg: fmt.Sprintf("keka: %s %s is https but the server does not speak TLS (%v): fix %s",
			at.name, at.url, unwrapURL(err), at.fix)}
	}
	var certErr *tls.CertificateVerificationError
	var uaErr x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invErr x509.CertificateInvalidError
	if errors.As(err, &certErr) || errors.As(err, &uaErr) || errors.As(err, &hostErr) || errors.As(err, &invErr) {
		return &configError{err: err, msg: fmt.Sprintf("keka: %s %s: the server's TLS certificate does not verify (%v): check %s",
			at.name, at.url, unwrapURL(err), at.fix)}
	}
	return nil
}

// unwrapURL strips a *url.Error, whose text repeats the method and URL.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
