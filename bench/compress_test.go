package main

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestJSONRing checks the compression workloads' messages: valid JSON of
// exactly the size asked, the same on every call, all different, and a
// realistic ratio: 3–8× for the ring sent as a stream through one flate
// writer with a 32 KiB window (context takeover; compress/flate's default
// level, whose matches reach the whole window; at level 1 its matches reach
// only the previous message, and the ratio the workloads get depends on the
// library: the report gives it).
func TestJSONRing(t *testing.T) {
	for _, size := range []int{1 << 10, 64 << 10} {
		ring := jsonRing(size, zRingLen(size))
		again := jsonRing(size, zRingLen(size))
		seen := map[string]bool{}
		for i, doc := range ring {
			if len(doc) != size {
				t.Fatalf("size %d, doc %d: %d bytes", size, i, len(doc))
			}
			if !json.Valid(doc) {
				t.Fatalf("size %d, doc %d: not JSON: %.200s", size, i, doc)
			}
			if !bytes.Equal(doc, again[i]) {
				t.Fatalf("size %d, doc %d: not deterministic", size, i)
			}
			if seen[string(doc)] {
				t.Fatalf("size %d, doc %d: a repeat", size, i)
			}
			seen[string(doc)] = true
		}
		stream := deflatedRatio(ring, flate.DefaultCompression, true)
		t.Logf("size %d: %d documents; stream with context takeover: %.2f× (level 1: %.2f×); one document alone at level 1: %.2f×",
			size, len(ring), stream, deflatedRatio(ring, flate.BestSpeed, true), deflatedRatio(ring, flate.BestSpeed, false))
		if stream < 3 || stream > 8 {
			t.Errorf("size %d: stream ratio %.2f×, want 3–8×", size, stream)
		}
	}
}

// deflatedRatio compresses the ring twice over, as permessage-deflate
// does: one writer flushed after each message (takeover), or a writer per
// message.
func deflatedRatio(ring [][]byte, level int, takeover bool) float64 {
	var in, out int
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, level)
	for i := range 2 * len(ring) {
		doc := ring[i%len(ring)]
		buf.Reset()
		if !takeover {
			fw.Reset(&buf)
		}
		_, _ = fw.Write(doc)
		_ = fw.Flush()
		in, out = in+len(doc), out+buf.Len()-4 // the flush's 00 00 ff ff is not sent
	}
	return float64(in) / float64(out)
}

func TestCheckAnswer(t *testing.T) {
	if checkCompressed(2*1030, 1030, 1, 1024) == nil || checkCompressed(1030+300, 300, 1, 1024) == nil ||
		checkCompressed(1030+300, 1030, 1, 1024) == nil || checkCompressed(860+600, 860, 1, 1024) != nil {
		t.Error("checkCompressed: wrong verdicts")
	}
	for _, c := range []struct {
		z   compression
		ext string
		ok  bool
	}{
		{zOff, "", true},
		{zOff, "permessage-deflate", false},
		{zTakeover, "permessage-deflate", true},
		{zTakeover, "permessage-deflate; server_max_window_bits=15", true},
		{zTakeover, "", false},
		{zTakeover, "permessage-deflate; server_no_context_takeover", false},
		{zTakeover, "permessage-deflate; client_no_context_takeover", false},
		{zTakeover, "permessage-deflate; client_max_window_bits=10", false},
		{zTakeover, "permessage-deflate, permessage-deflate", false},
		{zTakeover, "x-webkit-deflate-frame", false},
		{zNoTakeover, "permessage-deflate; server_no_context_takeover; client_no_context_takeover", true},
		{zNoTakeover, "permessage-deflate;client_no_context_takeover;server_no_context_takeover", true},
		{zNoTakeover, "permessage-deflate; server_no_context_takeover", false},
		{zNoTakeover, "permessage-deflate", false},
	} {
		if err := c.z.checkAnswer(c.ext); (err == nil) != c.ok {
			t.Errorf("%s, answer %q: error %v, want ok %v", c.z, c.ext, err, c.ok)
		}
	}
}

// TestNegotiation dials every implementation that supports a mode against
// the echo server's path for it and echoes a short stream of 1 KiB JSON
// messages through the wire counter; and checks that a client offering context takeover to the
// no-takeover path fails its dial (checkAnswer catches the server's
// answer).
func TestNegotiation(t *testing.T) {
	srv := httptest.NewServer(echoHandler())
	defer srv.Close()
	base := "ws" + strings.TrimPrefix(srv.URL, "http")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ring := jsonRing(1<<10, 8)
	for _, name := range []string{"ours-callback", "ours-blocking", "gws", "coder", "gorilla"} {
		impl := implementations[name]
		for _, z := range []compression{zTakeover, zNoTakeover} {
			if !supports(name, z) {
				continue
			}
			s, err := impl(ctx, base+z.path(), dialOpts{z: z, wire: &wire})
			if err != nil {
				t.Errorf("%s, %s: %v", name, z, err)
				continue
			}
			const n = 16
			w0, sent0 := wire.snapshot()
			if err := s.stream(ctx, ring, 1, n); err != nil {
				t.Errorf("%s, %s: echo: %v", name, z, err)
			}
			w1, sent1 := wire.snapshot()
			t.Logf("%s, %s: %d bytes on the wire per round trip, %d sent", name, z, (w1-w0)/n, (sent1-sent0)/n)
			if err := checkCompressed(w1-w0, sent1-sent0, n, len(ring[0])); err != nil {
				t.Errorf("%s, %s: %v", name, z, err)
			}
			_ = s.close(ctx)
		}
		if supports(name, zTakeover) {
			if _, err := impl(ctx, base+zNoTakeover.path(), dialOpts{z: zTakeover, wire: &wire}); err == nil {
				t.Errorf("%s: offered context takeover to %s, the dial did not fail", name, zNoTakeover.path())
			} else {
				t.Logf("%s on %s: %v", name, zNoTakeover.path(), err)
			}
		}
	}
}
