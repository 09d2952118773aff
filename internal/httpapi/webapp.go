package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
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
			c.Header("Content-Security-Policy", notBuiltCSP)
			c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(notBuilt))
			return
		}
		name := strings.TrimPrefix(path.Clean(p), "/")
		if name != "" {
			if st, err := fs.Stat(app, name); err == nil && !st.IsDir() {
				if hashedAsset.MatchString(name) {
					// Vite puts a content hash in asset names: cache them for good.
					c.Header("Cache-Control", "public, max-age=31536000, immutable")
				} else {
					c.Header("Cache-Control", "no-cache")
				}
				if servePrecompressed(c, app, name, st) {
					return
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

// notBuiltCSP lets the "not built" page's one inline style through by its
// hash, and nothing else inline.
var notBuiltCSP = func() string {
	style := notBuilt[strings.Index(notBuilt, "<style>")+len("<style>") : strings.Index(notBuilt, "</style>")]
	sum := sha256.Sum256([]byte(style))
	return strings.Replace(appCSP, "style-src 'self'", "style-src 'self' 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'", 1)
}()

// hashedAsset matches the files Vite names after their content
// (assets/index-B2x9Qk1a.js): they never change under the same name.
var hashedAsset = regexp.MustCompile(`^assets/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$`)

// precompressed are the encodings `npm run build` writes next to each
// asset (web/scripts/precompress.mjs), best first.
var precompressed = []struct{ encoding, suffix string }{{"br", ".br"}, {"gzip", ".gz"}}

// servePrecompressed answers with the .br or .gz variant of name built
// beside it, when the client accepts that encoding; false when there is
// none to serve (the caller serves the file itself).
func servePrecompressed(c *gin.Context, app fs.FS, name string, st fs.FileInfo) bool {
	var offered []string
	for _, p := range precompressed {
		if v, err := fs.Stat(app, name+p.suffix); err == nil && !v.IsDir() {
			offered = append(offered, p.encoding)
		}
	}
	if len(offered) == 0 {
		return false
	}
	c.Header("Vary", "Accept-Encoding")
	enc := chooseEncoding(c.GetHeader("Accept-Encoding"), offered)
	if enc == "" {
		return false
	}
	suffix := ".gz"
	if enc == "br" {
		suffix = ".br"
	}
	data, err := fs.ReadFile(app, name+suffix)
	if err != nil {
		return false
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	h := c.Writer.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Encoding", enc)
	http.ServeContent(c.Writer, c.Request, name, st.ModTime(), bytes.NewReader(data))
	return true
}
