package websocket

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jsonish returns n bytes of JSON-like text, which compresses well but
// not trivially.
func jsonish(n int) []byte {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `{"id":%d,"name":"user-%d","tags":["a%d","b%d"],"score":%d.%d},`, i, i*7919%1000, i%13, i%17, i*31%977, i%10)
	}
	return []byte(b.String()[:n])
}

// TestDeflaterReleasesLargeOutput: the buffer a large compressed message
// grew is let go once the message is written, so that an idle connection
// does not keep it; a small one is kept for the next message (package doc,
// section Compression: memory).
func TestDeflaterReleasesLargeOutput(t *testing.T) {
	for _, takeover := range []bool{false, true} {
		d := newDeflater(deflateParams{on: true, clientNoTakeover: !takeover, clientWindowBits: 15}, 1, 0)
		_, err := d.compress(jsonish(4 << 20))
		require.NoError(t, err)
		require.Greater(t, d.out.Cap(), writeChunk)
		d.release()
		assert.Zero(t, d.out.Cap(), "takeover %v: the large output buffer is let go", takeover)

		_, err = d.compress(jsonish(1 << 10))
		require.NoError(t, err)
		kept := d.out.Cap()
		require.NotZero(t, kept)
		d.release()
		assert.Equal(t, kept, d.out.Cap(), "takeover %v: a small output buffer is kept", takeover)
	}
}

// TestDeflaterLevel: with the full window, the compression level is the
// one asked for (RequestOptions.CompressionLevel; a smaller window has a
// compressor of its own).
func TestDeflaterLevel(t *testing.T) {
	msg := jsonish(64 << 10)
	size := func(level, bits int) int {
		d := newDeflater(deflateParams{on: true, clientNoTakeover: true, clientWindowBits: bits}, level, 0)
		z, err := d.compress(msg)
		require.NoError(t, err)
		return len(z)
	}
	assert.Less(t, size(9, 15), size(1, 15), "level 9 compresses more than level 1 with a 32 KiB window")
}
