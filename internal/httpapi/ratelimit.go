package httpapi

import (
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// Default rate limits of the API, per caller: far above what a person or
// the web app does (the tests and the end-to-end tests never reach them),
// low enough that one runaway script cannot take the server from others.
const (
	DefaultRateLimit = 50  // requests per second, sustained
	DefaultRateBurst = 500 // requests at once after a quiet spell (a test writing 240 events as fast as it can stays under it)
)

// maxBuckets bounds the limiter's memory whatever the number of callers
// (client addresses are cheap to an attacker): about 100 bytes a bucket.
const maxBuckets = 100_000

// limiter is a token bucket per caller: the principal when authenticated,
// the client address otherwise. A bucket idle long enough to be full again
// is the same as a new one, so it is forgotten.
type limiter struct {
	rate  rate.Limit
	burst int
	now   func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// newLimiter returns nil (no limit) when perSecond is not positive.
func newLimiter(perSecond float64, burst int, now func() time.Time) *limiter {
	if perSecond <= 0 {
		return nil
	}
	if burst < 1 {
		burst = 1
	}
	if now == nil {
		now = time.Now
	}
	return &limiter{rate: rate.Limit(perSecond), burst: burst, now: now, buckets: map[string]*bucket{}}
}

// refill is how long an idle bucket takes to be full again.
func (l *limiter) refill() time.Duration {
	return time.Duration(float64(l.burst) / float64(l.rate) * float64(time.Second))
}

// take spends one token of key's bucket. It returns whether the request
// may go on, the tokens left and how long until the bucket is full again
// (or, refused, until the next token).
func (l *limiter) take(key string) (ok bool, remaining int, wait time.Duration) {
	now := l.now()
	l.mu.Lock()
	b := l.buckets[key]
	if b == nil {
		l.sweep(now)
		b = &bucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	l.mu.Unlock()

	ok = b.lim.AllowN(now, 1)
	tokens := b.lim.TokensAt(now)
	if !ok {
		return false, 0, time.Duration((1 - tokens) / float64(l.rate) * float64(time.Second))
	}
	return true, int(math.Floor(tokens)), time.Duration((float64(l.burst) - tokens) / float64(l.rate) * float64(time.Second))
}

// sweep forgets the buckets that are full again, at most once a refill
// period or when the map reaches its bound; over the bound even after that
// (a flood of distinct addresses), it forgets arbitrary buckets: their
// callers start again with a full bucket, memory stays bounded. Called
// with l.mu held.
func (l *limiter) sweep(now time.Time) {
	idle := l.refill()
	if len(l.buckets) < maxBuckets && now.Sub(l.lastSweep) < max(idle, time.Minute) {
		return
	}
	l.lastSweep = now
	for k, b := range l.buckets {
		if now.Sub(b.seen) >= idle {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) < maxBuckets {
		return
	}
	// Down to 90 %, so that the next sweeps are not one per new caller.
	for k := range l.buckets {
		if len(l.buckets) <= maxBuckets*9/10 {
			break
		}
		delete(l.buckets, k)
	}
}

// size is the number of buckets kept, for tests.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// allow charges the request to key and sets the RateLimit-Limit,
// RateLimit-Remaining and RateLimit-Reset headers (IETF httpapi
// ratelimit-headers: the quota, what is left of it, seconds until it is
// whole again). Refused, it answers 429 with Retry-After and returns false.
func (l *limiter) allow(c *gin.Context, key string, fail func(*gin.Context, error)) bool {
	if l == nil {
		return true
	}
	ok, remaining, wait := l.take(key)
	secs := int(math.Ceil(wait.Seconds()))
	h := c.Writer.Header()
	h.Set("RateLimit-Limit", strconv.Itoa(l.burst))
	h.Set("RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("RateLimit-Reset", strconv.Itoa(secs))
	if !ok {
		fail(c, &recouvra.Error{Code: recouvra.ECodeTooManyRequests, RetryAfter: time.Duration(max(secs, 1)) * time.Second,
			Message: "Trop de requêtes : réessayez dans quelques instants."})
		return false
	}
	return true
}

// callerKey names an authenticated caller's bucket: one per user or API
// key, whatever address it comes from.
func callerKey(p recouvra.Principal) string {
	if p.Kind == recouvra.PrincipalAPIKey {
		return "key:" + p.APIKeyID.String()
	}
	return "user:" + p.UserID.String()
}

// gateLimits are the bounds the contract gate enforces.
type gateLimits struct {
	maxBody   int64    // request bodies other than uploads
	maxUpload int64    // an upload's whole body, when it is read before its handler (Idempotency-Key)
	rate      *limiter // nil: no rate limit
}

// gateLimits reads the limits of deps, defaults filled in.
func (deps Deps) gateLimits() gateLimits {
	lim := gateLimits{maxBody: deps.MaxBodyBytes}
	if lim.maxBody <= 0 {
		lim.maxBody = DefaultMaxBodyBytes
	}
	lim.maxUpload = deps.MaxUploadBytes + 256<<10 // the parts' headers and other fields
	if deps.MaxUploadBytes <= 0 {
		lim.maxUpload = 64 << 20
	}
	perSecond, burst := deps.RateLimit, deps.RateBurst
	if perSecond == 0 {
		perSecond = DefaultRateLimit
	}
	if burst <= 0 {
		burst = DefaultRateBurst
	}
	// Real time, not deps.Now: a test clock standing still would never refill.
	lim.rate = newLimiter(perSecond, burst, time.Now)
	return lim
}
