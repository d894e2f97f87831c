package websocket

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxResponseHeader bounds the response header of the opening handshake
// and of a proxy's answer to CONNECT.
const maxResponseHeader = 64 << 10

// errHeaderTooLarge is the error of a response header over the bound.
var errHeaderTooLarge = fmt.Errorf("the response header exceeds %d KiB", maxResponseHeader>>10)

// maxErrorBody is the most of a refused answer's body that is read.
const maxErrorBody = 1024

// headGuard stands between a connection and an HTTP response reader
// (gorilla's handshake, or the proxy's CONNECT): it hands out the response
// header line by line and stops at the empty line that ends it, whether
// its lines end with CRLF or a bare LF, so that the HTTP reader never holds
// bytes that follow the header. It fails a header longer than
// maxResponseHeader. After the header of a 101 it hands out nothing (the
// bytes after it are frames and stay in rest); after another status, the
// body as far as it is needed to show it: at most maxErrorBody bytes, and
// only those that arrived with the header unless Content-Length says the
// body ends, so that a body that never ends is never waited for.
//
// With takeExtensions, the Sec-WebSocket-Extensions lines of the answer
// are kept from the HTTP reader and collected in extensions: negotiating
// extensions is the package's business (extensions.go), and gorilla's
// Dialer would refuse every permessage-deflate answer but the one it
// offers itself.
type headGuard struct {
	r              io.Reader
	takeExtensions bool

	buf     []byte // bytes read from r; buf[off:] not yet handed out or dropped
	off     int
	read    int  // bytes read from r
	pending int  // bytes of the current line still to hand out
	last    bool // the current line is the empty line that ends the header

	lines      int
	tookLast   bool  // the last line was kept from the HTTP reader
	status     int   // of the status line
	length     int64 // Content-Length, or -1
	extensions []string

	ended bool
	rest  []byte // after the header: frames (101), or body bytes to hand out
	body  int    // body bytes still to hand out from r, after rest
}

func (g *headGuard) Read(p []byte) (int, error) {
	for !g.ended {
		if g.pending > 0 {
			n := copy(p, g.buf[g.off:g.off+g.pending])
			g.off += n
			g.pending -= n
			if g.pending == 0 && g.last {
				g.endHeader()
			}
			return n, nil
		}
		i := bytes.IndexByte(g.buf[g.off:], '\n')
		if i < 0 {
			if err := g.more(); err != nil {
				return 0, err
			}
			continue
		}
		line := g.buf[g.off : g.off+i+1]
		g.lines++
		taken := false
		switch {
		case g.lines > 1 && (len(line) == 1 || len(line) == 2 && line[0] == '\r'):
			g.pending, g.last = len(line), true
		case g.lines > 1 && (line[0] == ' ' || line[0] == '\t') && g.tookLast:
			// An obs-fold continues the field before (RFC 9112 §5.2): a
			// space stands for it.
			last := &g.extensions[len(g.extensions)-1]
			*last = strings.TrimSpace(*last + " " + strings.TrimSpace(string(line)))
			g.off += len(line)
			taken = true
		case g.lines > 1 && g.takeExtensions && headerName(line, "sec-websocket-extensions"):
			_, value, _ := strings.Cut(strings.TrimRight(string(line), "\r\n"), ":")
			g.extensions = append(g.extensions, strings.TrimSpace(value))
			g.off += len(line) // kept from the HTTP reader
			taken = true
		default:
			g.note(line)
			g.pending = len(line)
		}
		g.tookLast = taken
	}
	switch {
	case g.status == http.StatusSwitchingProtocols:
		// rest holds frames: for the reader, not the HTTP reader
	case len(g.rest) > 0:
		n := copy(p, g.rest)
		g.rest = g.rest[n:]
		return n, nil
	case g.body > 0:
		n, err := g.r.Read(p[:min(len(p), g.body)])
		g.body -= n
		return n, err
	}
	return 0, io.EOF
}

// more reads from r into buf, within the bound of the header.
func (g *headGuard) more() error {
	if g.read >= maxResponseHeader {
		return errHeaderTooLarge
	}
	if g.off > 0 {
		g.buf = g.buf[:copy(g.buf, g.buf[g.off:])]
		g.off = 0
	}
	if len(g.buf) == cap(g.buf) {
		g.buf = append(g.buf, make([]byte, max(512, len(g.buf)))...)[:len(g.buf)]
	}
	free := g.buf[len(g.buf):cap(g.buf)]
	n, err := g.r.Read(free[:min(len(free), maxResponseHeader-g.read)])
	g.read += n
	g.buf = g.buf[:len(g.buf)+n]
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// headerName reports whether line is a header field named name (lower
// case).
func headerName(line []byte, name string) bool {
	field, _, ok := bytes.Cut(line, []byte(":"))
	return ok && strings.EqualFold(strings.TrimSpace(string(field)), name)
}

// note takes the status from the status line and Content-Length from the
// header lines.
func (g *headGuard) note(line []byte) {
	text := strings.TrimRight(string(line), "\r\n")
	if g.lines == 1 {
		g.length = -1
		if _, code, ok := strings.Cut(text, " "); ok && len(code) >= 3 {
			g.status, _ = strconv.Atoi(code[:3])
		}
		return
	}
	if name, value, ok := strings.Cut(text, ":"); ok && strings.EqualFold(strings.TrimSpace(name), "content-length") {
		if v, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64); err == nil && v >= 0 {
			g.length = v
		}
	}
}

// endHeader keeps the bytes after the header and decides how much of the
// body is handed out.
func (g *headGuard) endHeader() {
	g.ended = true
	g.rest = g.buf[g.off:]
	g.buf = nil
	if g.status == http.StatusSwitchingProtocols {
		return
	}
	if len(g.rest) > maxErrorBody {
		g.rest = g.rest[:maxErrorBody]
	}
	if g.length > int64(len(g.rest)) {
		g.body = int(min(g.length, maxErrorBody)) - len(g.rest)
	}
}
