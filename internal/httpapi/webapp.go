package httpapi

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

// notBuilt is answered at / when the binary carries no web app build.
const notBuilt = `<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Recouvra</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;line-height:1.5;color:#1a1a1a}code{background:#f2f2f2;padding:.1rem .3rem}</style>
</head><body>
<h1>Recouvra</h1>
<p>L'application web n'est pas incluse dans ce binaire. Pour la construire :
<code>make web</code> (Node.js et npm), puis reconstruisez le binaire (<code>make build</code>) —
<code>make run</code> fait les deux.</p>
<p>L'API est disponible : <a href="/api/docs">documentation</a>.</p>
</body></html>
`

// webApp serves the single-page app: a file of the build when the path
// names one, index.html for every other page path so that deep links work,
// and the "not built" page when there is no build (app nil). Paths of the
// API keep their problem+json 404.
func webApp(app fs.FS, notFound gin.HandlerFunc) gin.HandlerFunc {
	var files http.Handler
	if app != nil {
		files = http.FileServerFS(app)
	}
	return func(c *gin.Context) {
		p := c.Request.URL.Path
		if (c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead) ||
			strings.HasPrefix(p, "/api/") || p == "/api" || p == "/metrics" || p == "/healthz" || p == "/readyz" {
			notFound(c)
			return
		}
		if files == nil {
			c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(notBuilt))
			return
		}
		name := strings.TrimPrefix(path.Clean(p), "/")
		if name != "" {
			if st, err := fs.Stat(app, name); err == nil && !st.IsDir() {
				if strings.HasPrefix(name, "assets/") {
					// Vite puts a content hash in asset names: cache them for good.
					c.Header("Cache-Control", "public, max-age=31536000, immutable")
				}
				files.ServeHTTP(c.Writer, c.Request)
				return
			}
		}
		index, err := fs.ReadFile(app, "index.html")
		if err != nil {
			notFound(c)
			return
		}
		c.Header("Cache-Control", "no-cache")
		c.Data(http.StatusOK, "text/html; charset=utf-8", index)
	}
}
