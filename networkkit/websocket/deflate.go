package websocket

import (
	"bufio"
	"bytes"
	stdflate "compress/flate"
	"errors"
	"io"
	"sync"

	"github.com/klauspost/compress/flate"
)

// Compression of messages (RFC 7692). The writer side compresses a whole
// message into a buffer and sends it as frames with RSV1 on the first; the
// reader side inflates a compressed message while its frames arrive,
// checking the size limit and UTF-8 on the inflated bytes (read.go).
//
// Compression uses klauspost/compress/flate rather than compress/flate: it
// can compress with a window smaller than 32 KiB, which a server asking for
// client_max_window_bits below 15 requires (compress/flate cannot), and it
// is faster, at level 1 with a better ratio too (BenchmarkDeflateCompress).
// Decompression uses compress/flate, about as fast (BenchmarkDeflateInflate): it
// inflates any window, and it refuses a block whose distance code is empty
// where klauspost's (v1.20.4) decodes it with the table of the block before
// — with pooled decompressors, a table left by another message.

// Defaults of the compression options.
const (
	// DefaultCompressionLevel is flate's fastest level: JSON and text
	// shrink several times already, at a fraction of the CPU of the higher
	// levels.
	DefaultCompressionLevel = 1
	// DefaultCompressionThreshold is the size below which messages go
	// uncompressed: smaller ones gain too little to pay for the work.
	DefaultCompressionThreshold = 256
)

// deflateTail is what a sync flush ends with; permessage-deflate strips it
// from every compressed message and the receiver adds it back (RFC 7692
// §7.2.1).
var deflateTail = [4]byte{0x00, 0x00, 0xff, 0xff}

// writerPools hold the compressors of no-context-takeover connections, by
// level and window bits; like writePool, they are caches.
var writerPools [10][16]sync.Pool

// readerPool holds decompressors; any window up to 32 KiB fits them all.
var readerPool sync.Pool

// newFlateWriter returns a compressor at level with a window of 1<<bits
// bytes (bits 8–15).
func newFlateWriter(level, bits int) *flate.Writer {
	var w *flate.Writer
	if bits < 15 {
		w, _ = flate.NewWriterWindow(nil, 1<<bits)
	} else {
		w, _ = flate.NewWriter(nil, level)
	}
	return w
}

// deflater compresses the messages one connection sends; only the owner
// of the write side uses it.
type deflater struct {
	level, bits int
	threshold   int
	takeover    bool
	w           *flate.Writer // the connection's own, with context takeover
	out         bytes.Buffer  // the compressed message
}

func newDeflater(p deflateParams, level, threshold int) *deflater {
	return &deflater{level: level, bits: p.clientWindowBits, threshold: threshold, takeover: !p.clientNoTakeover}
}

// compress returns the compressed form of p, without the sync flush's
// tail; it is valid until the next call. Context takeover keeps the
// compressor's state for the next message; otherwise a pooled compressor is
// used and returned.
func (d *deflater) compress(p []byte) ([]byte, error) {
	d.out.Reset()
	w := d.w
	if w == nil {
		if x := writerPools[d.level][d.bits].Get(); x != nil {
			w = x.(*flate.Writer)
		} else {
			w = newFlateWriter(d.level, d.bits)
		}
		w.Reset(&d.out)
		if d.takeover {
			d.w = w
		}
	}
	_, err := w.Write(p)
	if err == nil {
		err = w.Flush()
	}
	if !d.takeover {
		w.Reset(nil)
		writerPools[d.level][d.bits].Put(w)
	}
	b := d.out.Bytes()
	if err == nil && (len(b) < 4 || !bytes.Equal(b[len(b)-4:], deflateTail[:])) {
		err = errors.New("flate: the sync flush marker is missing")
	}
	if err != nil {
		return nil, err
	}
	return b[:len(b)-4], nil
}

// release lets go of the output buffer when a large message grew it, so
// that an idle connection does not keep it.
func (d *deflater) release() {
	if d.out.Cap() > writeChunk {
		d.out = bytes.Buffer{}
	}
}

// bufPool holds the buffered readers the decompressor reads frames through
// (flate reads a *bufio.Reader fastest).
var bufPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 16<<10) }}

// inflater is the decompression state of the messages one connection
// receives; only the reader uses it. With context takeover it keeps the
// end of the data inflated so far: the window the next message may refer
// back to.
type inflater struct {
	takeover bool
	window   int    // the server's window size
	dict     []byte // the last window bytes of the inflated messages
}

func newInflater(p deflateParams) *inflater {
	return &inflater{takeover: !p.serverNoTakeover, window: 1 << p.serverWindowBits}
}

// reader returns a pooled decompressor reading from src through a pooled
// buffer, primed with the window of the earlier messages.
func (f *inflater) reader(src io.Reader) (io.ReadCloser, *bufio.Reader) {
	var dict []byte
	if f.takeover {
		dict = f.dict
	}
	br := bufPool.Get().(*bufio.Reader)
	br.Reset(src)
	if x := readerPool.Get(); x != nil {
		r := x.(io.ReadCloser)
		r.(stdflate.Resetter).Reset(br, dict)
		return r, br
	}
	return stdflate.NewReaderDict(br, dict), br
}

// scratchPool holds the buffers messages are inflated into before they are
// copied out at their size (*[]byte, at most maxScratch bytes).
var scratchPool sync.Pool

// maxScratch is the largest scratch buffer kept in scratchPool: larger ones
// are left to the collector, so that a rare huge message does not pin its
// buffer.
const maxScratch = 1 << 20

// scratch returns a pooled holder of an empty buffer of at least size
// bytes; putScratch puts it back.
func scratch(size uint64) *[]byte {
	x, _ := scratchPool.Get().(*[]byte)
	if x == nil {
		x = new([]byte)
	}
	if uint64(cap(*x)) < size {
		*x = make([]byte, 0, size)
	}
	*x = (*x)[:0]
	return x
}

// putScratch returns buf, the buffer sp held, to scratchPool, unless it
// grew too large to keep.
func putScratch(sp *[]byte, buf []byte) {
	if cap(buf) <= maxScratch {
		*sp = buf[:0]
		scratchPool.Put(sp)
	}
}

// done returns the decompressor and its buffer to the pools and, if the
// message was inflated whole and the context is kept, slides the window
// over it.
func (f *inflater) done(r io.ReadCloser, br *bufio.Reader, msg []byte, whole bool) {
	r.(stdflate.Resetter).Reset(bytes.NewReader(nil), nil)
	readerPool.Put(r)
	br.Reset(nil)
	bufPool.Put(br)
	if !f.takeover || !whole {
		return
	}
	switch {
	case len(msg) >= f.window:
		f.dict = append(f.dict[:0], msg[len(msg)-f.window:]...)
	case len(f.dict)+len(msg) > f.window:
		keep := f.window - len(msg)
		f.dict = append(f.dict[:copy(f.dict, f.dict[len(f.dict)-keep:])], msg...)
	default:
		f.dict = append(f.dict, msg...)
	}
}
