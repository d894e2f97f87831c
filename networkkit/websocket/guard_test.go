package websocket

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWireGuardScan(t *testing.T) {
	head := []byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n")
	text := []byte{0x81, 0x02, 'h', 'i'}
	ping := []byte{0x89, 0x01, 'p'}
	big := append([]byte{0x82, 126, 0x01, 0x00}, bytes.Repeat([]byte{0x88}, 256)...) // payload of Close opcodes
	masked := []byte{0x81, 0x81, 1, 2, 3, 4, 'x'}
	long := append([]byte{0x82, 127, 0, 0, 0, 0, 0, 0, 0, 3}, 0x88, 0x01, 0x00)
	bad := []byte{0x88, 0x01, 0x03}
	good := []byte{0x88, 0x02, 0x03, 0xe8}
	empty := []byte{0x88, 0x00}
	tests := []struct {
		name   string
		stream []byte
		bad    int // offset of the forbidden frame, or -1
	}{
		{"valid frames and close", concat(head, text, ping, big, masked, long, good), -1},
		{"empty close", concat(head, text, empty), -1},
		{"one-byte close", concat(head, text, ping, bad), len(head) + len(text) + len(ping)},
		{"one-byte close after long frames", concat(head, big, long, bad), len(head) + len(big) + len(long)},
		{"one-byte close right after the 101", concat(head, bad), len(head)},
		{"bytes that look like a close inside an HTTP header", concat([]byte("HTTP/1.1 101 OK\r\nX: \x88\x01\r\n\r\n"), text), -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for chunk := 1; chunk <= len(tt.stream); chunk++ {
				var g wireGuard
				found := -1
				for off := 0; off < len(tt.stream) && found < 0; off += chunk {
					end := min(off+chunk, len(tt.stream))
					if i := g.scan(tt.stream[off:end]); i >= 0 {
						found = off + i
						if tt.bad >= off { // the frame started in this piece: exact offset
							assert.Equal(t, tt.bad, found, "chunk %d", chunk)
						} else { // it started in an earlier piece: 0
							assert.Equal(t, 0, i, "chunk %d", chunk)
						}
					}
				}
				if tt.bad < 0 {
					assert.Equal(t, -1, found, "chunk %d", chunk)
				} else {
					assert.GreaterOrEqual(t, found, 0, "chunk %d: not found", chunk)
				}
			}
		})
	}
}

func concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
