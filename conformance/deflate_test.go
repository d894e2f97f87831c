package conformance_test

// The server side of permessage-deflate (RFC 7692): what the hostile server
// answered, the compressor of its own messages, a DEFLATE decoder of its own
// for the client's messages, and the payloads of the compression cases.

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	kflate "github.com/klauspost/compress/flate"

	"github.com/cangjie-go/ohos/internal/hostile"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// The offers the package documents (section Compression), by mode.
var deflateOffers = map[websocket.CompressionMode]string{
	websocket.CompressionNoContextTakeover: "permessage-deflate; client_no_context_takeover; server_no_context_takeover; client_max_window_bits",
	websocket.CompressionContextTakeover:   "permessage-deflate; client_max_window_bits",
}

// pmdParams is what a permessage-deflate answer settles.
type pmdParams struct {
	clientNoTakeover, serverNoTakeover bool
	clientBits, serverBits             int // 8–15; 15 when the answer says nothing
}

// parsePMDAnswer reads an answer the suite itself wrote (well formed, one
// permessage-deflate), for the server's own use.
func parsePMDAnswer(answer string) pmdParams {
	p := pmdParams{clientBits: 15, serverBits: 15}
	params := strings.Split(answer, ";")
	for _, param := range params[1:] {
		name, value, _ := strings.Cut(param, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		bits, _ := strconv.Atoi(strings.Trim(strings.TrimSpace(value), `"`))
		switch name {
		case "client_no_context_takeover":
			p.clientNoTakeover = true
		case "server_no_context_takeover":
			p.serverNoTakeover = true
		case "client_max_window_bits":
			p.clientBits = bits
		case "server_max_window_bits":
			p.serverBits = bits
		default:
			panic("parsePMDAnswer: unexpected parameter " + name)
		}
	}
	return p
}

// pmdServer is the server's side of a negotiated permessage-deflate.
type pmdServer struct {
	params pmdParams
	// clientResets: the client must compress every message on its own — the
	// answer demanded it (client_no_context_takeover), or the client offered
	// it (the package doc: it keeps to what it offered). The server then
	// decodes each client message without the earlier ones, so that a
	// reference to them fails.
	clientResets bool

	in   inflater       // the client's messages
	out  bytes.Buffer   // the server's compressed message
	zw   messageWriter  // the server's compressor, with the window it announced
	msgs []pmdClientMsg // the client's data messages, in order
}

// pmdClientMsg is what the server saw of one client message.
type pmdClientMsg struct {
	compressed     bool
	wire, inflated int // payload sizes on the wire and inflated
	stats          inflateStats
}

// messageWriter is a flate compressor of either package.
type messageWriter interface {
	Write(p []byte) (int, error)
	Flush() error
	Reset(w io.Writer)
}

func newPMDServer(p pmdParams, mode websocket.CompressionMode) *pmdServer {
	s := &pmdServer{params: p, clientResets: p.clientNoTakeover || mode == websocket.CompressionNoContextTakeover}
	// The server's own messages: compress/flate (another implementation than
	// the client's) for the full window; klauspost's windowed compressor for
	// the window the server announced below it.
	if p.serverBits == 15 {
		s.zw, _ = flate.NewWriter(&s.out, 6)
	} else {
		w, err := kflate.NewWriterWindow(&s.out, 1<<p.serverBits)
		if err != nil {
			panic(err)
		}
		s.zw = w
	}
	return s
}

// compress returns p compressed as the server's next message: a raw DEFLATE
// stream ending in a sync flush, whose 4-octet tail is removed (RFC 7692
// §7.2.1). Without server context takeover each message starts afresh.
func (s *pmdServer) compress(p []byte) []byte {
	if s.params.serverNoTakeover {
		s.zw.Reset(&s.out)
	}
	s.out.Reset()
	s.zw.Write(p)
	s.zw.Flush()
	b := s.out.Bytes()
	if !bytes.HasSuffix(b, deflateTail) {
		panic("compress: no sync flush tail")
	}
	return append([]byte(nil), b[:len(b)-len(deflateTail)]...)
}

// inflate decodes a compressed client message and files what it saw.
func (s *pmdServer) inflate(payload []byte) ([]byte, error) {
	out, st, err := s.in.message(payload, !s.clientResets, 64<<20)
	s.msgs = append(s.msgs, pmdClientMsg{compressed: true, wire: len(payload), inflated: len(out), stats: st})
	if err != nil {
		if errors.Is(err, errTooFarBack) && s.clientResets {
			return nil, fmt.Errorf("%w: the client referred to an earlier message, but must compress each on its own (%s)", err, s.resetWhy())
		}
		return nil, err
	}
	if window := 1 << s.params.clientBits; st.maxDist > window {
		return nil, fmt.Errorf("the client used a back-reference distance of %d octets, beyond its window of %d (client_max_window_bits=%d)",
			st.maxDist, window, s.params.clientBits)
	}
	return out, nil
}

func (s *pmdServer) resetWhy() string {
	if s.params.clientNoTakeover {
		return "the server answered client_no_context_takeover"
	}
	return "it offered client_no_context_takeover"
}

// deflateTail is the sync flush's tail that permessage-deflate strips.
var deflateTail = []byte{0x00, 0x00, 0xff, 0xff}

// compressedFrames compresses p as the server's next message of opcode op
// and cuts it into frames of at most frag octets (one frame if frag is 0),
// RSV1 on the first.
func (r *run) compressedFrames(op hostile.Opcode, p []byte, frag int) []hostile.Frame {
	z := r.pmd.compress(p)
	return rsv1Frames(op, z, frag)
}

// rsv1Frames cuts compressed data into a message of frames of at most frag
// octets (one frame if frag is 0), RSV1 on the first.
func rsv1Frames(op hostile.Opcode, z []byte, frag int) []hostile.Frame {
	if frag <= 0 || len(z) <= frag {
		return []hostile.Frame{{Fin: true, Rsv: hostile.RSV1, Opcode: op, Payload: z}}
	}
	var frames []hostile.Frame
	for i := 0; i < len(z); i += frag {
		end := min(i+frag, len(z))
		f := hostile.Frame{Fin: end == len(z), Opcode: hostile.OpContinuation, Payload: z[i:end]}
		if i == 0 {
			f.Rsv, f.Opcode = hostile.RSV1, op
		}
		frames = append(frames, f)
	}
	return frames
}

// ---- Payloads ----

// deflateText returns n octets of valid UTF-8 that compress like JSON:
// records of the same shape with varying values, with code points of one to
// four octets. Texts of the same seed share their beginning.
func deflateText(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 0x7e47))
	cities := []string{"Zürich", "København", "Łódź", "Αθήνα", "Москва", "東京", "서울", "São Paulo", "Kraków", "Reykjavík"}
	var b bytes.Buffer
	for b.Len() < n {
		fmt.Fprintf(&b, `{"id":%d,"city":"%s","temp":%d.%d,"note":"κόσμε 😀 %x"},`,
			rng.IntN(100000), cities[rng.IntN(len(cities))], rng.IntN(40), rng.IntN(10), rng.Uint32())
	}
	p := b.Bytes()[:n]
	for !utf8.Valid(p) { // cut inside a code point: replace its start with spaces
		i := len(p) - 1
		for p[i]&0xc0 == 0x80 {
			i--
		}
		for j := i; j < len(p); j++ {
			p[j] = ' '
		}
	}
	return p
}

// deflateBinary returns n octets that compress to about half: runs of
// random octets and copies of earlier runs, from near and far back (up to
// 30000 octets), so that a compressor's window shows.
func deflateBinary(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 0xb1a))
	p := make([]byte, 0, n+512)
	for len(p) < n {
		run := 16 + rng.IntN(300)
		if len(p) > 1000 && rng.IntN(2) == 0 {
			from := len(p) - 1 - rng.IntN(min(len(p)-run, 30000))
			from = max(from, 0)
			p = append(p, p[from:from+min(run, len(p)-from)]...)
			continue
		}
		for range run {
			p = append(p, byte(rng.Uint32()))
		}
	}
	return p[:n]
}

// farRepeat returns a block of r random octets twice: a compressor with a
// window of more than r octets encodes the second half as references r
// octets back, one with a smaller window cannot.
func farRepeat(r int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 0xfa2))
	b := make([]byte, r)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return append(b, b...)
}

// helloZ is "Hello" compressed (RFC 7692 §7.2.3.1).
var helloZ = []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}

// bombBlock is a sync-flushed DEFLATE block of about 1 KiB that inflates
// to 1 MiB of zeros; copies of it follow each other as one stream.
var bombBlock = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression)
	w.Write(make([]byte, mib))
	w.Flush()
	return b.Bytes() // it ends with the sync flush's tail
})

// bombMessage is a message of count copies of bombBlock (count MiB
// inflated), without the last tail.
func bombMessage(count int) []byte {
	blk := bombBlock()
	z := bytes.Repeat(blk, count)
	return z[:len(z)-len(deflateTail)]
}

// compressParts compresses parts as one message, each part ending in a
// sync flush, and returns the compressed form of each (the tail of the
// last removed), so that each inflates on its own to its part.
func compressParts(parts ...[]byte) [][]byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, 6)
	var out [][]byte
	for _, p := range parts {
		b.Reset()
		w.Write(p)
		w.Flush()
		out = append(out, append([]byte(nil), b.Bytes()...))
	}
	last := out[len(out)-1]
	out[len(out)-1] = last[:len(last)-len(deflateTail)]
	return out
}

// ---- A DEFLATE decoder (RFC 1951) that reports its distances ----

// inflater decodes raw DEFLATE data as a permessage-deflate receiver does:
// the message's payload with the sync flush's tail appended, up to the end
// of the data or of a block with BFINAL set (RFC 7692 §7.2.2). With context
// takeover it keeps the last 32 KiB of the output for the next message.
//
// compress/flate cannot be asked how far back a stream refers, nor be
// limited to a window: this decoder reports the longest distance it met, so
// that a case can prove that the client compressed within the window the
// server gave it (client_max_window_bits), and fails on a reference to
// output it does not have.
type inflater struct {
	hist     []byte // the end of the earlier messages' output (context takeover)
	lit, dst []uint32
}

// inflateStats is what a message's decoding saw.
type inflateStats struct {
	maxDist  int  // the longest back-reference distance
	intoHist bool // a back-reference reached into the earlier messages
	bfinal   bool // a block with BFINAL set ended the data
}

var (
	errTooFarBack = errors.New("deflate: back-reference before the start of the data")
	errShort      = errors.New("deflate: the data ends inside a block")
)

// message decodes one message. takeover says whether it may refer to the
// earlier messages (and whether its output is kept for the next ones); the
// output is bounded by maxOut.
func (f *inflater) message(payload []byte, takeover bool, maxOut int) ([]byte, inflateStats, error) {
	var st inflateStats
	if !takeover {
		f.hist = f.hist[:0]
	}
	in := append(append([]byte(nil), payload...), deflateTail...)
	br := &bitReader{in: in}
	work := append(make([]byte, 0, len(f.hist)+4*len(payload)+64), f.hist...)
	start := len(work)
	for !st.bfinal && !(br.pos == len(in) && br.n < 8) {
		final, err := br.take(1)
		if err != nil {
			return nil, st, err
		}
		st.bfinal = final == 1
		btype, err := br.take(2)
		if err != nil {
			return nil, st, err
		}
		switch btype {
		case 0:
			work, err = br.stored(work)
		case 1:
			work, err = f.huffmanBlock(br, work, start, maxOut, fixedLit, fixedDist, &st)
		case 2:
			var lit, dst []uint32
			if lit, dst, err = f.dynamicTables(br); err == nil {
				work, err = f.huffmanBlock(br, work, start, maxOut, lit, dst, &st)
			}
		default:
			err = errors.New("deflate: invalid block type 3")
		}
		if err != nil {
			return nil, st, err
		}
		if len(work)-start > maxOut {
			return nil, st, fmt.Errorf("deflate: output over %d octets", maxOut)
		}
	}
	out := append([]byte(nil), work[start:]...)
	if takeover {
		keep := work[max(0, len(work)-32<<10):]
		f.hist = append(f.hist[:0], keep...)
	}
	return out, st, nil
}

// bitReader reads the bits of in, least significant first.
type bitReader struct {
	in   []byte
	pos  int    // the next octet of in
	bits uint64 // bits read from in and not yet used, in the low n bits
	n    uint
}

// fill adds octets until at least k bits are held or the input ends.
func (b *bitReader) fill(k uint) {
	for b.n < k && b.pos < len(b.in) {
		b.bits |= uint64(b.in[b.pos]) << b.n
		b.pos++
		b.n += 8
	}
}

func (b *bitReader) take(k uint) (uint32, error) {
	b.fill(k)
	if b.n < k {
		return 0, errShort
	}
	v := uint32(b.bits & (1<<k - 1))
	b.bits >>= k
	b.n -= k
	return v, nil
}

// decode reads one symbol of the Huffman table h (see huffmanTable).
func (b *bitReader) decode(h []uint32) (int, error) {
	b.fill(15)
	e := h[b.bits&(1<<15-1)]
	l := uint(e & 15)
	switch {
	case l == 0:
		return 0, errors.New("deflate: invalid Huffman code")
	case l > b.n:
		return 0, errShort
	}
	b.bits >>= l
	b.n -= l
	return int(e >> 4), nil
}

// stored copies a stored block (BTYPE 00) to out.
func (b *bitReader) stored(out []byte) ([]byte, error) {
	drop := b.n % 8
	b.bits >>= drop
	b.n -= drop
	length, err := b.take(16)
	if err != nil {
		return nil, err
	}
	nlength, err := b.take(16)
	if err != nil {
		return nil, err
	}
	if length != ^nlength&0xffff {
		return nil, fmt.Errorf("deflate: stored block LEN %#x does not match NLEN %#x", length, nlength)
	}
	for ; length > 0 && b.n >= 8; length-- { // octets already in the bit buffer
		out = append(out, byte(b.bits))
		b.bits >>= 8
		b.n -= 8
	}
	if int(length) > len(b.in)-b.pos {
		return nil, errShort
	}
	out = append(out, b.in[b.pos:b.pos+int(length)]...)
	b.pos += int(length)
	return out, nil
}

// Length and distance codes (RFC 1951 §3.2.5).
var (
	lengthBase  = [...]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [...]uint{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [...]int{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
		4097, 6145, 8193, 12289, 16385, 24577}
	distExtra = [...]uint{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
)

// The fixed Huffman tables (RFC 1951 §3.2.6).
var fixedLit, fixedDist = func() ([]uint32, []uint32) {
	var l [288]uint8
	for i := range l {
		switch {
		case i < 144:
			l[i] = 8
		case i < 256:
			l[i] = 9
		case i < 280:
			l[i] = 7
		default:
			l[i] = 8
		}
	}
	var d [32]uint8
	for i := range d {
		d[i] = 5
	}
	lit, _ := huffmanTable(nil, l[:])
	dst, _ := huffmanTable(nil, d[:])
	return lit, dst
}()

// huffmanTable builds the decoding table of a canonical Huffman code from
// its code lengths (RFC 1951 §3.2.2), reusing t: indexed by the next 15
// bits of the input, each entry holds symbol<<4 | code length, or 0 where
// no code matches (an incomplete code).
func huffmanTable(t []uint32, lengths []uint8) ([]uint32, error) {
	var count [16]int
	for _, l := range lengths {
		count[l]++
	}
	count[0] = 0
	left := 1
	for l := 1; l < 16; l++ {
		left = left<<1 - count[l]
		if left < 0 {
			return nil, errors.New("deflate: over-subscribed Huffman code")
		}
	}
	var next [16]int
	code := 0
	for l := 1; l < 16; l++ {
		code = (code + count[l-1]) << 1
		next[l] = code
	}
	if t == nil {
		t = make([]uint32, 1<<15)
	} else {
		clear(t)
	}
	for sym, l := range lengths {
		if l == 0 {
			continue
		}
		c := next[l]
		next[l]++
		rev := 0 // the code's bits, first bit lowest, as they arrive
		for i := range int(l) {
			rev |= (c >> i & 1) << (int(l) - 1 - i)
		}
		for k := rev; k < 1<<15; k += 1 << l {
			t[k] = uint32(sym)<<4 | uint32(l)
		}
	}
	return t, nil
}

// dynamicTables reads the code lengths of a dynamic block (BTYPE 10).
func (f *inflater) dynamicTables(b *bitReader) ([]uint32, []uint32, error) {
	hlit, err := b.take(5)
	if err != nil {
		return nil, nil, err
	}
	hdist, err := b.take(5)
	if err != nil {
		return nil, nil, err
	}
	hclen, err := b.take(4)
	if err != nil {
		return nil, nil, err
	}
	nlit, ndist := int(hlit)+257, int(hdist)+1
	if nlit > 286 || ndist > 30 {
		return nil, nil, fmt.Errorf("deflate: %d literal/length and %d distance codes", nlit, ndist)
	}
	var clLengths [19]uint8
	for i := range int(hclen) + 4 {
		v, err := b.take(3)
		if err != nil {
			return nil, nil, err
		}
		clLengths[[...]int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}[i]] = uint8(v)
	}
	cl, err := huffmanTable(nil, clLengths[:])
	if err != nil {
		return nil, nil, err
	}
	lengths := make([]uint8, 0, nlit+ndist)
	for len(lengths) < nlit+ndist {
		sym, err := b.decode(cl)
		if err != nil {
			return nil, nil, err
		}
		var rep uint32
		var val uint8
		switch {
		case sym < 16:
			lengths = append(lengths, uint8(sym))
			continue
		case sym == 16:
			if len(lengths) == 0 {
				return nil, nil, errors.New("deflate: code length 16 with no previous length")
			}
			val = lengths[len(lengths)-1]
			rep, err = b.take(2)
			rep += 3
		case sym == 17:
			rep, err = b.take(3)
			rep += 3
		default:
			rep, err = b.take(7)
			rep += 11
		}
		if err != nil {
			return nil, nil, err
		}
		if len(lengths)+int(rep) > nlit+ndist {
			return nil, nil, errors.New("deflate: code lengths overrun")
		}
		for range rep {
			lengths = append(lengths, val)
		}
	}
	if lengths[256] == 0 {
		return nil, nil, errors.New("deflate: no end-of-block code")
	}
	if f.lit, err = huffmanTable(f.lit, lengths[:nlit]); err != nil {
		return nil, nil, err
	}
	if f.dst, err = huffmanTable(f.dst, lengths[nlit:]); err != nil {
		return nil, nil, err
	}
	return f.lit, f.dst, nil
}

// huffmanBlock decodes a Huffman block's symbols into out, whose output of
// this message begins at start.
func (f *inflater) huffmanBlock(b *bitReader, out []byte, start, maxOut int, lit, dst []uint32, st *inflateStats) ([]byte, error) {
	for {
		sym, err := b.decode(lit)
		if err != nil {
			return nil, err
		}
		switch {
		case sym < 256:
			out = append(out, byte(sym))
			continue
		case sym == 256:
			return out, nil
		case sym > 285:
			return nil, fmt.Errorf("deflate: invalid length code %d", sym)
		}
		extra, err := b.take(lengthExtra[sym-257])
		if err != nil {
			return nil, err
		}
		length := lengthBase[sym-257] + int(extra)
		dsym, err := b.decode(dst)
		if err != nil {
			return nil, err
		}
		if dsym >= 30 {
			return nil, fmt.Errorf("deflate: invalid distance code %d", dsym)
		}
		extra, err = b.take(distExtra[dsym])
		if err != nil {
			return nil, err
		}
		dist := distBase[dsym] + int(extra)
		if dist > len(out) {
			return nil, fmt.Errorf("%w: distance %d with %d octets of history", errTooFarBack, dist, len(out))
		}
		st.maxDist = max(st.maxDist, dist)
		if dist > len(out)-start {
			st.intoHist = true
		}
		if len(out)-start+length > maxOut {
			return nil, fmt.Errorf("deflate: output over %d octets", maxOut)
		}
		from := len(out) - dist
		if dist >= length {
			out = append(out, out[from:from+length]...)
			continue
		}
		for i := range length {
			out = append(out, out[from+i])
		}
	}
}
