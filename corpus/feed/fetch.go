package feed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/time/rate"
)

// Status values: the outcome of one fetch, as kept in [State.LastStatus]
// and passed to [Observer.FetchDone]. They are a fixed set, fit for a
// metrics label.
const (
	StatusOK          = "ok"           // fetched and parsed (possibly zero items)
	StatusNotModified = "not_modified" // 304: nothing to do
	StatusUnchanged   = "unchanged"    // 200 with the very body of the last fetch: nothing parsed
	StatusGone        = "gone"         // 404 or 410: polled rarely from now on
	StatusRateLimited = "rate_limited" // 429: Retry-After honoured
	StatusUnavailable = "unavailable"  // 5xx (503 with its Retry-After)
	StatusHTTPError   = "http_error"   // another non-2xx status
	StatusTimeout     = "timeout"      // no full answer within the request timeout (a stalled body too)
	StatusTooLarge    = "too_large"    // the body passed the size cap; the rest was not read
	StatusNotAFeed    = "not_a_feed"   // an HTML page or anything but RSS/Atom/RDF
	StatusMalformed   = "malformed"    // a feed the parser could not read
	StatusEncoding    = "bad_encoding" // no charset gives readable text
	StatusNetwork     = "network_error"
)

// fetchError is a failed fetch: its status, a short reason for the report,
// and the server's Retry-After when it gave one.
type fetchError struct {
	status     string
	reason     string
	retryAfter time.Duration
}

func (e *fetchError) Error() string { return e.status + ": " + e.reason }

// response is a successful fetch.
type response struct {
	notModified  bool
	body         []byte
	contentType  string
	etag         string
	lastModified string
	finalURL     string
	bodyHash     string // set by the poller
}

// fetcher does the HTTP side: one request per host per interval, a
// User-Agent, a timeout per request, a size cap and conditional GET.
type fetcher struct {
	client       *http.Client
	userAgent    string
	timeout      time.Duration
	hostInterval time.Duration // <= 0: no per-host limit

	mu       sync.Mutex
	limiters map[string]*rate.Limiter
}

func newFetcher(c *http.Client, userAgent string, timeout, hostInterval time.Duration) *fetcher {
	return &fetcher{client: c, userAgent: userAgent, timeout: timeout, hostInterval: hostInterval, limiters: make(map[string]*rate.Limiter)}
}

// errTooManyRedirects ends a redirect chain longer than the limit.
var errTooManyRedirects = errors.New("too many redirects")

// errPrivateAddress refuses a connection to an address inside the network.
var errPrivateAddress = errors.New("refused: a loopback, private or link-local address")

// cgnat is the shared address space of carrier-grade NAT (RFC 6598).
var cgnat = &net.IPNet{IP: net.IPv4(100, 64, 0, 0), Mask: net.CIDRMask(10, 32)}

// isInternal reports whether ip is an address a public feed never has: a
// feed or an item link pointing there would make khabar read its own
// network (cloud metadata, admin pages) into the index.
func isInternal(ip net.IP) bool {
	return ip == nil || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || cgnat.Contains(ip)
}

// newHTTPClient returns a client that follows at most maxRedirects
// redirects, to http(s) URLs only, and, unless allowInternal, connects to
// public addresses only (checked on the address dialled, after DNS, so a
// redirect or a DNS answer cannot lead it inside).
func newHTTPClient(maxRedirects int, allowInternal bool) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = 0 // the request context bounds it
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	if !allowInternal {
		dialer.Control = func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if isInternal(net.ParseIP(host)) {
				return fmt.Errorf("%s: %w", host, errPrivateAddress)
			}
			return nil
		}
	}
	tr.DialContext = dialer.DialContext
	tr.MaxIdleConnsPerHost = 4
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return errTooManyRedirects
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("redirect to %s: %w", req.URL.Scheme, ErrBadURL)
			}
			return nil
		},
	}
}

// wait blocks until host may get another request.
func (f *fetcher) wait(ctx context.Context, rawURL string) error {
	if f.hostInterval <= 0 {
		return ctx.Err()
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	host := strings.ToLower(u.Hostname())
	f.mu.Lock()
	l, ok := f.limiters[host]
	if !ok {
		l = rate.NewLimiter(rate.Every(f.hostInterval), 1)
		f.limiters[host] = l
	}
	f.mu.Unlock()
	return l.Wait(ctx)
}

// get fetches rawURL, with the validators of a previous answer (etag,
// lastModified) when given, reading at most maxBytes of the body.
func (f *fetcher) get(ctx context.Context, rawURL, accept, etag, lastModified string, maxBytes int64) (response, error) {
	if err := f.wait(ctx, rawURL); err != nil {
		return response{}, &fetchError{status: StatusTimeout, reason: "waiting for the host: " + err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return response{}, &fetchError{status: StatusNetwork, reason: err.Error()}
	}
	req.Header.Set("User-Agent", f.userAgent)
	req.Header.Set("Accept", accept)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if lastModified != "" {
		req.Header.Set("If-Modified-Since", lastModified)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return response{}, transportError(err)
	}
	defer resp.Body.Close()
	switch c := resp.StatusCode; {
	case c == http.StatusNotModified:
		return response{notModified: true, etag: resp.Header.Get("ETag"), lastModified: resp.Header.Get("Last-Modified")}, nil
	case c == http.StatusNotFound || c == http.StatusGone:
		return response{}, &fetchError{status: StatusGone, reason: resp.Status}
	case c == http.StatusTooManyRequests:
		return response{}, &fetchError{status: StatusRateLimited, reason: resp.Status, retryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now())}
	case c >= 500:
		return response{}, &fetchError{status: StatusUnavailable, reason: resp.Status, retryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now())}
	case c < 200 || c > 299:
		return response{}, &fetchError{status: StatusHTTPError, reason: resp.Status}
	}
	if resp.ContentLength > maxBytes {
		return response{}, &fetchError{status: StatusTooLarge, reason: fmt.Sprintf("Content-Length %d > %d bytes; not read", resp.ContentLength, maxBytes)}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return response{}, transportError(err)
	}
	if int64(len(body)) > maxBytes {
		return response{}, &fetchError{status: StatusTooLarge, reason: fmt.Sprintf("body over %d bytes; cut there, the rest not read", maxBytes)}
	}
	return response{
		body:         body,
		contentType:  resp.Header.Get("Content-Type"),
		etag:         resp.Header.Get("ETag"),
		lastModified: resp.Header.Get("Last-Modified"),
		finalURL:     resp.Request.URL.String(),
	}, nil
}

// transportError classifies a client or body-read error.
func transportError(err error) *fetchError {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return &fetchError{status: StatusTimeout, reason: "no complete answer within the request timeout"}
	case errors.Is(err, errTooManyRedirects):
		return &fetchError{status: StatusHTTPError, reason: "too many redirects"}
	case errors.Is(err, errPrivateAddress):
		return &fetchError{status: StatusNetwork, reason: errPrivateAddress.Error()}
	case errors.Is(err, context.Canceled):
		return &fetchError{status: StatusNetwork, reason: "canceled"}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &fetchError{status: StatusNetwork, reason: err.Error()}
}

// maxRetryAfter bounds a server's Retry-After.
const maxRetryAfter = 24 * time.Hour

// retryAfter parses a Retry-After value: seconds or an HTTP date. It
// returns 0 when there is none or it cannot be read.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxRetryAfter)
}
