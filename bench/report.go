package main

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

type report struct {
	mode      mode
	rounds    int
	impls     []string
	workloads []workload
	runs      map[string]map[string][]run
	allocs    []benchLine
	profiles  []profile
	notes     []string
	args      []string
	elapsed   time.Duration
	date      time.Time
	loadStart string
	loadEnd   string
	rev       string
	env       environment
	// scaleInterval is the scale workload's schedule (its duration is
	// mode.scaleDuration).
	scaleInterval time.Duration
	// others is the other processes' work during each workload.
	others map[string]otherLoad
}

// environment describes the machine and the toolchain of a run.
type environment struct {
	CPUs                   int
	CPU, Mem, Kernel       string
	GoVersion, PeerVersion string
}

func currentEnvironment() environment {
	cpu, mem, kernel := machine()
	return environment{CPUs: runtime.NumCPU(), CPU: cpu, Mem: mem, Kernel: kernel, GoVersion: goVersion(), PeerVersion: peerVersions()}
}

type profile struct {
	Title string
	Text  string
}

// snapshot is a finished run, saved next to the binaries
// (tmp/report-<mode>.json) so that `go run . -render` can write the report
// again, for example after editing gaps.md, without measuring again.
type snapshot struct {
	Mode      string
	Rounds    int
	Impls     []string
	Workloads []string
	Runs      map[string]map[string][]run
	Allocs    []benchLine
	Profiles  []profile
	Notes     []string
	Args      []string
	Elapsed   time.Duration
	Date      time.Time
	LoadStart string
	LoadEnd   string
	Rev       string
	Env       environment
	// The scale workload's schedule.
	ScaleInterval, ScaleDuration time.Duration
	Others                       map[string]otherLoad
}

func (r *report) snapshot() snapshot {
	var wls []string
	for _, w := range r.workloads {
		wls = append(wls, w.name)
	}
	return snapshot{Mode: r.mode.name, Rounds: r.rounds, Impls: r.impls, Workloads: wls, Runs: r.runs, Allocs: r.allocs,
		Profiles: r.profiles, Notes: r.notes, Args: r.args, Elapsed: r.elapsed, Date: r.date, LoadStart: r.loadStart,
		LoadEnd: r.loadEnd, Rev: r.rev, Env: r.env, ScaleInterval: r.scaleInterval, ScaleDuration: r.mode.scaleDuration,
		Others: r.others}
}

func (s snapshot) report() (*report, error) {
	m := fullMode
	if s.Mode == quickMode.name {
		m = quickMode
	}
	r := &report{mode: m, rounds: s.Rounds, impls: s.Impls, runs: s.Runs, allocs: s.Allocs, profiles: s.Profiles,
		notes: s.Notes, args: s.Args, elapsed: s.Elapsed, date: s.Date, loadStart: s.LoadStart, loadEnd: s.LoadEnd,
		rev: s.Rev, env: s.Env, scaleInterval: s.ScaleInterval, others: s.Others}
	if s.ScaleDuration > 0 {
		r.mode.scaleDuration = s.ScaleDuration
	}
	for _, name := range s.Workloads {
		w, ok := findWorkload(name)
		if !ok {
			return nil, fmt.Errorf("unknown workload %q in the snapshot", name)
		}
		r.workloads = append(r.workloads, w)
	}
	return r, nil
}

// stats are the medians of one (workload, implementation) over its rounds.
type stats struct {
	ok, total  int
	opsPerSec  float64 // N / wall
	minOps     float64
	maxOps     float64
	minCPU     float64 // CPU µs per op, lowest and highest round
	maxCPU     float64
	cpuPerOpUs float64 // workload CPU (user+sys) / N
	rssMiB     float64 // peak RSS of the client process
	kibPerConn float64
	goroutines float64
	heapKiB    float64
	stackKiB   float64
	cpuS       float64 // workload CPU in seconds
	cores      float64 // workload CPU / wall
	offered    float64 // scale: echoes / messages offered
	wirePerOp  float64 // compressed streams: bytes on the wire per round trip, both ways
	sentPerOp  float64 // of which written by the client
	failure    string
}

func (r *report) stats(wl, impl string) stats {
	runs := r.runs[wl][impl]
	st := stats{total: len(runs)}
	var ops, cpu, rss, kib, gor, heap, stack, cpuS, cores, offered, wireB, sentB []float64
	for _, x := range runs {
		if x.Failed != "" {
			if st.failure == "" {
				st.failure = x.Failed
			}
			continue
		}
		st.ok++
		ops = append(ops, float64(x.N)/(float64(x.WallNs)/1e9))
		cpu = append(cpu, float64(x.CPUNs)/float64(x.N)/1e3)
		rss = append(rss, float64(x.MaxRSSKiB)/1024)
		kib = append(kib, x.KiBPerConn)
		gor = append(gor, float64(x.Goroutines))
		heap = append(heap, x.HeapKiBPerConn)
		stack = append(stack, x.StackKiBPerConn)
		cpuS = append(cpuS, float64(x.CPUNs)/1e9)
		cores = append(cores, float64(x.CPUNs)/float64(x.WallNs))
		if x.Offered > 0 {
			offered = append(offered, float64(x.N)/float64(x.Offered))
		}
		if x.WireBytes > 0 {
			wireB = append(wireB, wireOf(x))
			sentB = append(sentB, float64(x.WireSentBytes)/float64(x.N))
		}
	}
	if st.ok == 0 {
		return st
	}
	st.opsPerSec, st.cpuPerOpUs, st.rssMiB, st.kibPerConn = median(ops), median(cpu), median(rss), median(kib)
	st.goroutines, st.heapKiB, st.stackKiB = median(gor), median(heap), median(stack)
	st.cpuS, st.cores, st.offered = median(cpuS), median(cores), median(offered)
	st.wirePerOp, st.sentPerOp = median(wireB), median(sentB)
	st.minOps, st.maxOps = slices.Min(ops), slices.Max(ops)
	st.minCPU, st.maxCPU = slices.Min(cpu), slices.Max(cpu)
	return st
}

// paired is the median over rounds of impl's metric divided by ref's in the
// same round: adjacent runs share the machine's load, so this ratio is
// steadier than the ratio of medians on a busy machine.
func (r *report) paired(wl, impl, ref string, metric func(run) float64) float64 {
	a, b := r.runs[wl][impl], r.runs[wl][ref]
	var xs []float64
	for i := range min(len(a), len(b)) {
		if a[i].Failed != "" || b[i].Failed != "" {
			continue
		}
		if m := metric(b[i]); m > 0 {
			xs = append(xs, metric(a[i])/m)
		}
	}
	return median(xs)
}

// spread returns the lowest and highest median throughput of a workload.
func (r *report) spread(wl string) (lo, hi float64) {
	for _, impl := range r.impls {
		st := r.stats(wl, impl)
		if st.ok == 0 {
			continue
		}
		if lo == 0 || st.opsPerSec < lo {
			lo = st.opsPerSec
		}
		hi = max(hi, st.opsPerSec)
	}
	return lo, hi
}

func opsOf(x run) float64  { return float64(x.N) / (float64(x.WallNs) / 1e9) }
func cpuOf(x run) float64  { return float64(x.CPUNs) / float64(x.N) }
func wireOf(x run) float64 { return float64(x.WireBytes) / float64(x.N) }

var wlTitle = map[string]string{
	"echo64":     "sequential echo, 64 B messages",
	"echo1k":     "sequential echo, 1 KiB messages",
	"echo64k":    "sequential echo, 64 KiB messages",
	"echo1m":     "sequential echo, 1 MiB messages",
	"pipe64":     "pipelined stream, 64 B messages, 64 in flight",
	"connect":    "connect + close cycles",
	"idle4000":   "memory per idle connection, 4,000 connections",
	"scale":      "many connections, each echoing 64 B on a schedule",
	"json1k":     "sequential echo, 1 KiB JSON messages, permessage-deflate with context takeover",
	"json64k":    "sequential echo, 64 KiB JSON messages, permessage-deflate with context takeover",
	"idlez1000":  "memory per idle connection with permessage-deflate, context takeover, 1,000 connections",
	"idlezn1000": "memory per idle connection with permessage-deflate, no context takeover, 1,000 connections",
}

// scaleTitle describes the scale workload's schedule.
func (r *report) scaleTitle() string {
	n := r.mode.n["scale"]
	return fmt.Sprintf("%s connections, each echoing a 64 B message every %s for %s", thousands(n), fmtDur(r.scaleInterval), fmtDur(r.mode.scaleDuration))
}

// fmtDur writes 10 ms, 2 s, 1.5 s.
func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%g s", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%g ms", float64(d)/float64(time.Millisecond))
	default:
		return d.String()
	}
}

// scaleOffered is the scale workload's offered rate in messages per second.
func (r *report) scaleOffered() float64 {
	if r.scaleInterval <= 0 {
		return 0
	}
	return float64(r.mode.n["scale"]) / r.scaleInterval.Seconds()
}

func thousands(n int) string {
	if n < 1000 {
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("%s,%03d", thousands(n/1000), n%1000)
}

var implDesc = map[string]string{
	"ours-callback": "this library, callback face: `Connect`/`Send`/`Close` with callbacks, `OnMessage` drives the stream (each echo's callback calls `Send` for the next message)",
	"ours-blocking": "this library, blocking face: `ConnectContext`/`SendContext`/`CloseContext` with the run's context (it has a deadline); receive: `ReceiveContext` with the run's context (`receiver` in `impl_ours.go`)",
	"gorilla":       "raw gorilla/websocket: default `Dialer`, `WriteMessage`/`ReadMessage`",
	"coder":         "github.com/coder/websocket: `Dial`, `Write`/`Read`",
	"gws":           "github.com/lxzan/gws: `NewClient`, event handler, `WriteMessage` from `OnMessage`",
	"lws":           "libwebsockets C client (`lws/client.c`), the platform's engine",
}

// zImplDesc says how each implementation is set up for the compressed
// workloads.
var zImplDesc = map[string]string{
	"ours-callback": "`RequestOptions{Compression: CompressionContextTakeover` or `CompressionNoContextTakeover, CompressionLevel: 1, CompressionThreshold: 1, DialContext:` the counter`}`",
	"ours-blocking": "the same options",
	"gws":           "`ClientOption.PermessageDeflate{Enabled: true, Level: 1, Threshold: 1, ServerContextTakeover, ClientContextTakeover:` the mode`}`, `NewDialer` returning the counter",
	"coder":         "`DialOptions{CompressionMode: CompressionContextTakeover` or `CompressionNoContextTakeover, CompressionThreshold: 1, HTTPClient:` one client whose `http.Transport` dials through the counter`}`; coder always compresses at `flate.BestSpeed` (compress/flate)",
	"gorilla":       "no context takeover only (its client has nothing else): the default `Dialer` with `EnableCompression` and `NetDialContext:` the counter; `SetCompressionLevel(1)`",
	"lws":           "not run (the C client offers no extension)",
}

// hasCompressed says whether the run has a compressed workload.
func (r *report) hasCompressed() bool { return len(r.compressedNames()) > 0 }

func (r *report) compressedNames() []string {
	var out []string
	for _, wl := range r.workloads {
		if wl.z != zOff {
			out = append(out, wl.name)
		}
	}
	return out
}

func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func fmtOps(v float64) string {
	switch {
	case v >= 100000:
		return fmt.Sprintf("%.0f", v)
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	default:
		return fmt.Sprintf("%.1f", v)
	}
}

func fmtUs(v float64) string {
	switch {
	case v >= 1000:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func (r *report) markdown() string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("# WebSocket client benchmark results\n\n")
	w("Generated by the harness in this directory (`bench/`); do not edit by hand, run it again.\n\n")
	w("| | |\n| --- | --- |\n")
	w("| Date | %s |\n", r.date.UTC().Format("2006-01-02 15:04 MST"))
	w("| Command | `cd bench && go run . %s` (%s mode, %s) |\n", strings.Join(r.args, " "), r.mode.name, r.elapsed.Round(time.Second))
	w("| Machine | %d CPUs (%s), %s RAM, %s |\n", r.env.CPUs, r.env.CPU, r.env.Mem, r.env.Kernel)
	w("| Go | %s |\n", r.env.GoVersion)
	w("| This library | `github.com/cangjie-go/ohos` at %s (built when the run started) |\n", r.rev)
	w("| Peers | %s |\n", r.env.PeerVersion)
	w("| Load average | %s at the start, %s at the end (1, 5, 15 min; other work on the machine adds noise) |\n", r.loadStart, r.loadEnd)
	w("| Rounds | %d per workload; implementations alternate within a round, each round starting one further along |\n", r.rounds)
	if o, parts := r.otherWork(); o.Wall > 0 {
		w("| Other work | processes outside this run used %.0f %% of the CPUs while the workloads ran (%.0f CPU s in %s; per workload: %s) |\n",
			o.share()*100, o.OtherCPU.Seconds(), o.Wall.Round(time.Second), strings.Join(parts, ", "))
	}
	w("\n")
	if o, _ := r.otherWork(); o.share() > 0.05 {
		w("> **The machine was busy with other work during this run** (%.0f %% of its CPUs on average, above). Every\n", o.share()*100)
		w("> implementation ran under it, in alternating order, so ratios within a round (\"paired\") still compare them, but\n")
		w("> absolute figures are inflated and medians noisier than on a quiet machine.\n\n")
	}
	for _, n := range r.notes {
		w("> %s\n\n", n)
	}

	// Targets first: what the issue asks.
	w("## Targets (this library against its peers, medians of this run)\n\n")
	w("Ratios are ratios of medians; \"paired\" is the median over rounds of the ratio within each round, steadier when\n")
	w("the machine's load varies. CPU ratios: lower is better.\n\n")
	w("| Target | Callback face | Blocking face |\n| --- | --- | --- |\n")
	for _, t := range r.targets() {
		w("| %s | %s | %s |\n", t.name, t.cb, t.bl)
	}
	w("\n")
	var unsteady []string
	for _, wl := range r.workloads {
		if len(r.unsteady(wl.name)) > 0 {
			unsteady = append(unsteady, wl.name)
		}
	}
	if len(unsteady) > 0 {
		w("**Unsteady in this run: %s.** In each, CPU per operation of at least one implementation varied by more than\n", strings.Join(unsteady, ", "))
		w("%.1f× between its rounds (the note under the workload's table names them; the min–max columns give the ranges).\n", unsteadyLimit)
		w("Medians of such rounds, and the verdicts above that rest on them, can change from run to run; the paired ratios\n")
		w("say how the comparison moved within rounds.\n\n")
	}

	// The compressed workloads are compared with gws, in the targets and
	// their own tables: gorilla cannot take part in most of them.
	if len(r.compressedNames()) < len(r.workloads) {
		w("## Headline: this library (callback face) against raw gorilla\n\n")
		w("| Workload | Throughput × gorilla | CPU/op × gorilla | × gws (throughput) | × lws (throughput) |\n| --- | --- | --- | --- | --- |\n")
		for _, wl := range r.workloads {
			if wl.z != zOff {
				continue
			}
			o, g := r.stats(wl.name, "ours-callback"), r.stats(wl.name, "gorilla")
			gw, l := r.stats(wl.name, "gws"), r.stats(wl.name, "lws")
			if wl.kind == "idle" {
				w("| %s (KiB/conn, lower is better) | %s | %s | %s | %s |\n", wl.name, ratio(o.kibPerConn, g.kibPerConn),
					ratio(o.cpuPerOpUs, g.cpuPerOpUs), ratio(o.kibPerConn, gw.kibPerConn), ratio(o.kibPerConn, l.kibPerConn))
				continue
			}
			if wl.kind == "scale" {
				w("| %s (echoes/s; CPU per message) | %s | %s | %s | %s |\n", wl.name, ratio(o.opsPerSec, g.opsPerSec), ratio(o.cpuPerOpUs, g.cpuPerOpUs),
					ratio(o.opsPerSec, gw.opsPerSec), ratio(o.opsPerSec, l.opsPerSec))
				continue
			}
			w("| %s | %s | %s | %s | %s |\n", wl.name, ratio(o.opsPerSec, g.opsPerSec), ratio(o.cpuPerOpUs, g.cpuPerOpUs),
				ratio(o.opsPerSec, gw.opsPerSec), ratio(o.opsPerSec, l.opsPerSec))
		}
		w("\n")
	}

	w("## Results per workload\n\n")
	w("Medians over the rounds. Throughput and CPU cover the measured workload only (after connecting and a warm-up);\n")
	w("CPU is the client's user + system time (`getrusage(RUSAGE_SELF)` inside the client); peak RSS is the client\n")
	w("process's `ru_maxrss` as its parent sees it. Ratios are to raw gorilla's median in the same run (the compressed\n")
	w("workloads: to gws's and coder's; CPU ratio: lower is better).\n\n")
	for _, wl := range r.workloads {
		n := r.mode.n[wl.name]
		switch {
		case wl.kind == "stream" && wl.z != zOff:
			r.zStreamSection(w, wl)
		case wl.kind == "stream":
			unit := "round trips/s"
			cpuUnit := "CPU µs/round trip"
			if wl.window > 1 {
				unit, cpuUnit = "messages/s", "CPU µs/message"
			}
			w("### %s — %s (n = %d per run)\n\n", wl.name, wlTitle[wl.name], n)
			w("| Implementation | %s | × gorilla | MiB/s each way | min–max %s | %s | min–max | × gorilla | peak RSS MiB | runs ok |\n", unit, unit, cpuUnit)
			w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
			g := r.stats(wl.name, "gorilla")
			for _, impl := range r.impls {
				s := r.stats(wl.name, impl)
				if s.ok == 0 {
					w("| %s | failed: %s | | | | | | | | 0/%d |\n", impl, mdEscape(lastN(s.failure, 120)), s.total)
					continue
				}
				w("| %s | %s | %s | %.1f | %s–%s | %s | %s–%s | %s | %.1f | %d/%d |\n", impl, fmtOps(s.opsPerSec), ratio(s.opsPerSec, g.opsPerSec),
					s.opsPerSec*float64(wl.size)/(1<<20), fmtOps(s.minOps), fmtOps(s.maxOps), fmtUs(s.cpuPerOpUs), fmtUs(s.minCPU), fmtUs(s.maxCPU),
					ratio(s.cpuPerOpUs, g.cpuPerOpUs), s.rssMiB, s.ok, s.total)
			}
			r.unsteadyNote(w, wl.name)
			if lo, hi := r.spread(wl.name); lo > 0 && hi/lo < 1.15 {
				w("\nEvery client's median is within %.0f %% of the others': on this machine the workload is bound by something\n", (hi/lo-1)*100)
				w("they share (the round trip through the kernel and the server process, and the wake-ups), not by the client;\n")
				w("CPU per operation is what separates them here.\n")
			}
		case wl.kind == "connect":
			w("### %s — %s (n = %d per run)\n\n", wl.name, wlTitle[wl.name], n)
			w("| Implementation | cycles/s | × gorilla | min–max cycles/s | CPU µs/cycle | min–max | × gorilla | peak RSS MiB | runs ok |\n")
			w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
			g := r.stats(wl.name, "gorilla")
			for _, impl := range r.impls {
				s := r.stats(wl.name, impl)
				if s.ok == 0 {
					w("| %s | failed: %s | | | | | | | 0/%d |\n", impl, mdEscape(lastN(s.failure, 120)), s.total)
					continue
				}
				w("| %s | %s | %s | %s–%s | %s | %s–%s | %s | %.1f | %d/%d |\n", impl, fmtOps(s.opsPerSec), ratio(s.opsPerSec, g.opsPerSec),
					fmtOps(s.minOps), fmtOps(s.maxOps), fmtUs(s.cpuPerOpUs), fmtUs(s.minCPU), fmtUs(s.maxCPU), ratio(s.cpuPerOpUs, g.cpuPerOpUs), s.rssMiB, s.ok, s.total)
			}
			r.unsteadyNote(w, wl.name)
		case wl.kind == "scale":
			r.scaleSection(w, wl)
		case wl.kind == "idle":
			r.idleSection(w, wl)
		}
		w("\n")
	}
	r.zIdleSummary(w)

	w("## Allocations per message (in-package `go test -bench -benchmem`)\n\n")
	if len(r.allocs) == 0 {
		w("Not run.\n\n")
	} else {
		w("`go test -run=^$ -bench=. -benchmem %s` in `bench/` (`alloc_test.go`, built with the clients). One op = one message. The peer is a\n", strings.Join(r.mode.bench, " "))
		w("raw in-process TCP server that allocates nothing per message: for receive benchmarks it writes pre-encoded\n")
		w("frames, for send benchmarks it discards what it reads; so allocations are the client's. Medians over `-count`.\n")
		w("The send benchmarks convert the payload with `websocket.ArrayData(payload)` at every call, as an application sending\n")
		w("a different buffer each time must: boxing a slice into the `MessageData` interface is one allocation (24 B) that the\n")
		w("API's shape (`Send(data MessageData, …)`) charges to every sent message. The receive side's boxing is the library's.\n")
		w("`OursBlockingSend/…_deadline` passes `SendContext` a context with a deadline, as the workloads do; the others\n")
		w("`context.Background()`. `OursBlockingReceive` receives with `ReceiveContext`, as the workloads do.\n\n")
		w("| Benchmark | ns/op | B/op | allocs/op |\n| --- | ---: | ---: | ---: |\n")
		for _, a := range r.allocs {
			w("| %s | %.0f | %.0f | %.0f |\n", a.Name, a.NsPerOp, a.BytesPerOp, a.AllocsPerOp)
		}
		w("\n")
	}

	if len(r.profiles) > 0 {
		w("## Profiles for the targets not met, and of the scale workload\n\n")
		w("Taken by the harness after the measured rounds, from one extra run of the client with `-cpuprofile`\n")
		w("(or the allocation benchmark with `-memprofile`), so they describe the library as measured above.\n\n")
		for _, p := range r.profiles {
			w("### %s\n\n```\n%s\n```\n\n", p.Title, strings.TrimSpace(p.Text))
		}
	}

	if b, err := os.ReadFile("gaps.md"); err == nil && len(strings.TrimSpace(string(b))) > 0 {
		w("## Analysis of the gaps (hand-written, `bench/gaps.md`)\n\n%s\n\n", strings.TrimSpace(string(b)))
	}

	w("## Method\n\n")
	w("- The echo server (`go run . server`) is its own process: gorilla's server side with 64 KiB buffers and pooled\n")
	w("  write buffers; it echoes every message as one frame. Every client is its own process over loopback.\n")
	w("- Implementations:\n")
	for _, impl := range r.impls {
		w("  - `%s`: %s\n", impl, implDesc[impl])
	}
	w("- Every message is binary; each echo is checked (length, first and last byte, stamped with the message's index).\n")
	w("- Sequential echo: send, wait for the echo, repeat. Pipelined: 64 messages in flight, one more sent per echo.\n")
	w("  Connect: dial, open, close with each library's own close (a closing handshake for all but gws, whose\n")
	w("  `WriteClose` sends Close and drops the socket), one after another. Warm-up (n/10, at most 2,000) is not measured.\n")
	if r.has("scale") {
		w("- Scale: %s. The connections are opened first (64 handshakes in flight), then the schedule runs\n", r.scaleTitle())
		w("  for a warm-up (a fifth of the duration, at most 1 s) and then for the measured duration. Each connection has a goroutine\n")
		w("  with a `time.Ticker`, its first tick offset by i/n of the interval so that the sends are spread evenly. At a tick it\n")
		w("  sends the next message unless the previous one's echo is still missing (then the tick is skipped). gorilla, coder and\n")
		w("  this library's blocking face send and read the echo on that goroutine (`SendContext`, then the receive); this library's\n")
		w("  callback face and gws call `Send`/`WriteMessage` from it and check the echo in their message callback. Not measured:\n")
		w("  opening and the warm-up; the connections are not closed (they end with the process).\n")
	}
	if !r.hasCompressed() {
		w("- Each library is used with its defaults, as an application would (this library: `nil` options).\n")
	} else {
		w("- Each library is used with its defaults, as an application would (this library: `nil` options), but in the\n")
		w("  compressed workloads, below.\n")
		w("- Compressed workloads (%s): the echo server serves them from gws's `Upgrader` in the same process, on `/z`\n", strings.Join(r.compressedNames(), ", "))
		w("  (context takeover both ways) and `/zn` (no context takeover), 32 KiB windows, level 1, every message compressed; gorilla's\n")
		w("  server side, which serves the other workloads, only does no context takeover. Every client offers the mode, at level 1,\n")
		w("  compressing every message, and dials through a counting `net.Conn` wrapper (the same for all); a client fails its run\n")
		w("  if the server's `Sec-WebSocket-Extensions` answer is not that mode, or if a stream's bytes on the wire show its\n")
		w("  messages were not compressed. Settings:\n")
		for _, impl := range r.impls {
			if d, ok := zImplDesc[impl]; ok {
				w("  - `%s`: %s\n", impl, d)
			}
		}
	}
	w("- Medians are over rounds; ratios are ratios of medians from this run.\n")
	w("- n per run: ")
	var parts []string
	for _, wl := range r.workloads {
		parts = append(parts, fmt.Sprintf("%s %d", wl.name, r.mode.n[wl.name]))
	}
	w("%s.\n", strings.Join(parts, ", "))
	if rs := r.runsOf("scale"); rs > 0 && rs != r.rounds {
		w("- Rounds: %d, but %d for scale (each scale run lasts %s measured, about 3 s more to connect and warm up).\n",
			r.rounds, rs, fmtDur(r.mode.scaleDuration))
	}
	return b.String()
}

// otherWork sums the other processes' work over the workloads, and lists
// each workload's share.
func (r *report) otherWork() (otherLoad, []string) {
	var sum otherLoad
	var parts []string
	for _, wl := range r.workloads {
		o, ok := r.others[wl.name]
		if !ok {
			continue
		}
		sum.OtherCPU += o.OtherCPU
		sum.Wall += o.Wall
		sum.CPUs = o.CPUs
		parts = append(parts, fmt.Sprintf("%s %.0f %%", wl.name, o.share()*100))
	}
	return sum, parts
}

// unsteadyLimit is the ratio of highest to lowest CPU per operation over
// one implementation's rounds above which a workload is called unsteady.
const unsteadyLimit = 1.5

// unsteady lists the implementations whose CPU per operation on wl varied
// by more than unsteadyLimit between rounds.
func (r *report) unsteady(wl string) []string {
	if w, ok := findWorkload(wl); !ok || w.kind == "idle" { // its figure is memory
		return nil
	}
	var out []string
	for _, impl := range r.impls {
		if s := r.stats(wl, impl); s.ok > 1 && s.minCPU > 0 && s.maxCPU/s.minCPU > unsteadyLimit {
			out = append(out, fmt.Sprintf("%s %s–%s µs", impl, fmtUs(s.minCPU), fmtUs(s.maxCPU)))
		}
	}
	return out
}

// unsteadyNote says under a workload's table which implementations were
// unsteady.
func (r *report) unsteadyNote(w func(string, ...any), wl string) {
	if u := r.unsteady(wl); len(u) > 0 {
		w("\nUnsteady: CPU per operation varied by more than %.1f× between rounds for %s; the medians can move between runs.\n",
			unsteadyLimit, strings.Join(u, ", "))
	}
}

// runsOf is the number of rounds a workload ran (the most runs of any
// implementation).
func (r *report) runsOf(wl string) int {
	n := 0
	for _, rs := range r.runs[wl] {
		n = max(n, len(rs))
	}
	return n
}

// scaleSection writes the scale workload's table.
func (r *report) scaleSection(w func(string, ...any), wl workload) {
	w("### %s — %s (offered: %s messages/s)\n\n", wl.name, r.scaleTitle(), thousands(int(r.scaleOffered())))
	w("Echoes/s and %% of offered: echoes received in the measured window and their share of the messages the schedule\n")
	w("offered (one per connection per tick). CPU: the client's user + system time over the measured window, in total and per\n")
	w("echoed message; \"cores\" is that time over the window's wall time. Peak RSS: the client's `ru_maxrss` (opening the\n")
	w("connections included). The echo server is the same process for every client and runs on the same machine.\n\n")
	w("| Implementation | echoes/s | %% of offered | CPU s | cores | CPU µs/message | min–max | × gorilla | × gws | peak RSS MiB | × gorilla | × gws | runs ok |\n")
	w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	g, gw := r.stats(wl.name, "gorilla"), r.stats(wl.name, "gws")
	behind := false
	for _, impl := range r.impls {
		if _, ran := r.runs[wl.name][impl]; !ran {
			continue
		}
		s := r.stats(wl.name, impl)
		if s.ok == 0 {
			w("| %s | failed: %s | | | | | | | | | | | 0/%d |\n", impl, mdEscape(lastN(s.failure, 120)), s.total)
			continue
		}
		behind = behind || s.offered < 0.95
		w("| %s | %s | %.1f %% | %.2f | %.2f | %s | %s–%s | %s | %s | %.1f | %s | %s | %d/%d |\n", impl, fmtOps(s.opsPerSec), s.offered*100,
			s.cpuS, s.cores, fmtUs(s.cpuPerOpUs), fmtUs(s.minCPU), fmtUs(s.maxCPU), ratio(s.cpuPerOpUs, g.cpuPerOpUs), ratio(s.cpuPerOpUs, gw.cpuPerOpUs),
			s.rssMiB, ratio(s.rssMiB, g.rssMiB), ratio(s.rssMiB, gw.rssMiB), s.ok, s.total)
	}
	r.unsteadyNote(w, wl.name)
	if behind {
		w("\nNot every client carried the schedule on this machine (%d CPUs, shared with the echo server): below 95 %% of offered,\n", r.env.CPUs)
		w("the client and the server together use the CPUs, the client's CPU is bounded by its share of them, and messages are\n")
		w("late and ticks skipped. Then CPU per message is the figure to compare; total CPU says how much of the machine the\n")
		w("client took, and echoes/s how much work it got done with it. A lower rate (`-scale-interval`) measures the clients\n")
		w("below saturation.\n")
	}
}

// idleSection writes an idle workload's table: against gorilla, or for a
// compressed one against gws and coder.
func (r *report) idleSection(w func(string, ...any), wl workload) {
	n := r.mode.n[wl.name]
	refs := []string{"gorilla"}
	w("### %s — %s\n\n", wl.name, wlTitle[wl.name])
	if wl.z != zOff {
		refs = []string{"gws", "coder"}
		w("Every connection negotiates permessage-deflate, %s (the echo server's `%s`), then echoes one %s JSON message\n",
			wl.z, wl.z.path(), fmtSize(wl.size))
		w("(so that what each library keeps for compression exists), then sits idle; opening rate and CPU include that message.\n")
		w("gorilla runs only without context takeover, the one mode its client has; lws not at all.\n\n")
	}
	w("KiB/conn = (VmRSS with all %d connections open − VmRSS before connecting) / %d. Go clients run `runtime.GC` and\n", n, n)
	w("`debug.FreeOSMemory` before both readings; gorilla and coder park each connection in a reader goroutine, gws in its\n")
	w("read loop, this library in its own goroutines, lws in its event loop. Opening rate: 64 handshakes in flight at most.\n\n")
	w("Heap and stack: the Go runtime's `HeapInuse` and `StackInuse`, after − before, per connection. `HeapInuse` counts\n")
	w("whole spans, pages never touched included, so it can exceed the RSS figure (gorilla's 4 KiB buffers")
	if wl.z != zOff {
		w("; a flate compressor's\n")
		w("tables, allocated whole but touched only as far as the messages reach")
	}
	w(").\n\n")
	w("| Implementation | KiB/conn |")
	for _, ref := range refs {
		w(" × %s |", ref)
	}
	w(" heap KiB/conn | stack KiB/conn | goroutines/conn | opening conns/s | CPU µs/conn opened | peak RSS MiB | runs ok |\n")
	w("| --- | ---: |%s ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n", strings.Repeat(" ---: |", len(refs)))
	for _, impl := range r.impls {
		if _, ran := r.runs[wl.name][impl]; !ran {
			continue
		}
		s := r.stats(wl.name, impl)
		if s.ok == 0 {
			w("| %s | failed: %s |%s | | | | | | 0/%d |\n", impl, mdEscape(lastN(s.failure, 120)), strings.Repeat(" |", len(refs)), s.total)
			continue
		}
		gpc, hpc, spc := "–", "–", "–"
		if s.goroutines > 0 {
			gpc = fmt.Sprintf("%.2f", s.goroutines/float64(n))
			hpc, spc = fmt.Sprintf("%.1f", s.heapKiB), fmt.Sprintf("%.1f", s.stackKiB)
		}
		w("| %s | %.1f |", impl, s.kibPerConn)
		for _, ref := range refs {
			w(" %s |", ratio(s.kibPerConn, r.stats(wl.name, ref).kibPerConn))
		}
		w(" %s | %s | %s | %s | %s | %.1f | %d/%d |\n", hpc, spc, gpc, fmtOps(s.opsPerSec), fmtUs(s.cpuPerOpUs), s.rssMiB, s.ok, s.total)
	}
}

// zIdle are the compressed idle workloads, in the order of the summary's
// columns.
var zIdle = []string{"idlez1000", "idlezn1000"}

// zIdleSummary writes the idle memory with compression of both modes side
// by side (no target).
func (r *report) zIdleSummary(w func(string, ...any)) {
	var wls []workload
	for _, name := range zIdle {
		if r.has(name) {
			wl, _ := findWorkload(name)
			wls = append(wls, wl)
		}
	}
	if len(wls) == 0 {
		return
	}
	w("### Idle memory with compression, both modes (no target)\n\n")
	w("KiB/conn from the tables above (medians), with ratios to gws and coder: what an idle connection costs once it has\n")
	w("compressed and decompressed one message.\n\n")
	w("| Implementation |")
	for _, wl := range wls {
		w(" %s: %s KiB/conn | × gws | × coder |", wl.name, wl.z)
	}
	w("\n| --- |%s\n", strings.Repeat(" ---: | ---: | ---: |", len(wls)))
	for _, impl := range r.impls {
		ran := false
		for _, wl := range wls {
			_, ok := r.runs[wl.name][impl]
			ran = ran || ok
		}
		if !ran {
			continue
		}
		w("| %s |", impl)
		for _, wl := range wls {
			s := r.stats(wl.name, impl)
			switch {
			case !wl.runs(impl):
				w(" not run (cannot negotiate the mode) | | |")
			case s.ok == 0:
				w(" failed | | |")
			default:
				w(" %.1f | %s | %s |", s.kibPerConn, ratio(s.kibPerConn, r.stats(wl.name, "gws").kibPerConn),
					ratio(s.kibPerConn, r.stats(wl.name, "coder").kibPerConn))
			}
		}
		w("\n")
	}
	w("\n")
}

// zStreamSection writes a compressed stream workload's table: against gws,
// with the bytes on the wire.
func (r *report) zStreamSection(w func(string, ...any), wl workload) {
	n := r.mode.n[wl.name]
	w("### %s — %s (n = %d per run)\n\n", wl.name, wlTitle[wl.name], n)
	w("Every client and the echo server (gws's, `%s`) compress at flate level 1, every message; message i is the i-th of a\n", wl.z.path())
	w("ring of %d different JSON documents of %s (%s in all, more than the 32 KiB window). Wire bytes: what crossed the\n",
		zRingLen(wl.size), fmtSize(wl.size), fmtSize(zRingLen(wl.size)*wl.size))
	w("client's socket in the measured window, both ways (frames and masks; not TCP/IP headers), per round trip; \"sent\" is\n")
	w("the client's half (its compressor), the rest is the server's answer, the same for every client. Ratio: the two\n")
	w("messages' %s over the wire bytes. Ratios to gws (CPU and wire: lower is better).\n\n", fmtSize(2*wl.size))
	w("| Implementation | round trips/s | × gws | min–max | CPU µs/round trip | min–max | × gws | wire B/round trip | × gws | sent B | ratio | peak RSS MiB | runs ok |\n")
	w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	g := r.stats(wl.name, "gws")
	for _, impl := range r.impls {
		if _, ran := r.runs[wl.name][impl]; !ran {
			continue
		}
		s := r.stats(wl.name, impl)
		if s.ok == 0 {
			w("| %s | failed: %s | | | | | | | | | | | 0/%d |\n", impl, mdEscape(lastN(s.failure, 120)), s.total)
			continue
		}
		w("| %s | %s | %s | %s–%s | %s | %s–%s | %s | %.0f | %s | %.0f | %.2f× | %.1f | %d/%d |\n", impl,
			fmtOps(s.opsPerSec), ratio(s.opsPerSec, g.opsPerSec), fmtOps(s.minOps), fmtOps(s.maxOps),
			fmtUs(s.cpuPerOpUs), fmtUs(s.minCPU), fmtUs(s.maxCPU), ratio(s.cpuPerOpUs, g.cpuPerOpUs),
			s.wirePerOp, ratio(s.wirePerOp, g.wirePerOp), s.sentPerOp, float64(2*wl.size)/s.wirePerOp, s.rssMiB, s.ok, s.total)
	}
	r.unsteadyNote(w, wl.name)
	if !slices.Contains(r.impls, "gorilla") {
		return
	}
	w("\ngorilla does not run it: its client offers only no context takeover. lws does not either (no compression in the C client).\n")
}

// fmtSize writes 1 KiB, 64 KiB, 128 KiB, 100 B.
func fmtSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", "\\|", "\n", " ").Replace(s)
}

type target struct {
	name, cb, bl string
	// what to profile when the target is missed
	profileCB, profileBL []profileReq
}

// profileReq names one profile the harness takes for a missed target: a CPU
// profile of a client run, a heap profile of an idle run, or an allocation
// profile of a benchmark.
type profileReq struct {
	impl, workload string
	bench          string
}

func verdict(ok bool, measured string) string {
	if ok {
		return "met (" + measured + ")"
	}
	return "**not met** (" + measured + ")"
}

func (r *report) has(wl string) bool {
	for _, w := range r.workloads {
		if w.name == wl {
			return true
		}
	}
	return false
}

func (r *report) targets() []target {
	var ts []target
	faces := []string{"ours-callback", "ours-blocking"}
	// both evaluates a target for both faces; f returns the cell, whether
	// the target is met, and the workloads to profile if not.
	both := func(name string, f func(impl string) (string, bool, []string)) {
		t := target{name: name}
		for i, impl := range faces {
			cell, ok, wls := f(impl)
			var reqs []profileReq
			if !ok {
				for _, wl := range wls {
					reqs = append(reqs, profileReq{impl: impl, workload: wl})
				}
			}
			if i == 0 {
				t.cb, t.profileCB = cell, reqs
			} else {
				t.bl, t.profileBL = cell, reqs
			}
		}
		ts = append(ts, t)
	}
	// cmp compares impl's metric with ref's on wl: the ratio of medians,
	// its cell text and the paired ratio.
	type cmpResult struct {
		x    float64
		cell string
	}
	cmp := func(wl, impl, ref string, get func(stats) float64, per func(run) float64, unit string, format func(float64) string) (cmpResult, bool) {
		o, g := r.stats(wl, impl), r.stats(wl, ref)
		if o.ok == 0 || g.ok == 0 || get(g) == 0 {
			return cmpResult{}, false
		}
		x := get(o) / get(g)
		return cmpResult{x: x, cell: fmt.Sprintf("%.2f× %s: %s vs %s %s, paired %.2f×", x, ref, format(get(o)), format(get(g)), unit,
			r.paired(wl, impl, ref, per))}, true
	}
	cpu := func(s stats) float64 { return s.cpuPerOpUs }
	thr := func(s stats) float64 { return s.opsPerSec }

	if r.has("echo64") {
		both("64 B echo: CPU per round trip ≤ 1.10× gorilla and ≤ 1.25× gws", func(impl string) (string, bool, []string) {
			g, okG := cmp("echo64", impl, "gorilla", cpu, cpuOf, "µs", fmtUs)
			gw, okW := cmp("echo64", impl, "gws", cpu, cpuOf, "µs", fmtUs)
			if !okG || !okW {
				return "no data", true, nil
			}
			ok := g.x <= 1.10 && gw.x <= 1.25
			return verdict(ok, g.cell+"; "+gw.cell), ok, []string{"echo64"}
		})
	}
	if r.has("pipe64") {
		both("64 B pipelined: throughput ≥ 1.3× gorilla", func(impl string) (string, bool, []string) {
			g, okG := cmp("pipe64", impl, "gorilla", thr, opsOf, "msg/s", fmtOps)
			if !okG {
				return "no data", true, nil
			}
			return verdict(g.x >= 1.3, g.cell), g.x >= 1.3, []string{"pipe64"}
		})
	}
	if r.has("echo64k") {
		both("64 KiB echo: throughput ≥ 0.8× gws, CPU per round trip ≤ 1.25× gws", func(impl string) (string, bool, []string) {
			t, okT := cmp("echo64k", impl, "gws", thr, opsOf, "round trips/s", fmtOps)
			c, okC := cmp("echo64k", impl, "gws", cpu, cpuOf, "µs", fmtUs)
			if !okT || !okC {
				return "no data", true, nil
			}
			ok := t.x >= 0.8 && c.x <= 1.25
			return verdict(ok, "throughput "+t.cell+"; CPU "+c.cell), ok, []string{"echo64k"}
		})
	}
	if r.has("echo1m") {
		both("1 MiB echo: throughput ≥ 1.0× gws", func(impl string) (string, bool, []string) {
			t, okT := cmp("echo1m", impl, "gws", thr, opsOf, "round trips/s", fmtOps)
			if !okT {
				return "no data", true, nil
			}
			return verdict(t.x >= 1.0, t.cell), t.x >= 1.0, []string{"echo1m"}
		})
	}
	if r.has("connect") {
		both("connect + close: cycles/s ≥ 1.0× gorilla", func(impl string) (string, bool, []string) {
			t, okT := cmp("connect", impl, "gorilla", thr, opsOf, "cycles/s", fmtOps)
			if !okT {
				return "no data", true, nil
			}
			return verdict(t.x >= 1.0, t.cell), t.x >= 1.0, []string{"connect"}
		})
	}
	if r.has("idle4000") {
		both("idle connection ≤ 8 KiB RSS at 4,000 connections", func(impl string) (string, bool, []string) {
			o, g := r.stats("idle4000", impl), r.stats("idle4000", "gorilla")
			if o.ok == 0 {
				return "no data", true, nil
			}
			return verdict(o.kibPerConn <= 8, fmt.Sprintf("%.1f KiB; gorilla %.1f", o.kibPerConn, g.kibPerConn)), o.kibPerConn <= 8, []string{"idle4000"}
		})
	}
	if len(r.allocs) > 0 {
		// allocs judges the benchmarks named prefix+"/…": at most limit
		// allocations per op besides own (the message's bytes).
		allocs := func(prefix string, own, limit float64) (string, []profileReq) {
			ok := true
			var cells []string
			var missed []profileReq
			for _, a := range r.allocs {
				sub, found := strings.CutPrefix(a.Name, prefix+"/")
				if !found {
					continue
				}
				if own > 0 {
					cells = append(cells, fmt.Sprintf("%s: %.0f (%.0f besides the bytes)", sub, a.AllocsPerOp, a.AllocsPerOp-own))
				} else {
					cells = append(cells, fmt.Sprintf("%s: %.0f", sub, a.AllocsPerOp))
				}
				if a.AllocsPerOp-own > limit {
					ok = false
					missed = append(missed, profileReq{bench: a.Name})
				}
			}
			if len(cells) == 0 {
				return "no data", nil
			}
			return verdict(ok, strings.Join(cells, ", ")), missed
		}
		t := target{name: "allocations ≤ 1 per received message besides the message's own bytes (allocs/op, `" +
			"OursCallbackReceive`, `OursBlockingReceive`)"}
		t.cb, t.profileCB = allocs("OursCallbackReceive", 1, 1)
		t.bl, t.profileBL = allocs("OursBlockingReceive", 1, 1)
		ts = append(ts, t)
		t = target{name: "allocations ≤ 1 per sent message (allocs/op, `OursCallbackSend`, `OursBlockingSend`)"}
		t.cb, t.profileCB = allocs("OursCallbackSend", 0, 1)
		t.bl, t.profileBL = allocs("OursBlockingSend", 0, 1)
		ts = append(ts, t)
	}
	// The compressed workloads: gws is the reference (same compressor
	// library as this one, klauspost/compress, at the same level), and
	// fewer bytes on the wire than gws's is as good as the same.
	wire := func(s stats) float64 { return s.wirePerOp }
	for _, name := range []string{"json1k", "json64k"} {
		wl, _ := findWorkload(name)
		if !r.has(name) {
			continue
		}
		both(fmt.Sprintf("compressed JSON echo %s: throughput ≥ 1.0× gws, CPU per round trip ≤ 1.10× gws, wire bytes within 5 %% of gws (≤ 1.05×)",
			fmtSize(wl.size)), func(impl string) (string, bool, []string) {
			t, okT := cmp(name, impl, "gws", thr, opsOf, "round trips/s", fmtOps)
			c, okC := cmp(name, impl, "gws", cpu, cpuOf, "µs", fmtUs)
			b, okB := cmp(name, impl, "gws", wire, wireOf, "B/round trip", func(v float64) string { return fmt.Sprintf("%.0f", v) })
			if !okT || !okC || !okB {
				return "no data", true, nil
			}
			ok := t.x >= 1.0 && c.x <= 1.10 && b.x <= 1.05
			return verdict(ok, "throughput "+t.cell+"; CPU "+c.cell+"; wire "+b.cell), ok, []string{name}
		})
	}
	var zIdleRun []string
	for _, name := range zIdle {
		if r.has(name) {
			zIdleRun = append(zIdleRun, name)
		}
	}
	if len(zIdleRun) > 0 {
		both(fmt.Sprintf("idle connection with compression negotiated, %s connections: no target; KiB/conn against gws and coder, both modes",
			thousands(r.mode.n[zIdleRun[0]])), func(impl string) (string, bool, []string) {
			var parts []string
			for _, name := range zIdleRun {
				wl, _ := findWorkload(name)
				o := r.stats(name, impl)
				if o.ok == 0 {
					parts = append(parts, wl.z.String()+": no data")
					continue
				}
				part := fmt.Sprintf("%s: %.1f KiB", wl.z, o.kibPerConn)
				for _, ref := range []string{"gws", "coder"} {
					if p := r.stats(name, ref); p.ok > 0 {
						part += fmt.Sprintf(", %.2f× %s (%.1f)", o.kibPerConn/p.kibPerConn, ref, p.kibPerConn)
					}
				}
				parts = append(parts, part)
			}
			return "– (" + strings.Join(parts, "; ") + ")", true, nil
		})
	}
	if r.has("scale") {
		both(fmt.Sprintf("scale, %s: no target; CPU per message and peak RSS against gorilla and gws", r.scaleTitle()),
			func(impl string) (string, bool, []string) {
				o := r.stats("scale", impl)
				if o.ok == 0 {
					return "no data", true, nil
				}
				var parts []string
				for _, ref := range []string{"gorilla", "gws"} {
					if p := r.stats("scale", ref); p.ok > 0 {
						parts = append(parts, fmt.Sprintf("CPU/msg %.2f× %s (paired %.2f×), peak RSS %.2f× %s", o.cpuPerOpUs/p.cpuPerOpUs, ref,
							r.paired("scale", impl, ref, cpuOf), o.rssMiB/p.rssMiB, ref))
					}
				}
				parts = append(parts, fmt.Sprintf("%s µs/msg, %.2f CPU s, %.1f MiB, %.0f %% of offered", fmtUs(o.cpuPerOpUs), o.cpuS, o.rssMiB, o.offered*100))
				return "– (" + strings.Join(parts, "; ") + ")", true, nil
			})
		// No target, but the profile of the callback face says where its
		// CPU per message goes (the blocking face shares the engine).
		if r.stats("scale", "ours-callback").ok > 0 {
			ts[len(ts)-1].profileCB = []profileReq{{impl: "ours-callback", workload: "scale"}}
		}
	}
	return ts
}

func peerVersions() string {
	return strings.Join(depVersions("github.com/gorilla/websocket", "github.com/coder/websocket", "github.com/lxzan/gws"), ", ") +
		", libwebsockets " + lwsVersion()
}
