package httpapi

import (
	"bufio"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// minCompressBytes is the smallest body worth compressing: below it the
// encoding's own header and the CPU cost outweigh the bytes saved.
const minCompressBytes = 1024

// compressible says whether a media type is worth compressing. Formats
// that are compressed already (PDF, zip, images, fonts) are not, and
// neither is the event stream, which must reach the client event by event.
func compressible(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case mt == "text/event-stream":
		return false
	case strings.HasPrefix(mt, "text/"):
		return true
	case mt == "application/json", strings.HasSuffix(mt, "+json"),
		mt == "application/javascript", mt == "application/yaml", mt == "application/xml", strings.HasSuffix(mt, "+xml"),
		mt == "image/svg+xml":
		return true
	}
	return false
}

// encodings Recouvra compresses responses with, best first at equal
// preference: zstd is faster than gzip at a better ratio.
var encodings = []string{"zstd", "gzip"}

// pickEncoding chooses an encoding from Accept-Encoding (RFC 9110 §12.5.3),
// honouring q-values: the highest q wins, q=0 refuses, "*" stands for the
// encodings not named. "" means identity.
func pickEncoding(accept string) string { return chooseEncoding(accept, encodings) }

// chooseEncoding is pickEncoding among offered (best first at equal q).
func chooseEncoding(accept string, offered []string) string {
	if accept == "" {
		return ""
	}
	q := map[string]float64{}
	star := -1.0
	for _, part := range strings.Split(accept, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		weight := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0
				}
				weight = f
			}
		}
		if name == "*" {
			star = weight
		} else if name != "" {
			q[name] = weight
		}
	}
	best, bestQ := "", 0.0
	for _, enc := range offered {
		w, named := q[enc]
		if !named {
			w = max(star, 0)
		}
		if w > bestQ {
			best, bestQ = enc, w
		}
	}
	return best
}

var (
	gzipPool = sync.Pool{New: func() any {
		// BestSpeed: at the default level, gzip was one of the largest costs
		// a request adds over the minimal handler in make bench-reference's
		// profile; the fastest level trades a slightly larger body for it.
		w, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
		return w
	}}
	// zstd windows are bounded at 1 MiB: browsers decode up to 8 MiB and
	// each pooled encoder keeps its window.
	zstdPool = sync.Pool{New: func() any {
		w, _ := zstd.NewWriter(io.Discard, zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(1<<20),
			zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithZeroFrames(true))
		return w
	}}
)

// encoder is a pooled gzip or zstd writer.
type encoder interface {
	io.WriteCloser
	Flush() error
	Reset(io.Writer)
}

// compress compresses responses whose client accepts it: the decision is
// taken on the response's first bytes (its type, its status, whether it
// is larger than minCompressBytes or flushed early), so handlers write as
// they always did. Responses that already carry a Content-Encoding
// (precompressed assets) pass through.
func compress() gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Method == http.MethodHead {
			c.Next()
			return
		}
		enc := pickEncoding(c.GetHeader("Accept-Encoding"))
		w := &compressWriter{ResponseWriter: c.Writer, encoding: enc}
		c.Writer = w
		defer w.finish()
		c.Next()
	}
}

// compressWriter holds a response's first bytes until it knows whether to
// compress it.
type compressWriter struct {
	gin.ResponseWriter
	encoding string // the client's choice; "" = identity
	decided  bool
	enc      encoder // nil: identity
	buf      []byte
}

func (w *compressWriter) Write(b []byte) (int, error) {
	if !w.decided {
		if len(w.buf)+len(b) < minCompressBytes {
			w.buf = append(w.buf, b...)
			return len(b), nil
		}
		w.decide(true)
		if err := w.drain(); err != nil {
			return 0, err
		}
	}
	if w.enc != nil {
		return w.enc.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

func (w *compressWriter) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

// Written is true as soon as the handler wrote, even while the bytes wait here.
func (w *compressWriter) Written() bool { return w.ResponseWriter.Written() || len(w.buf) > 0 }

// WriteHeaderNow sends the head: the decision cannot wait for more bytes.
func (w *compressWriter) WriteHeaderNow() {
	if !w.decided {
		w.decide(false)
		_ = w.drain()
	}
	w.ResponseWriter.WriteHeaderNow()
}

// Flush sends what was written so far: an early flush (a stream) decides
// with the bytes at hand.
func (w *compressWriter) Flush() {
	if !w.decided {
		w.decide(false)
		_ = w.drain()
	}
	if w.enc != nil {
		_ = w.enc.Flush()
	}
	w.ResponseWriter.Flush()
}

func (w *compressWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.decided = true
	return w.ResponseWriter.Hijack()
}

// decide chooses identity or the client's encoding for this response and
// sets the headers; large says the body is at least minCompressBytes.
func (w *compressWriter) decide(large bool) {
	w.decided = true
	h := w.ResponseWriter.Header()
	ct := h.Get("Content-Type")
	if ct == "" && len(w.buf) > 0 {
		ct = http.DetectContentType(w.buf)
	}
	if !compressible(ct) || h.Get("Content-Encoding") != "" {
		return
	}
	h.Add("Vary", "Accept-Encoding")
	status := w.ResponseWriter.Status()
	if !large || w.encoding == "" || status < 200 || status == http.StatusNoContent ||
		status == http.StatusPartialContent || status == http.StatusNotModified || h.Get("Content-Range") != "" {
		return
	}
	switch w.encoding {
	case "zstd":
		w.enc = zstdPool.Get().(*zstd.Encoder)
	case "gzip":
		w.enc = gzipPool.Get().(*gzip.Writer)
	}
	w.enc.Reset(w.ResponseWriter)
	h.Set("Content-Encoding", w.encoding)
	// The ETag stays: on the API it is the resource's version, which
	// If-Match compares, not a hash of the bytes.
	h.Del("Content-Length")
}

// drain writes the held bytes through the chosen path.
func (w *compressWriter) drain() error {
	if len(w.buf) == 0 {
		return nil
	}
	b := w.buf
	w.buf = nil
	var err error
	if w.enc != nil {
		_, err = w.enc.Write(b)
	} else {
		_, err = w.ResponseWriter.Write(b)
	}
	return err
}

// finish ends the response: a small body goes out as it is, a compressed
// one gets its trailer and the encoder returns to its pool.
func (w *compressWriter) finish() {
	if !w.decided {
		w.decide(false)
		_ = w.drain()
	}
	if w.enc == nil {
		return
	}
	_ = w.enc.Close()
	switch e := w.enc.(type) {
	case *zstd.Encoder:
		e.Reset(io.Discard)
		zstdPool.Put(e)
	case *gzip.Writer:
		e.Reset(io.Discard)
		gzipPool.Put(e)
	}
	w.enc = nil
}
