package websocket_test

import (
	"bytes"
	stdflate "compress/flate"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	kpflate "github.com/klauspost/compress/flate"
)

// The measurement behind the choice of deflate implementations (see
// deflate.go and the README's dependency table):
//
//	go test -run='^$' -bench=Deflate -benchmem ./networkkit/websocket
//
// Compress: each implementation compresses JSON messages as
// permessage-deflate does (one writer per stream, a sync flush per
// message); "ratio" is input bytes over output bytes. Inflate: each
// inflates what the other side sends. The messages differ from each other
// and do not repeat within the 32 KiB window, as a feed's do not.

// jsonMessage returns about size bytes of JSON records whose values vary as
// a real feed's do (ids, names, timestamps, nested objects), from seed.
func jsonMessage(size int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	names := []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"}
	cities := []string{"Shenzhen", "Beijing", "Shanghai", "Hangzhou", "Chengdu", "Wuhan", "Xi'an", "Nanjing"}
	var b strings.Builder
	b.WriteString("[")
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		name := names[r.IntN(len(names))]
		fmt.Fprintf(&b, `{"id":%d,"user":"%s%d","email":"%s.%d@example.com","active":%t,`+
			`"score":%.3f,"created":"2026-%02d-%02dT%02d:%02d:%02dZ",`+
			`"address":{"city":"%s","zip":"%06d"},"tags":["t%d","t%d"]}`,
			r.IntN(1_000_000), name, r.IntN(1000), name, r.IntN(100), r.IntN(2) == 0,
			r.Float64()*100, 1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60),
			cities[r.IntN(len(cities))], r.IntN(1_000_000), r.IntN(50), r.IntN(50))
	}
	b.WriteString("]")
	return []byte(b.String())
}

// flusher is what both packages' writers offer.
type flusher interface {
	io.Writer
	Flush() error
}

var deflateImpls = []struct {
	name string
	new  func(w io.Writer, level int) (flusher, error)
}{
	{"klauspost", func(w io.Writer, level int) (flusher, error) { return kpflate.NewWriter(w, level) }},
	{"stdlib", func(w io.Writer, level int) (flusher, error) { return stdflate.NewWriter(w, level) }},
}

// jsonMessages returns distinct messages of about size bytes, together
// more than twice the 32 KiB window.
func jsonMessages(size int) [][]byte {
	msgs := make([][]byte, max(8, 2*(64<<10)/size))
	for i := range msgs {
		msgs[i] = jsonMessage(size, uint64(i))
	}
	return msgs
}

func BenchmarkDeflateCompress(b *testing.B) {
	for _, size := range []int{1 << 10, 64 << 10} {
		msgs := jsonMessages(size)
		for _, level := range []int{1, 6} {
			for _, impl := range deflateImpls {
				b.Run(fmt.Sprintf("%dB/level%d/%s", size, level, impl.name), func(b *testing.B) {
					var out bytes.Buffer
					w, err := impl.new(&out, level)
					if err != nil {
						b.Fatal(err)
					}
					in, written := 0, 0
					b.SetBytes(int64(len(msgs[0])))
					b.ReportAllocs()
					for i := 0; b.Loop(); i++ {
						out.Reset()
						m := msgs[i%len(msgs)]
						if _, err := w.Write(m); err != nil {
							b.Fatal(err)
						}
						if err := w.Flush(); err != nil {
							b.Fatal(err)
						}
						in, written = in+len(m), written+out.Len()-4
					}
					b.ReportMetric(float64(in)/float64(written), "ratio")
				})
			}
		}
	}
}

func BenchmarkDeflateInflate(b *testing.B) {
	for _, size := range []int{1 << 10, 64 << 10} {
		var stream bytes.Buffer
		w, _ := kpflate.NewWriter(&stream, 1)
		msgs := jsonMessages(size)
		total := 0
		for _, m := range msgs {
			w.Write(m)
			w.Flush()
			total += len(m)
		}
		data := stream.Bytes()
		readers := []struct {
			name string
			new  func(io.Reader) io.Reader
		}{
			{"klauspost", func(r io.Reader) io.Reader { return kpflate.NewReader(r) }},
			{"stdlib", func(r io.Reader) io.Reader { return stdflate.NewReader(r) }},
		}
		for _, rd := range readers {
			b.Run(fmt.Sprintf("%dB/%s", size, rd.name), func(b *testing.B) {
				buf := make([]byte, 2*size)
				b.SetBytes(int64(total))
				b.ReportAllocs()
				for b.Loop() {
					// The whole stream, read one message at a time as a
					// takeover context does.
					r := rd.new(bytes.NewReader(data))
					for _, m := range msgs {
						if _, err := io.ReadFull(r, buf[:len(m)]); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
		}
	}
}
