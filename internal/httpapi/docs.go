package httpapi

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// redocJS is Redoc's standalone bundle (MIT, see docs/REDOC-LICENSE),
// embedded because the machines that run Recouvra may have no internet.
//
//go:embed docs/redoc.standalone.js
var redocJS []byte

// docsPage renders api/openapi.yaml with Redoc; no external font or script.
const docsPage = `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Recouvra — documentation de l'API</title>
<style>body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}</style>
</head>
<body>
<redoc spec-url="/api/openapi.yaml" hide-download-button="false"></redoc>
<script src="/api/docs/redoc.standalone.js"></script>
</body>
</html>
`

func registerDocs(r gin.IRoutes, spec []byte) {
	r.GET("/api/openapi.yaml", func(c *gin.Context) {
		c.Data(http.StatusOK, "application/yaml; charset=utf-8", spec)
	})
	r.GET("/api/docs", func(c *gin.Context) {
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(docsPage))
	})
	r.GET("/api/docs/redoc.standalone.js", func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=86400")
		c.Data(http.StatusOK, "text/javascript; charset=utf-8", redocJS)
	})
}
