package localpg

import (
	"bytes"
	"io"
	"os"
)

// openLog opens the server log for appending, creating it for the server's
// user. Appending keeps the output of earlier runs, which is where the
// reason for a crash or a failed start usually is.
func openLog(path string, acct *account) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := acct.chown(path); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func appendLog(path string, acct *account, b []byte) error {
	f, err := openLog(path, acct)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// logTail returns the last lines of the server log for an error message.
func logTail(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "  (" + err.Error() + ")"
	}
	defer f.Close()
	const max = 8 << 10
	if fi, err := f.Stat(); err == nil && fi.Size() > max {
		if _, err := f.Seek(-max, io.SeekEnd); err != nil {
			return "  (" + err.Error() + ")"
		}
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return "  (" + err.Error() + ")"
	}
	return lastLines(b, 20)
}

// lastLines returns the last n lines of b, indented for nesting in an error.
func lastLines(b []byte, n int) string {
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	var out bytes.Buffer
	for i, l := range lines {
		if i > 0 {
			out.WriteByte('\n')
		}
		out.WriteString("  ")
		out.Write(l)
	}
	return out.String()
}
