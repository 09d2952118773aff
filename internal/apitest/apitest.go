// Package apitest is an HTTP client for tests that checks every response of
// a route in api/openapi.yaml against the contract: status declared, headers
// and body matching their schemas. Errors outside the contract (unknown
// routes) must still be problem+json.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/recouvra/recouvra/api"
)

// Client sends requests to a running server and validates the answers.
type Client struct {
	t      testing.TB
	base   string
	http   *http.Client
	router routers.Router
	// Header is added to every request (e.g. Authorization).
	Header http.Header
}

// New returns a client for the server at baseURL, using the embedded spec.
func New(t testing.TB, baseURL string) *Client {
	t.Helper()
	return NewWithSpec(t, baseURL, api.Spec)
}

// NewWithSpec is New with another contract (tests of the machinery itself).
func NewWithSpec(t testing.TB, baseURL string, spec []byte) *Client {
	t.Helper()
	doc, err := api.Load(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	router, err := routerOf(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &Client{t: t, base: strings.TrimRight(baseURL, "/"), http: &http.Client{}, router: router, Header: http.Header{}}
}

// routers holds one router per loaded contract: building it walks every
// path, and tests make a client per principal and per call. A router only
// reads its routes when it finds one, so clients share it.
var sharedRouters sync.Map // *openapi3.T → *routerOnce

type routerOnce struct {
	once   sync.Once
	router routers.Router
	err    error
}

func routerOf(doc *openapi3.T) (routers.Router, error) {
	e, _ := sharedRouters.LoadOrStore(doc, &routerOnce{})
	r := e.(*routerOnce)
	r.once.Do(func() { r.router, r.err = gorillamux.NewRouter(doc) })
	return r.router, r.err
}

// Response is a fully read HTTP response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Decode unmarshals the body into v, failing the test on error.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Problem is the problem+json body of an error response.
type Problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Code      string `json:"code"`
	Detail    string `json:"detail"`
	RequestID string `json:"request_id"`
	Errors    []struct {
		Field   string `json:"field"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
}

// Problem decodes an error body, failing unless it is problem+json.
func (r *Response) Problem(t testing.TB) Problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("want application/problem+json, got %q: %s", ct, r.Body)
	}
	var p Problem
	r.Decode(t, &p)
	if p.Status != r.Status {
		t.Fatalf("problem status %d differs from HTTP status %d", p.Status, r.Status)
	}
	return p
}

// Do sends a request. body may be nil, a []byte or string (sent as is), or
// anything else (sent as JSON). Extra headers come in pairs.
func (c *Client) Do(method, path string, body any, headerPairs ...string) *Response {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range c.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	for i := 0; i+1 < len(headerPairs); i += 2 {
		req.Header.Set(headerPairs[i], headerPairs[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	r := &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
	c.check(req, r)
	return r
}

// check validates r against the contract when the route is in the spec, and
// insists that any error outside it is still problem+json.
func (c *Client) check(req *http.Request, r *Response) {
	c.t.Helper()
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		if r.Status >= 400 {
			r.Problem(c.t)
		}
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status: r.Status,
		Header: r.Header,
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true, // an undeclared status is a contract breach
			MultiError:            true,
		},
	}
	in.SetBodyBytes(r.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		c.t.Errorf("%s %s → %d does not match api/openapi.yaml: %v\nbody: %s", req.Method, req.URL.Path, r.Status, err, r.Body)
	}
}
