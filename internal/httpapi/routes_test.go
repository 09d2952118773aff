package httpapi

import (
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/gin-gonic/gin"

	"github.com/recouvra/recouvra/api"
)

// TestContractRoutesAgreeWithTheSpecsRouter: for every route gin serves in
// the contract, the index keyed by gin's matched pattern gives the
// operation and path parameters kin-openapi's own router finds for the
// same request — and every operation of the spec is served by gin under
// that key, so the gate never falls back to walking the spec for one.
func TestContractRoutesAgreeWithTheSpecsRouter(t *testing.T) {
	f := newFixture(t, api.Spec)
	doc, err := openapi3.NewLoader().LoadFromData(api.Spec)
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	index := indexRoutes(doc)
	served := map[string]bool{}
	for _, ri := range f.api.engine.Routes() {
		// A request on the route, each parameter given a value of its own.
		var params gin.Params
		segs := strings.Split(ri.Path, "/")
		for i, seg := range segs {
			if strings.HasPrefix(seg, ":") {
				v := "v" + seg[1:] + "-0f3c"
				params = append(params, gin.Param{Key: seg[1:], Value: v})
				segs[i] = v
			}
		}
		req := httptest.NewRequest(ri.Method, strings.Join(segs, "/"), nil)
		want, wantParams, err := router.FindRoute(req)
		got, gotParams, ok := index.lookup(ri.Method, ri.Path, params)
		if err != nil {
			if ok {
				t.Errorf("%s %s: indexed, but not an operation of the spec (%v)", ri.Method, ri.Path, err)
			}
			continue
		}
		if !ok {
			t.Errorf("%s %s: an operation of the spec (%s) missing from the index", ri.Method, ri.Path, want.Path)
			continue
		}
		served[routeKey(ri.Method, ri.Path)] = true
		if got.Operation != want.Operation || got.Path != want.Path || got.PathItem != want.PathItem || got.Method != want.Method {
			t.Errorf("%s %s: index gives %s %s, the spec's router %s %s", ri.Method, ri.Path, got.Method, got.Path, want.Method, want.Path)
		}
		if !reflect.DeepEqual(gotParams, wantParams) && !(len(gotParams) == 0 && len(wantParams) == 0) {
			t.Errorf("%s %s: parameters %v, the spec's router %v", ri.Method, ri.Path, gotParams, wantParams)
		}
	}
	// The live stream is served when the server has a hub, which this
	// fixture has not (the server's tests cover it).
	served[routeKey("GET", "/api/v1/events/stream")] = true
	for key, route := range index {
		if !served[key] {
			t.Errorf("%s %s: in the spec, not served by gin under %q", route.Method, route.Path, key)
		}
	}
}
