// Package hostile is a WebSocket server for tests that does everything by
// hand on a raw TCP listener, so that it can do anything wrong on purpose:
// answer the opening handshake with any bytes, send frames with any FIN,
// RSV, opcode, mask and length encoding, chop its writes into pieces and
// delay them, and read slowly. It records everything the client sends back
// — frames, unmasked, with the time they arrived — and when the client
// closed the TCP connection.
//
// A test gives [New] a script; the server runs it for every connection it
// accepts, with a [Conn]:
//
//	srv := hostile.New(t, func(c *hostile.Conn) {
//		if _, err := c.Upgrade(); err != nil {
//			return
//		}
//		c.WriteFrame(hostile.Frame{Fin: true, Rsv: hostile.RSV2, Opcode: hostile.OpText})
//		code, _, err := c.ExpectClose(time.Now().Add(time.Second))
//		...
//	})
//	ws.ConnectContext(ctx, srv.URL(), nil)
//
// The conformance suite and the fault and fuzz tests share it. It is not
// part of the library.
package hostile

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Errors of the reading methods.
var (
	// ErrTimeout: the deadline passed before the awaited thing happened.
	ErrTimeout = errors.New("hostile: deadline passed")
	// ErrUnmasked: a frame from the client had the mask bit clear (RFC 6455
	// §5.1). ReadFrame returns the frame along with it.
	ErrUnmasked = errors.New("hostile: client frame is not masked")
	// ErrFrameTooLarge: a frame declared a payload over the limit (see
	// Server.SetMaxPayload); reading stops there.
	ErrFrameTooLarge = errors.New("hostile: client frame is too large")
	// ErrUnexpectedFrame: ExpectClose read a frame that is not a close frame.
	ErrUnexpectedFrame = errors.New("hostile: unexpected frame")
)

// DefaultMaxPayload is the largest client frame payload a Conn accepts,
// unless Server.SetMaxPayload says otherwise.
const DefaultMaxPayload = 64 << 20

// Server accepts connections on 127.0.0.1 and runs a script for each.
type Server struct {
	t      testing.TB
	ln     net.Listener
	script func(c *Conn)

	mu         sync.Mutex
	conns      map[*Conn]struct{}
	accepted   int
	closed     bool
	maxPayload int64
	wg         sync.WaitGroup
}

// New starts a server on 127.0.0.1 with a free port. For every connection
// it accepts, it runs script on a goroutine of its own and closes the
// connection when script returns. A panicking script is reported with
// t.Errorf. The server is closed by t's cleanup, or earlier by Close.
func New(t testing.TB, script func(c *Conn)) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("hostile: listen: %v", err)
	}
	s := &Server{t: t, ln: ln, script: script, conns: make(map[*Conn]struct{})}
	s.wg.Add(1)
	go s.acceptLoop()
	t.Cleanup(s.Close)
	return s
}

// URL returns "ws://127.0.0.1:port/".
func (s *Server) URL() string { return "ws://" + s.ln.Addr().String() + "/" }

// Addr returns the listening address.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// SetMaxPayload bounds the payload of a frame read from the client on the
// connections accepted from now on: a larger one stops reading with
// ErrFrameTooLarge. Defaults to DefaultMaxPayload.
func (s *Server) SetMaxPayload(n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxPayload = n
}

// Accepted returns how many connections the server has accepted.
func (s *Server) Accepted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted
}

// Close stops accepting, closes every connection and waits for the scripts
// to return. Additional calls do nothing but wait.
func (s *Server) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		s.ln.Close()
		for c := range s.conns {
			c.Close()
		}
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) acceptLoop() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		c := newConn(nc, s.maxPayload)
		if s.closed {
			s.mu.Unlock()
			nc.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.accepted++
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serve(c)
	}
}

func (s *Server) serve(c *Conn) {
	defer s.wg.Done()
	defer func() {
		c.Close()
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}()
	defer func() {
		if r := recover(); r != nil {
			s.t.Errorf("hostile: script panicked: %v\n%s", r, debug.Stack())
		}
	}()
	s.script(c)
}

// Conn is one accepted connection. Its methods may be called from one
// goroutine at a time (the script's), except Close, which may be called
// from any goroutine.
type Conn struct {
	nc         net.Conn
	br         *bufio.Reader
	maxPayload int64

	closed    chan struct{}
	closeOnce sync.Once
	readRate  atomic.Int64 // bytes per second; 0 means unpaced (see SetReadRate)

	wmu sync.Mutex // serialises writes

	startOnce  sync.Once
	readerDone chan struct{}

	mu      sync.Mutex
	changed chan struct{} // closed and replaced whenever the fields below change
	queue   []Frame       // frames read and not yet returned by ReadFrame
	queued  []error       // per queued frame: ErrUnmasked or nil
	record  []Received
	readErr error     // why the reader stopped
	endedAt time.Time // when it stopped
	nread   int64     // bytes read after the handshake
}

// Received is one frame the client sent, with the time it was read.
type Received struct {
	Frame Frame
	At    time.Time
}

func newConn(nc net.Conn, maxPayload int64) *Conn {
	if maxPayload <= 0 {
		maxPayload = DefaultMaxPayload
	}
	c := &Conn{
		nc:         nc,
		maxPayload: maxPayload,
		closed:     make(chan struct{}),
		readerDone: make(chan struct{}),
		changed:    make(chan struct{}),
	}
	c.br = bufio.NewReaderSize(pacedReader{c}, 64<<10)
	return c
}

// SetReadRate paces every read from the connection, the opening request's
// and the frames', to at most bytesPerSecond from the next read on, so that
// a test can play a server that reads slowly: the client's writes then
// block in TCP once the socket buffers are full. Zero (the default) reads
// as fast as the bytes come. It may be called from any goroutine.
func (c *Conn) SetReadRate(bytesPerSecond int) { c.readRate.Store(int64(bytesPerSecond)) }

// pacedReader reads from the connection at the rate SetReadRate set: at
// most a hundredth of a second's worth per read, and after each read it
// waits for the time those bytes take at the rate. Close interrupts the
// wait.
type pacedReader struct{ c *Conn }

func (r pacedReader) Read(p []byte) (int, error) {
	rate := r.c.readRate.Load()
	if rate <= 0 {
		return r.c.nc.Read(p)
	}
	if chunk := max(rate/100, 1); int64(len(p)) > chunk {
		p = p[:chunk]
	}
	n, err := r.c.nc.Read(p)
	if n > 0 {
		r.c.Pause(time.Duration(int64(n) * int64(time.Second) / rate))
	}
	return n, err
}

// NetConn returns the TCP connection, for deadlines and the like. Reading
// from it directly bypasses the record.
func (c *Conn) NetConn() net.Conn { return c.nc }

// Close closes the connection and waits for the frame reader to stop. It
// may be called more than once and from any goroutine.
func (c *Conn) Close() error {
	var err error
	c.closeOnce.Do(func() {
		close(c.closed)
		err = c.nc.Close()
		c.startOnce.Do(func() { // the reader never started
			c.mu.Lock()
			c.readErr, c.endedAt = fmt.Errorf("%w (closed by the server)", net.ErrClosed), time.Now()
			c.notify()
			c.mu.Unlock()
			close(c.readerDone)
		})
	})
	<-c.readerDone
	return err
}

// ReadRequest reads the client's opening handshake request and returns it
// with its Sec-WebSocket-Key.
func (c *Conn) ReadRequest() (*http.Request, string, error) {
	req, err := http.ReadRequest(c.br)
	if err != nil {
		return nil, "", err
	}
	return req, req.Header.Get("Sec-WebSocket-Key"), nil
}

// AcceptKey returns the Sec-WebSocket-Accept value for key (RFC 6455 §4.2.2).
func AcceptKey(key string) string {
	h := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(h[:])
}

// Response101 returns a correct 101 answer for key, with extra header lines
// ("Name: value") added, so that tests can change it or append frames to
// it.
func Response101(key string, extra ...string) []byte {
	var b strings.Builder
	b.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
	b.WriteString("Sec-WebSocket-Accept: " + AcceptKey(key) + "\r\n")
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	return []byte(b.String())
}

// Accept writes a correct 101 answer for key, with extra header lines
// ("Name: value").
func (c *Conn) Accept(key string, extra ...string) error {
	return c.WriteRaw(Response101(key, extra...))
}

// Upgrade reads the request and accepts it.
func (c *Conn) Upgrade(extra ...string) (*http.Request, error) {
	req, key, err := c.ReadRequest()
	if err != nil {
		return nil, err
	}
	return req, c.Accept(key, extra...)
}

// WriteOption shapes how a write goes out.
type WriteOption func(*writeOpts)

type writeOpts struct {
	chop  int
	delay time.Duration
}

// Chop writes the bytes in pieces of n bytes, one write call each (with
// TCP_NODELAY, Go's default, usually one segment each).
func Chop(n int) WriteOption { return func(o *writeOpts) { o.chop = n } }

// Delay waits d before every piece but the first. Close interrupts it.
func Delay(d time.Duration) WriteOption { return func(o *writeOpts) { o.delay = d } }

// WriteRaw writes p, as shaped by opts.
func (c *Conn) WriteRaw(p []byte, opts ...WriteOption) error {
	var o writeOpts
	for _, f := range opts {
		f(&o)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if o.chop <= 0 {
		o.chop = len(p)
	}
	for i := 0; i < len(p); i += o.chop {
		if i > 0 && o.delay > 0 {
			if err := c.Pause(o.delay); err != nil {
				return err
			}
		}
		end := min(i+o.chop, len(p))
		if _, err := c.nc.Write(p[i:end]); err != nil {
			return err
		}
	}
	return nil
}

// Pause waits d, to pace writes; Close interrupts it with net.ErrClosed.
func (c *Conn) Pause(d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-c.closed:
		return net.ErrClosed
	}
}

// WriteFrame writes one frame, as shaped by opts.
func (c *Conn) WriteFrame(f Frame, opts ...WriteOption) error {
	return c.WriteRaw(f.Encode(), opts...)
}

// WriteFrames writes frames back to back in one write (or in chops across
// frame boundaries, as shaped by opts).
func (c *Conn) WriteFrames(frames []Frame, opts ...WriteOption) error {
	return c.WriteRaw(Encode(frames...), opts...)
}

// ReadFrame returns the next frame the client sent, unmasked. It returns
// ErrTimeout if none arrived by deadline (the frame, if it comes later, is
// returned by the next call); io.EOF once the client closed the connection
// and every frame before that was returned; ErrUnmasked, with the frame,
// for a frame without the mask bit. Reading starts in the background at the
// first call of ReadFrame, ExpectClose or WaitTCPClose, after the handshake.
func (c *Conn) ReadFrame(deadline time.Time) (Frame, error) {
	c.startReader()
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		c.mu.Lock()
		if len(c.queue) > 0 {
			f, err := c.queue[0], c.queued[0]
			c.queue[0], c.queued[0] = Frame{}, nil
			c.queue, c.queued = c.queue[1:], c.queued[1:]
			c.mu.Unlock()
			return f, err
		}
		if c.readErr != nil {
			err := c.readErr
			c.mu.Unlock()
			return Frame{}, err
		}
		changed := c.changed
		c.mu.Unlock()
		if timer == nil {
			timer = time.NewTimer(time.Until(deadline))
		}
		select {
		case <-changed:
		case <-timer.C:
			return Frame{}, ErrTimeout
		}
	}
}

// ExpectClose reads the next frame and returns its close code and reason
// (1005 for an empty payload). Any other frame is ErrUnexpectedFrame.
func (c *Conn) ExpectClose(deadline time.Time) (code int, reason string, err error) {
	f, err := c.ReadFrame(deadline)
	if err != nil {
		return 0, "", err
	}
	if f.Opcode != OpClose {
		return 0, "", fmt.Errorf("%w: %v", ErrUnexpectedFrame, f)
	}
	return ParseClose(f.Payload)
}

// WaitTCPClose waits until the client has closed the TCP connection (EOF or
// reset) and reports true, or returns ErrTimeout at deadline. Frames that
// arrive meanwhile stay queued for ReadFrame. It reports false with the
// error when reading stopped for another reason (Close, a frame over the
// limit).
func (c *Conn) WaitTCPClose(deadline time.Time) (closedByPeer bool, err error) {
	c.startReader()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case <-c.readerDone:
	case <-timer.C:
		return false, ErrTimeout
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if PeerClosed(c.readErr) {
		return true, nil
	}
	return false, c.readErr
}

// PeerClosed reports whether err means that the peer closed the connection.
func PeerClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// Record returns every frame read from the client so far.
func (c *Conn) Record() []Received {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Received(nil), c.record...)
}

// Ended reports whether reading has stopped, when, how many bytes were read
// after the handshake, and why reading stopped (io.EOF when the client
// closed the connection).
func (c *Conn) Ended() (ended bool, at time.Time, bytesRead int64, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.readErr != nil, c.endedAt, c.nread, c.readErr
}

func (c *Conn) startReader() {
	c.startOnce.Do(func() { go c.readLoop() })
}

// notify wakes the waiters; c.mu must be held.
func (c *Conn) notify() {
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *Conn) readLoop() {
	defer close(c.readerDone)
	for {
		f, n, err := readFrame(c.br, c.maxPayload)
		now := time.Now()
		c.mu.Lock()
		c.nread += n
		if err != nil && !errors.Is(err, ErrUnmasked) {
			select {
			case <-c.closed:
				err = fmt.Errorf("%w (closed by the server)", net.ErrClosed)
			default:
			}
			c.readErr, c.endedAt = err, now
			c.notify()
			c.mu.Unlock()
			return
		}
		c.queue = append(c.queue, f)
		c.queued = append(c.queued, err)
		c.record = append(c.record, Received{Frame: f, At: now})
		c.notify()
		c.mu.Unlock()
	}
}

// readFrame reads one frame and unmasks it. It returns the bytes read, and
// ErrUnmasked with the frame if the mask bit was clear.
func readFrame(r io.Reader, maxPayload int64) (Frame, int64, error) {
	var hdr [14]byte
	if _, err := io.ReadFull(r, hdr[:2]); err != nil {
		return Frame{}, 0, err
	}
	n := int64(2)
	f := Frame{
		Fin:    hdr[0]&0x80 != 0,
		Rsv:    hdr[0] >> 4 & 0x7,
		Opcode: Opcode(hdr[0] & 0xf),
		Masked: hdr[1]&0x80 != 0,
	}
	length := uint64(hdr[1] & 0x7f)
	switch length {
	case 126:
		if _, err := io.ReadFull(r, hdr[2:4]); err != nil {
			return f, n, err
		}
		n += 2
		length = uint64(binary.BigEndian.Uint16(hdr[2:4]))
		f.LengthForm = 16
	case 127:
		if _, err := io.ReadFull(r, hdr[2:10]); err != nil {
			return f, n, err
		}
		n += 8
		length = binary.BigEndian.Uint64(hdr[2:10])
		f.LengthForm = 64
	}
	if length > uint64(maxPayload) {
		return f, n, fmt.Errorf("%w: %d bytes declared", ErrFrameTooLarge, length)
	}
	if f.Masked {
		if _, err := io.ReadFull(r, f.MaskKey[:]); err != nil {
			return f, n, err
		}
		n += 4
	}
	f.Payload = make([]byte, length)
	m, err := io.ReadFull(r, f.Payload)
	n += int64(m)
	if err != nil {
		return f, n, err
	}
	if !f.Masked {
		return f, n, ErrUnmasked
	}
	maskBytes(f.MaskKey, f.Payload)
	return f, n, nil
}
