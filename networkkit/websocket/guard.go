package websocket

import (
	"errors"
	"net"
)

// errCloseOneByte is what wireGuard reports for a Close frame whose payload
// is one byte long: a close code needs two (RFC 6455 §5.5.1). gorilla reads
// such a frame as a Close without a code, so the guard catches it first.
var errCloseOneByte = errors.New("close frame with a 1-byte payload")

// wireGuard sits between the socket (after TLS) and gorilla, and follows the
// frames the server sends, byte for byte, without changing them. It finds
// the protocol violations gorilla lets through; when it sees one it hands
// gorilla the bytes before the bad frame and then fails every later read
// with the violation. It starts in the HTTP response of the handshake and
// switches to frames after its blank line, so frames that arrive in the same
// segment as the 101 answer are followed too.
type wireGuard struct {
	net.Conn
	err error // the violation found, returned by every later Read

	inFrames bool   // past the handshake's blank line
	crlf     uint32 // the last four bytes of the HTTP response

	hdr     [14]byte // the frame header read so far
	hdrLen  int
	payload uint64 // bytes of the current frame's payload still to come
}

func (g *wireGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.Conn.Read(p)
	if bad := g.scan(p[:n]); bad >= 0 {
		g.err = errCloseOneByte
		if bad > 0 {
			return bad, nil
		}
		return 0, g.err
	}
	return n, err
}

// scan follows p and returns the offset in p at which a forbidden frame
// starts (0 if it started in an earlier piece), or -1.
func (g *wireGuard) scan(p []byte) int {
	i := 0
	for !g.inFrames && i < len(p) {
		g.crlf = g.crlf<<8 | uint32(p[i])
		i++
		if g.crlf == 0x0d0a0d0a {
			g.inFrames = true
		}
	}
	for i < len(p) {
		if g.payload > 0 {
			skip := uint64(len(p) - i)
			if skip > g.payload {
				skip = g.payload
			}
			g.payload -= skip
			i += int(skip)
			continue
		}
		start := i - g.hdrLen // where this frame began (negative: in an earlier piece)
		g.hdr[g.hdrLen] = p[i]
		g.hdrLen++
		i++
		need := 2
		if g.hdrLen >= 2 {
			switch g.hdr[1] & 0x7f {
			case 126:
				need += 2
			case 127:
				need += 8
			}
			if g.hdr[1]&0x80 != 0 {
				need += 4
			}
		}
		if g.hdrLen < need {
			continue
		}
		length := uint64(g.hdr[1] & 0x7f)
		switch length {
		case 126:
			length = uint64(g.hdr[2])<<8 | uint64(g.hdr[3])
		case 127:
			length = 0
			for _, b := range g.hdr[2:10] {
				length = length<<8 | uint64(b)
			}
		}
		if g.hdr[0]&0x0f == 0x8 && length == 1 {
			return max(start, 0)
		}
		g.payload = length
		g.hdrLen = 0
	}
	return -1
}
