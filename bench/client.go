package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Result is what one client process prints on stdout, as one JSON line. The
// C client prints the same fields.
type Result struct {
	Impl     string `json:"impl"`
	Workload string `json:"workload"`
	N        int    `json:"n"`    // measured operations (round trips, messages, cycles, connections; scale: echoes)
	Size     int    `json:"size"` // message size in bytes (0 for connect and idle)
	// Conns and Offered are the scale workload's: connections, and the
	// messages its schedule offered (one per connection per tick).
	Conns   int `json:"conns,omitempty"`
	Offered int `json:"offered,omitempty"`
	// WallNs and CPUNs (user + sys, getrusage RUSAGE_SELF) cover the
	// measured workload only: not process start, connecting or warm-up.
	WallNs int64 `json:"wall_ns"`
	CPUNs  int64 `json:"cpu_ns"`
	// KiBPerConn is the idle workload's figure: (VmRSS with all connections
	// open − VmRSS before connecting) / connections.
	KiBPerConn float64 `json:"kib_per_conn,omitempty"`
	// MaxRSSKiB is the client's own peak RSS (ru_maxrss); the orchestrator
	// replaces it with the child's rusage as seen by the parent.
	MaxRSSKiB int64 `json:"maxrss_kib"`
	// Goroutines is the number of goroutines with every idle connection
	// open (Go clients).
	Goroutines int `json:"goroutines,omitempty"`
	// HeapKiBPerConn and StackKiBPerConn split the idle figure of a Go
	// client: runtime.MemStats HeapInuse and StackInuse, after − before,
	// per connection.
	HeapKiBPerConn  float64 `json:"heap_kib_per_conn,omitempty"`
	StackKiBPerConn float64 `json:"stack_kib_per_conn,omitempty"`
	// WireBytes and WireSentBytes are a compressed stream's bytes on the
	// socket over the measured window: read + written, and written.
	WireBytes     int64  `json:"wire_bytes,omitempty"`
	WireSentBytes int64  `json:"wire_sent_bytes,omitempty"`
	Error         string `json:"error,omitempty"`
}

type workload struct {
	name   string
	kind   string // "stream" (window 1 = sequential echo), "connect", "idle", "scale"
	size   int    // message size (a compressed idle workload: the one message each connection echoes)
	window int
	goOnly bool // the C client does not run it
	// z is the permessage-deflate mode the workload negotiates; with it,
	// the messages are JSON (jsonRing), every connection is dialed through
	// the wire counter, and only the implementations that support the
	// mode run it.
	z compression
}

var workloads = []workload{
	{"echo64", "stream", 64, 1, false, zOff},
	{"echo1k", "stream", 1 << 10, 1, false, zOff},
	{"echo64k", "stream", 64 << 10, 1, false, zOff},
	{"echo1m", "stream", 1 << 20, 1, false, zOff},
	{"pipe64", "stream", 64, 64, false, zOff},
	{"connect", "connect", 0, 0, false, zOff},
	{"idle4000", "idle", 0, 0, false, zOff},
	{"scale", "scale", 64, 1, true, zOff},
	{"json1k", "stream", 1 << 10, 1, true, zTakeover},
	{"json64k", "stream", 64 << 10, 1, true, zTakeover},
	{"idlez1000", "idle", 1 << 10, 0, true, zTakeover},
	{"idlezn1000", "idle", 1 << 10, 0, true, zNoTakeover},
}

// runs says whether impl runs wl: the C client runs neither the Go-only
// workloads nor the compressed ones, gorilla no context takeover only.
func (wl workload) runs(impl string) bool {
	return !(wl.goOnly && impl == "lws") && supports(impl, wl.z)
}

func findWorkload(name string) (workload, bool) {
	for _, w := range workloads {
		if w.name == name {
			return w, true
		}
	}
	return workload{}, false
}

// session is one open connection of some implementation.
type session interface {
	// stream sends n messages of len(ring[0]) bytes (every message of the
	// ring has that length), at most window in flight (1: sequential
	// echo; window ≤ len(ring)), and checks every echo. Message i is
	// ring[i%len(ring)] stamped with i.
	stream(ctx context.Context, ring [][]byte, window, n int) error
	// paced is one connection of the scale workload: at every tick of pc
	// before pc.end it sends buf stamped with the message's index, unless
	// the previous message's echo has not arrived yet (then the tick is
	// skipped). It checks every echo and returns their number once the
	// last one has arrived.
	paced(ctx context.Context, buf []byte, pc pace) (int, error)
	// park leaves the connection the way an application waiting for
	// messages would (a reader goroutine for the pull-style libraries);
	// stream and paced are not called after it.
	park()
	close(ctx context.Context) error
}

// pace is the schedule of one connection in the scale workload.
type pace struct {
	ticks <-chan time.Time
	end   time.Time // ticks at or after end stop the connection
	max   int       // at most this many ticks are taken (a bound on the loop)
}

// An implementation dials a session.
type implementation func(ctx context.Context, url string, o dialOpts) (session, error)

// dialOpts is what a workload asks of the dial beyond each library's
// defaults.
type dialOpts struct {
	// z is the permessage-deflate mode to negotiate (zOff: none, the
	// library's default). The dial fails unless the server's answer is
	// that mode (compression.checkAnswer).
	z compression
	// wire, if not nil, counts the connection's bytes: the library dials
	// through it (its own option for a dial function).
	wire *wireCounter
}

// dialOptsFor is the one place that says how a workload's connections are
// dialed: compressed ones through the wire counter.
func dialOptsFor(wl workload) dialOpts {
	if wl.z == zOff {
		return dialOpts{}
	}
	return dialOpts{z: wl.z, wire: &wire}
}

var implementations = map[string]implementation{
	"ours-callback": dialOursCallback,
	"ours-blocking": dialOursBlocking,
	"gorilla":       dialGorilla,
	"coder":         dialCoder,
	"gws":           dialGws,
}

// stamp marks message i so that its echo can be checked: length, first and
// last byte.
func stamp(p []byte, i int) {
	p[0] = byte(i)
	p[len(p)-1] = byte(i>>8) ^ 0xa5
}

func check(p []byte, size, i int) error {
	if len(p) != size {
		return fmt.Errorf("echo %d: %d bytes, want %d", i, len(p), size)
	}
	if p[0] != byte(i) || p[len(p)-1] != byte(i>>8)^0xa5 {
		return fmt.Errorf("echo %d: wrong payload (first %d last %d)", i, p[0], p[len(p)-1])
	}
	return nil
}

// newRing returns the messages of a stream workload: for a compressed
// one, JSON documents (jsonRing); else window buffers of a fixed pattern.
func newRing(wl workload) [][]byte {
	if wl.z != zOff {
		return jsonRing(wl.size, max(zRingLen(wl.size), wl.window))
	}
	size, window := wl.size, wl.window
	ring := make([][]byte, window)
	for i := range ring {
		ring[i] = make([]byte, size)
		for j := range ring[i] {
			ring[i][j] = byte(j * 31)
		}
	}
	return ring
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func maxRSS() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Maxrss
}

// vmRSS reads the resident set size in KiB from /proc/self/status.
func vmRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		if v, ok := bytes.CutPrefix(line, []byte("VmRSS:")); ok {
			v = bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(v), []byte("kB")))
			n, _ := strconv.ParseInt(string(v), 10, 64)
			return n
		}
	}
	return 0
}

func clientMain(args []string) error {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	implName := fs.String("impl", "gorilla", "ours-callback, ours-blocking, gorilla, coder or gws")
	wlName := fs.String("workload", "echo64", "echo64, echo1k, echo64k, echo1m, pipe64, connect, idle4000, scale, json1k, json64k, idlez1000 or idlezn1000")
	n := fs.Int("n", 2000, "measured operations (connections for the idle workloads and scale)")
	addr := fs.String("addr", "", "echo server address host:port (loopback)")
	timeout := fs.Duration("timeout", 120*time.Second, "give up after this long")
	fs.DurationVar(&scaleDuration, "duration", 10*time.Second, "scale: how long the measured schedule runs")
	fs.DurationVar(&scaleInterval, "interval", 10*time.Millisecond, "scale: every connection sends a message this often")
	fs.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the measured workload here")
	fs.StringVar(&memProfile, "memprofile", "", "write a heap profile at the end of the workload here")
	if err := fs.Parse(args); err != nil {
		return err
	}
	impl, ok := implementations[*implName]
	if !ok {
		return fmt.Errorf("unknown -impl %q", *implName)
	}
	wl, ok := findWorkload(*wlName)
	if !ok {
		return fmt.Errorf("unknown -workload %q", *wlName)
	}
	if *addr == "" || *n <= 0 {
		return errors.New("need -addr and -n > 0")
	}
	raiseNoFile()
	// A hard stop in case something hangs past every context.
	time.AfterFunc(*timeout+10*time.Second, func() {
		fmt.Fprintln(os.Stderr, "client: watchdog expired")
		os.Exit(3)
	})
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	res := Result{Impl: *implName, Workload: wl.name, N: *n, Size: wl.size}
	err := runWorkload(ctx, impl, "ws://"+*addr+wl.z.path(), wl, *n, &res)
	if err != nil {
		res.Error = err.Error()
	}
	res.MaxRSSKiB = maxRSS()
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
	if err != nil {
		os.Exit(2)
	}
	return nil
}

var cpuProfile, memProfile string

// The scale workload's schedule: every connection sends a message every
// scaleInterval, for scaleDuration.
var scaleDuration, scaleInterval time.Duration

// measure runs f and records its wall and CPU time in res.
func measure(res *Result, f func() error) error {
	if cpuProfile != "" {
		pf, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
	}
	c0, t0 := cpuNow(), time.Now()
	err := f()
	res.WallNs = int64(time.Since(t0))
	res.CPUNs = int64(cpuNow() - c0)
	if cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	return err
}

func writeHeapProfile() {
	if memProfile == "" {
		return
	}
	if pf, err := os.Create(memProfile); err == nil {
		_ = pprof.Lookup("heap").WriteTo(pf, 0)
		pf.Close()
	}
}

func runWorkload(ctx context.Context, impl implementation, url string, wl workload, n int, res *Result) error {
	opts := dialOptsFor(wl)
	switch wl.kind {
	case "stream":
		s, err := impl(ctx, url, opts)
		if err != nil {
			return fmt.Errorf("dial: %w", err)
		}
		ring := newRing(wl)
		warm := min(max(n/10, 5), 2000)
		if err := s.stream(ctx, ring, wl.window, warm); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
		runtime.GC()
		w0, sent0 := wire.snapshot()
		if err := measure(res, func() error { return s.stream(ctx, ring, wl.window, n) }); err != nil {
			return err
		}
		if wl.z != zOff {
			w1, sent1 := wire.snapshot()
			res.WireBytes, res.WireSentBytes = w1-w0, sent1-sent0
			if err := checkCompressed(res.WireBytes, res.WireSentBytes, n, wl.size); err != nil {
				return err
			}
		}
		writeHeapProfile()
		if err := s.close(ctx); err != nil {
			return fmt.Errorf("close: %w", err)
		}
		return nil

	case "connect":
		cycle := func() error {
			s, err := impl(ctx, url, opts)
			if err != nil {
				return fmt.Errorf("dial: %w", err)
			}
			return s.close(ctx)
		}
		for range min(max(n/10, 5), 100) {
			if err := cycle(); err != nil {
				return fmt.Errorf("warm-up: %w", err)
			}
		}
		runtime.GC()
		return measure(res, func() error {
			for range n {
				if err := cycle(); err != nil {
					return err
				}
			}
			return nil
		})

	case "idle":
		if err := checkNoFile(n + 64); err != nil {
			return err
		}
		var first []byte
		if wl.z != zOff {
			first = jsonRing(wl.size, 1)[0]
		}
		open := func(ctx context.Context) (session, error) { return openIdle(ctx, impl, url, opts, first) }
		// Warm the implementation (code pages, pools) with one connection.
		s, err := open(ctx)
		if err != nil {
			return err
		}
		if err := s.close(ctx); err != nil {
			return fmt.Errorf("close: %w", err)
		}
		settle()
		base := vmRSS()
		var ms0 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		var sessions []session
		err = measure(res, func() error {
			var err error
			sessions, err = openMany(ctx, n, open)
			return err
		})
		if err != nil {
			return err
		}
		time.Sleep(300 * time.Millisecond) // let handshake leftovers finish
		settle()
		res.KiBPerConn = float64(vmRSS()-base) / float64(n)
		res.Goroutines = runtime.NumGoroutine()
		var ms1 runtime.MemStats
		runtime.ReadMemStats(&ms1)
		res.HeapKiBPerConn = (float64(ms1.HeapInuse) - float64(ms0.HeapInuse)) / 1024 / float64(n)
		res.StackKiBPerConn = (float64(ms1.StackInuse) - float64(ms0.StackInuse)) / 1024 / float64(n)
		writeHeapProfile()
		runtime.KeepAlive(sessions)
		return nil // the connections die with the process

	case "scale":
		if err := checkNoFile(n + 64); err != nil {
			return err
		}
		sessions, err := openMany(ctx, n, func(ctx context.Context) (session, error) { return impl(ctx, url, opts) })
		if err != nil {
			return err
		}
		if _, _, err := paceAll(ctx, sessions, min(time.Second, scaleDuration/5)); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
		runtime.GC()
		var echoed, offered int
		err = measure(res, func() error {
			var err error
			echoed, offered, err = paceAll(ctx, sessions, scaleDuration)
			return err
		})
		res.N, res.Conns, res.Offered = echoed, n, offered
		if err != nil {
			return err
		}
		writeHeapProfile()
		runtime.KeepAlive(sessions)
		return nil // the connections die with the process
	}
	return fmt.Errorf("unknown workload kind %q", wl.kind)
}

// openIdle opens one connection of an idle workload: dial, echo first (if
// not nil) once, then park it. The compressed idle workloads echo a JSON
// message, so that what compression keeps between messages exists.
func openIdle(ctx context.Context, impl implementation, url string, opts dialOpts, first []byte) (session, error) {
	s, err := impl(ctx, url, opts)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	if first != nil {
		// A copy per connection: stream stamps the message in place.
		if err := s.stream(ctx, [][]byte{slices.Clone(first)}, 1, 1); err != nil {
			return nil, fmt.Errorf("first message: %w", err)
		}
	}
	s.park()
	return s, nil
}

// checkCompressed fails a compressed stream whose bytes on the wire show
// that its messages were not compressed, in either direction: uncompressed,
// each direction carries more than size bytes per round trip (the message
// and its frame header). Compressed, the workloads' streams take 0.1–0.4×
// of it; the limit, 0.9×, leaves room for a lone message compressed with
// Huffman codes only (coder's first message with context takeover: 0.84×
// for 1 KiB).
func checkCompressed(wireBytes, sentBytes int64, n, size int) error {
	for _, d := range []struct {
		name  string
		bytes int64
	}{{"sent", sentBytes}, {"received", wireBytes - sentBytes}} {
		if per := float64(d.bytes) / float64(n); per >= 0.9*float64(size) {
			return fmt.Errorf("%.0f bytes %s on the wire per round trip of a %d-byte message (uncompressed: over %d): that direction's messages were not compressed, though permessage-deflate was negotiated",
				per, d.name, size, size)
		}
	}
	return nil
}

// openMany opens n connections with open, at most 64 handshakes in flight,
// for every implementation.
func openMany(ctx context.Context, n int, open func(context.Context) (session, error)) ([]session, error) {
	sessions := make([]session, n)
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return nil, ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s, err := open(ctx)
			if err != nil {
				mu.Lock()
				if first == nil {
					first = fmt.Errorf("dial %d: %w", i, err)
				}
				mu.Unlock()
				return
			}
			sessions[i] = s
		}()
	}
	wg.Wait()
	return sessions, first
}

// paceAll runs the scale schedule on every session for d: connection i's
// ticks come every scaleInterval, its first at scaleInterval × (1 + i/n)
// after the start, so that the sends of the connections are spread evenly
// over each interval. It returns the echoes received and the messages the
// schedule offered (the ticks before the end).
func paceAll(ctx context.Context, sessions []session, d time.Duration) (echoed, offered int, err error) {
	start := time.Now()
	end := start.Add(d)
	maxTicks := int(d/scaleInterval) + 2
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i, s := range sessions {
		phase := time.Duration(i) * scaleInterval / time.Duration(len(sessions))
		// ticks at start + phase + k × scaleInterval, k ≥ 1, before end
		offered += int((d - phase - 1) / scaleInterval)
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 64)
			for j := range buf {
				buf[j] = byte(j * 31)
			}
			n, perr := func() (int, error) {
				t := time.NewTimer(time.Until(start.Add(phase)))
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
					return 0, ctx.Err()
				}
				tk := time.NewTicker(scaleInterval)
				defer tk.Stop()
				return s.paced(ctx, buf, pace{ticks: tk.C, end: end, max: maxTicks})
			}()
			mu.Lock()
			echoed += n
			if perr != nil && err == nil {
				err = fmt.Errorf("connection %d: %w", i, perr)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return echoed, offered, err
}

// checkNoFile fails if this process may not open need file descriptors.
func checkNoFile(need int) error {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return err
	}
	if r.Cur < uint64(need) {
		return fmt.Errorf("RLIMIT_NOFILE is %d (hard %d), the workload needs %d: raise the hard limit (ulimit -Hn)", r.Cur, r.Max, need)
	}
	return nil
}

// settle collects garbage and returns free memory to the OS, so that RSS
// shows what the connections hold, not what the collector has not yet
// reclaimed. The same for every Go implementation.
func settle() {
	runtime.GC()
	debug.FreeOSMemory()
	time.Sleep(100 * time.Millisecond)
}

// pump drives a stream for the event-driven clients (this library's
// callback face, gws): the first window of messages is sent by the caller,
// each further message by the message callback that received an echo, as
// an application replies (run checks that it was so).
type pump struct {
	send func(p []byte) error

	mu           sync.Mutex
	ring         [][]byte
	window       int
	total, sent  int
	recvd        int
	fromCallback int  // messages sent by onMessage
	pacing       bool // paced: the ticks send, the message callback only checks
	done         chan error
	finished     bool
	unsolicited  error
}

func newPump(send func([]byte) error) *pump {
	return &pump{send: send}
}

// run starts a stream and waits for it to finish.
func (p *pump) run(ctx context.Context, ring [][]byte, window, n int) error {
	done := make(chan error, 1)
	p.mu.Lock()
	if p.unsolicited != nil {
		p.mu.Unlock()
		return p.unsolicited
	}
	p.ring, p.window, p.total, p.sent, p.recvd, p.fromCallback, p.done, p.finished, p.pacing = ring, window, n, 0, 0, 0, done, false, false
	for p.sent < p.total && p.sent < p.window && !p.finished {
		p.sendNextLocked()
	}
	first := p.sent
	p.mu.Unlock()
	select {
	case err := <-done:
		if err != nil {
			return err
		}
	case <-ctx.Done():
		return ctx.Err()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fromCallback != n-first {
		return fmt.Errorf("%d of %d messages were sent from the message callback, want %d", p.fromCallback, n, n-first)
	}
	return nil
}

func (p *pump) sendNextLocked() {
	b := p.ring[p.sent%len(p.ring)]
	stamp(b, p.sent)
	p.sent++
	if err := p.send(b); err != nil {
		p.finishLocked(fmt.Errorf("send: %w", err))
	}
}

func (p *pump) finishLocked(err error) {
	if p.finished || p.done == nil {
		if p.unsolicited == nil && err != nil {
			p.unsolicited = err
		}
		return
	}
	p.finished = true
	p.done <- err
}

// fail ends the stream with err (a send callback's error, a closed link).
func (p *pump) fail(err error) {
	p.mu.Lock()
	p.finishLocked(err)
	p.mu.Unlock()
}

// onMessage is called by the implementation for every message received.
func (p *pump) onMessage(b []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished || p.done == nil {
		if p.unsolicited == nil {
			p.unsolicited = errors.New("message outside a stream")
		}
		return
	}
	if err := check(b, len(p.ring[0]), p.recvd); err != nil {
		p.finishLocked(err)
		return
	}
	p.recvd++
	if p.recvd == p.total {
		p.finishLocked(nil)
		return
	}
	if p.sent < p.total && !p.pacing {
		p.fromCallback++
		p.sendNextLocked()
	}
}

// paced is session.paced for the event-driven clients: the goroutine of
// the schedule sends (as an application's timer would), the message
// callback checks the echo.
func (p *pump) paced(ctx context.Context, buf []byte, pc pace) (int, error) {
	done := make(chan error, 1)
	p.mu.Lock()
	if p.unsolicited != nil {
		p.mu.Unlock()
		return 0, p.unsolicited
	}
	// total stays above what the ticks can send until the schedule ends.
	p.ring, p.window, p.total, p.sent, p.recvd, p.fromCallback, p.done, p.finished, p.pacing = [][]byte{buf}, 1, pc.max+1, 0, 0, 0, done, false, true
	p.mu.Unlock()
ticks:
	for range pc.max {
		select {
		case t := <-pc.ticks:
			if !t.Before(pc.end) {
				break ticks
			}
		case err := <-done: // a failure
			return 0, err
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		p.mu.Lock()
		if p.recvd == p.sent && !p.finished {
			p.sendNextLocked()
		}
		p.mu.Unlock()
	}
	// The stream ends with the echo of the last message sent.
	p.mu.Lock()
	p.total = p.sent
	if p.recvd == p.total {
		p.finishLocked(nil)
	}
	n := p.sent
	p.mu.Unlock()
	select {
	case err := <-done:
		return n, err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// pacedSync is session.paced for the pull-style clients: one goroutine
// sends at the tick and reads the echo.
func pacedSync(ctx context.Context, c syncConn, buf []byte, pc pace) (int, error) {
	n := 0
	for range pc.max {
		select {
		case t := <-pc.ticks:
			if !t.Before(pc.end) {
				return n, nil
			}
		case <-ctx.Done():
			return n, ctx.Err()
		}
		stamp(buf, n)
		if err := c.send(ctx, buf); err != nil {
			return n, fmt.Errorf("send %d: %w", n, err)
		}
		b, err := c.recv(ctx)
		if err != nil {
			return n, fmt.Errorf("receive %d: %w", n, err)
		}
		if err := check(b, len(buf), n); err != nil {
			return n, err
		}
		n++
		select { // a tick that came while the echo was awaited is skipped
		case <-pc.ticks:
		default:
		}
	}
	return n, nil
}

// syncConn is a pull-style connection: gorilla, coder, and this library's
// blocking face (whose receive side is a channel fed by the message event).
type syncConn interface {
	send(ctx context.Context, p []byte) error
	recv(ctx context.Context) ([]byte, error)
}

func streamSync(ctx context.Context, c syncConn, ring [][]byte, window, n int) error {
	size := len(ring[0])
	sent := 0
	for ; sent < n && sent < window; sent++ {
		stamp(ring[sent%len(ring)], sent)
		if err := c.send(ctx, ring[sent%len(ring)]); err != nil {
			return fmt.Errorf("send: %w", err)
		}
	}
	for i := range n {
		b, err := c.recv(ctx)
		if err != nil {
			return fmt.Errorf("receive %d: %w", i, err)
		}
		if err := check(b, size, i); err != nil {
			return err
		}
		if sent < n {
			stamp(ring[sent%len(ring)], sent)
			if err := c.send(ctx, ring[sent%len(ring)]); err != nil {
				return fmt.Errorf("send: %w", err)
			}
			sent++
		}
	}
	return nil
}
