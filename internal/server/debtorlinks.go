package server

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/config"
)

// debtorLinkKeyFile keeps the generated secret of debtor links when the
// configuration gives none, so that letters keep printing the same links
// across restarts.
const debtorLinkKeyFile = "debtor-link.key"

// debtorLinks is the debtor page's configuration: the configured secret,
// or the one kept in the data directory (made on first use, mode 0600).
func debtorLinks(cfg config.Config) (app.DebtorLinkConfig, error) {
	out := app.DebtorLinkConfig{BaseURL: cfg.PublicURL}
	if cfg.DebtorLinkSecret != "" {
		out.Secret = []byte(cfg.DebtorLinkSecret)
		return out, nil
	}
	path := filepath.Join(cfg.DataDir, debtorLinkKeyFile)
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		out.Secret = []byte(strings.TrimSpace(string(b)))
		return out, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return out, fmt.Errorf("debtor link secret: %w", err)
	}
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		return out, err
	}
	secret := hex.EncodeToString(key[:])
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return out, fmt.Errorf("debtor link secret: %w", err)
	}
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return out, fmt.Errorf("debtor link secret: %w (set RECOUVRA_DEBTOR_LINK_SECRET)", err)
	}
	out.Secret = []byte(secret)
	return out, nil
}
