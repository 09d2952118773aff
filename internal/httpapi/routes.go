package httpapi

import (
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/gin-gonic/gin"
)

// contractRoutes finds a request's operation in the spec from the route gin
// has already matched, instead of walking every path of the spec with a
// regular expression each (kin-openapi's gorillamux router: about a tenth
// of the gate's time in the reference benchmark's profile). gin's routes
// for the contract are generated from the same spec, `{id}` written `:id`:
// the matched route's pattern and method are the key, gin's path
// parameters the operation's.
type contractRoutes map[string]*routers.Route

func routeKey(method, ginPath string) string { return method + " " + ginPath }

// ginPath writes a spec path the way gin's router takes it.
func ginPath(specPath string) string {
	var b strings.Builder
	for i, seg := range strings.Split(specPath, "/") {
		if i > 0 {
			b.WriteByte('/')
		}
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			seg = ":" + seg[1:len(seg)-1]
		}
		b.WriteString(seg)
	}
	return b.String()
}

func indexRoutes(doc *openapi3.T) contractRoutes {
	var server *openapi3.Server
	if len(doc.Servers) > 0 {
		server = doc.Servers[0]
	}
	routes := contractRoutes{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			routes[routeKey(method, ginPath(path))] = &routers.Route{
				Spec: doc, Server: server, Path: path, PathItem: item, Method: method, Operation: op,
			}
		}
	}
	return routes
}

// find returns the operation of the route gin matched and its path
// parameters; false for a route outside the contract.
func (rs contractRoutes) find(c *gin.Context) (*routers.Route, map[string]string, bool) {
	return rs.lookup(c.Request.Method, c.FullPath(), c.Params)
}

func (rs contractRoutes) lookup(method, fullPath string, ginParams gin.Params) (*routers.Route, map[string]string, bool) {
	route, ok := rs[routeKey(method, fullPath)]
	if !ok {
		return nil, nil, false
	}
	params := make(map[string]string, len(ginParams))
	for _, p := range ginParams {
		params[p.Key] = p.Value
	}
	return route, params, true
}
