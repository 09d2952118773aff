// Package web holds the web app (a TypeScript single-page app built with
// Vite) and embeds its build in the binary: `go build` never needs Node.
// Without a build, the server answers with a page saying how to make one.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// App returns the built app (index.html and its assets), and whether there
// is one.
func App() (fs.FS, bool) {
	sub, err := fs.Sub(dist, "dist/app")
	if err != nil {
		return nil, false
	}
	if _, err := fs.Stat(sub, "index.html"); err != nil {
		return nil, false
	}
	return sub, true
}
