package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
)

// send is a request as principal as that reports instead of failing the
// test, for goroutines other than the test's own (t.Fatal must not be
// called from them): it returns the status and body, or the error.
// Answers are not checked against the contract here; the test does it on
// its own goroutine when it needs to.
func (w *world) send(as, method, path string, body any, headerPairs ...string) (int, []byte, error) {
	return w.sendBearer(w.tokens[as], method, path, body, headerPairs...)
}

// sendBearer is send with a bearer token (none when empty).
func (w *world) sendBearer(token, method, path string, body any, headerPairs ...string) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, w.srv.URL()+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headerPairs); i += 2 {
		req.Header.Set(headerPairs[i], headerPairs[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}
