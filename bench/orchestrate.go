package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Implementations in the order of a round; each round starts one further
// along, so no implementation always runs first or right after another.
var implOrder = []string{"ours-callback", "ours-blocking", "gorilla", "coder", "gws", "lws"}

type mode struct {
	name     string
	rounds   int
	wlRounds map[string]int // rounds of a workload, if not rounds (unless -rounds is given)
	n        map[string]int // measured operations per workload (scale: connections)
	timeout  time.Duration  // per client process
	bench    []string       // go test flags for the allocation benchmarks
	// scaleDuration is how long the scale workload's schedule is measured.
	scaleDuration time.Duration
}

var quickMode = mode{
	name:   "quick",
	rounds: 5,
	n: map[string]int{
		"echo64": 2000, "echo1k": 2000, "echo64k": 400, "echo1m": 25,
		"pipe64": 20000, "connect": 200, "idle4000": 4000, "scale": 2000,
		"json1k": 1000, "json64k": 60, "idlez1000": 1000, "idlezn1000": 1000,
	},
	timeout:       60 * time.Second,
	bench:         []string{"-benchtime=20000x", "-count=1"},
	scaleDuration: 2 * time.Second,
}

var fullMode = mode{
	name:   "full",
	rounds: 7,
	n: map[string]int{
		"echo64": 20000, "echo1k": 20000, "echo64k": 3000, "echo1m": 200,
		"pipe64": 200000, "connect": 1500, "idle4000": 4000, "scale": 2000,
		// The compressed workloads add about 2.5 minutes to the full run
		// on two vCPUs (runs of 1–2 s, 4 or 5 implementations, 7 rounds).
		"json1k": 10000, "json64k": 1000, "idlez1000": 1000, "idlezn1000": 1000,
	},
	// Each scale run lasts about 13 s (connecting, 1 s warm-up, 10 s
	// measured): 5 rounds keep the full run near ten minutes.
	wlRounds:      map[string]int{"scale": 5},
	timeout:       180 * time.Second,
	bench:         []string{"-benchtime=1s", "-count=3"},
	scaleDuration: 10 * time.Second,
}

// scaleArgs are the client flags of the scale workload.
func scaleArgs(d, interval time.Duration) []string {
	return []string{"-duration", d.String(), "-interval", interval.String()}
}

// run is one client process's outcome.
type run struct {
	Result
	ProcCPUNs int64 // whole-process user+sys from the parent's rusage
	Failed    string
}

func orchestrate(args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	quick := fs.Bool("quick", false, "small n, same rounds; prints the tables, writes -out only if given")
	out := fs.String("out", "", "write the markdown report here (full mode default: RESULTS.md)")
	rounds := fs.Int("rounds", 0, "rounds per workload (each runs every implementation once); at least 5 (default: quick 5, full 7)")
	implList := fs.String("impls", strings.Join(implOrder, ","), "implementations, comma-separated")
	wlList := fs.String("workloads", "", "workloads, comma-separated (default all)")
	skipAlloc := fs.Bool("skip-alloc", false, "skip the go test allocation benchmarks")
	noProfiles := fs.Bool("no-profiles", false, "do not profile the targets that are not met (full mode profiles them)")
	withProfiles := fs.Bool("profiles", false, "profile the targets that are not met in quick mode too")
	render := fs.String("render", "", "write the report again from a saved run (tmp/report-full.json) instead of measuring")
	scaleInterval := fs.Duration("scale-interval", 10*time.Millisecond, "scale workload: every connection sends a message this often")
	scaleDur := fs.Duration("scale-duration", 0, "scale workload: measured duration (default: quick 2s, full 10s)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *render != "" {
		return renderSaved(*render, *out)
	}
	m := fullMode
	if *quick {
		m = quickMode
	}
	if *rounds == 0 {
		*rounds = m.rounds
	}
	if *rounds < 5 {
		return errors.New("-rounds must be at least 5")
	}
	roundsOf := func(wl string) int {
		if r, ok := m.wlRounds[wl]; ok && !isFlagSet(fs, "rounds") {
			return r
		}
		return *rounds
	}
	if *scaleDur > 0 {
		m.scaleDuration = *scaleDur
	}
	if *scaleInterval <= 0 || m.scaleDuration < 10**scaleInterval || m.scaleDuration > 10*time.Minute {
		return errors.New("-scale-interval must be positive and -scale-duration from 10 intervals to 10 minutes")
	}
	doProfiles := (!*quick || *withProfiles) && !*noProfiles
	if !*quick && *out == "" && !isFlagSet(fs, "out") {
		*out = "RESULTS.md"
	}
	impls := strings.Split(*implList, ",")
	var wls []workload
	if *wlList == "" {
		wls = workloads
	} else {
		for _, name := range strings.Split(*wlList, ",") {
			w, ok := findWorkload(name)
			if !ok {
				return fmt.Errorf("unknown workload %q", name)
			}
			wls = append(wls, w)
		}
	}
	if _, err := os.Stat("go.mod"); err != nil {
		return errors.New("run from the bench directory (cd bench && go run .)")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	start := time.Now()
	loadStart := loadAvg()

	if err := os.MkdirAll("tmp", 0o755); err != nil {
		return err
	}
	// Both binaries are built now, from the same snapshot of the library
	// (others may be editing it while this runs).
	rev := libRevision()
	logf("building tmp/bench and tmp/bench.test (library at %s)", rev)
	if err := runCmd(ctx, "go", "build", "-o", "tmp/bench", "."); err != nil {
		return fmt.Errorf("go build: %w", err)
	}
	if err := runCmd(ctx, "go", "test", "-c", "-o", "tmp/bench.test", "."); err != nil {
		return fmt.Errorf("go test -c: %w", err)
	}
	var notes []string
	if slices.Contains(impls, "lws") {
		if note := buildLws(ctx); note != "" {
			notes = append(notes, note)
			impls = slices.DeleteFunc(impls, func(s string) bool { return s == "lws" })
			logf("%s", note)
		}
	}

	srv := &server{}
	if err := srv.restart(ctx); err != nil {
		return err
	}
	defer srv.stop()
	addr := srv.addr
	logf("echo server %s (pid %d)", addr, srv.cmd.Process.Pid)
	// The server holds one descriptor per connection of the largest
	// workload (it raises its own soft limit to the hard one).
	need := 0
	for _, wl := range wls {
		if wl.kind == "idle" || wl.kind == "scale" {
			need = max(need, m.n[wl.name]+64)
		}
	}
	if have, err := noFileOf(srv.cmd.Process.Pid); err != nil {
		logf("cannot read the echo server's RLIMIT_NOFILE: %v", err)
	} else if need > 0 && have < need {
		return fmt.Errorf("the echo server may open %d files, the workloads need %d: raise the hard RLIMIT_NOFILE (ulimit -Hn)", have, need)
	}

	runs := map[string]map[string][]run{} // workload → impl → runs
	others := map[string]otherLoad{}
	for _, wl := range wls {
		mark0, markErr := markCPU(srv.cmd.Process.Pid)
		runs[wl.name] = map[string][]run{}
		n := m.n[wl.name]
		var extra []string
		if wl.kind == "scale" {
			extra = scaleArgs(m.scaleDuration, *scaleInterval)
		}
		wlImpls := slices.DeleteFunc(slices.Clone(impls), func(s string) bool { return !wl.runs(s) })
		for r := range roundsOf(wl.name) {
			for k := range wlImpls {
				impl := wlImpls[(r+k)%len(wlImpls)]
				if ctx.Err() != nil {
					return ctx.Err()
				}
				rr := runClient(ctx, impl, wl.name, n, addr, m.timeout, extra...)
				runs[wl.name][impl] = append(runs[wl.name][impl], rr)
				if rr.Failed != "" {
					logf("%s %s round %d: FAILED: %s", wl.name, impl, r+1, rr.Failed)
				}
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if srv.exited() {
				return errors.New("echo server died")
			}
		}
		if mark1, err := markCPU(srv.cmd.Process.Pid); err == nil && markErr == nil {
			o := otherBetween(mark0, mark1, runtime.NumCPU())
			others[wl.name] = o
			logf("%s done (%s elapsed; other processes used %.0f %% of the CPUs meanwhile)", wl.name,
				time.Since(start).Round(time.Second), o.share()*100)
		} else {
			logf("%s done (%s elapsed; other work not measured: %v %v)", wl.name, time.Since(start).Round(time.Second), markErr, err)
		}
	}
	srv.stop()

	var allocs []benchLine
	if !*skipAlloc {
		logf("allocation benchmarks: tmp/bench.test -test.run=^$ -test.bench=. -test.benchmem %s", strings.Join(m.bench, " "))
		var err error
		allocs, err = runAllocBench(ctx, m.bench)
		if err != nil {
			notes = append(notes, "allocation benchmarks failed: "+err.Error())
			logf("allocation benchmarks failed: %v", err)
		}
	}

	rep := report{
		mode: m, rounds: *rounds, impls: impls, workloads: wls, runs: runs, allocs: allocs,
		notes: notes, args: args, date: start, loadStart: loadStart, rev: rev, env: currentEnvironment(),
		scaleInterval: *scaleInterval, others: others,
	}
	if doProfiles {
		if err := srv.restart(ctx); err != nil {
			return err
		}
		rep.profiles = takeProfiles(ctx, &rep, srv.addr, m)
		srv.stop()
	}
	rep.loadEnd = loadAvg()
	rep.elapsed = time.Since(start)
	if raw, err := json.MarshalIndent(rep.snapshot(), "", " "); err == nil {
		_ = os.WriteFile("tmp/report-"+m.name+".json", raw, 0o644)
	}
	md := rep.markdown()
	fmt.Println(md)
	if *out != "" {
		if err := os.WriteFile(*out, []byte(md), 0o644); err != nil {
			return err
		}
		logf("wrote %s", *out)
	}
	logf("total %s", time.Since(start).Round(time.Second))
	return nil
}

// noFileOf reads the soft RLIMIT_NOFILE of process pid.
func noFileOf(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Max open files"); ok {
			var soft int
			if _, err := fmt.Sscan(rest, &soft); err != nil {
				return 0, fmt.Errorf("max open files: %q: %w", rest, err)
			}
			return soft, nil
		}
	}
	return 0, errors.New("no max open files line")
}

func isFlagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "[bench] "+format+"\n", a...)
}

// children die with the orchestrator, even if it is killed.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

func runCmd(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.SysProcAttr = childAttr()
	return cmd.Run()
}

// buildLws compiles the C client; it returns a note when lws is skipped.
func buildLws(ctx context.Context) string {
	if _, err := exec.LookPath("gcc"); err != nil {
		return "lws skipped: gcc not found"
	}
	if _, err := os.Stat("/usr/include/libwebsockets.h"); err != nil {
		if err := exec.Command("pkg-config", "--exists", "libwebsockets").Run(); err != nil {
			return "lws skipped: libwebsockets-dev is not installed (apt-get install libwebsockets-dev)"
		}
	}
	flags := []string{"-lwebsockets"}
	if out, err := exec.Command("pkg-config", "--cflags", "--libs", "libwebsockets").Output(); err == nil {
		flags = strings.Fields(string(out))
	}
	args := append([]string{"-O2", "-Wall", "-o", "tmp/lwsclient", "lws/client.c"}, flags...)
	logf("building tmp/lwsclient: gcc %s", strings.Join(args, " "))
	if err := runCmd(ctx, "gcc", args...); err != nil {
		return "lws skipped: gcc failed: " + err.Error()
	}
	return ""
}

type server struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	done  chan struct{}
	addr  string
}

// restart (re)starts the echo server process.
func (s *server) restart(ctx context.Context) error {
	s.stop()
	ns, addr, err := startServer(ctx)
	if err != nil {
		return err
	}
	*s = *ns
	s.addr = addr
	return nil
}

func startServer(ctx context.Context) (*server, string, error) {
	cmd := exec.CommandContext(ctx, "tmp/bench", "server", "-addr", "127.0.0.1:0", "-exit-on-stdin-eof")
	cmd.SysProcAttr = childAttr()
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, "", err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	s := &server{cmd: cmd, stdin: stdin, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case line := <-lines:
		if addr, ok := strings.CutPrefix(line, "ADDR "); ok {
			return s, addr, nil
		}
		s.stop()
		return nil, "", fmt.Errorf("echo server said %q", line)
	case <-time.After(10 * time.Second):
		s.stop()
		return nil, "", errors.New("echo server did not start")
	}
}

func (s *server) exited() bool {
	if s.done == nil {
		return true
	}
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

func (s *server) stop() {
	if s.exited() {
		return
	}
	_ = s.stdin.Close()
	select {
	case <-s.done:
	case <-time.After(2 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

func runClient(ctx context.Context, impl, wl string, n int, addr string, timeout time.Duration, extra ...string) run {
	var cmd *exec.Cmd
	args := append([]string{"-impl", impl, "-workload", wl, "-n", fmt.Sprint(n), "-addr", addr,
		"-timeout", timeout.String()}, extra...)
	cctx, cancel := context.WithTimeout(ctx, timeout+20*time.Second)
	defer cancel()
	if impl == "lws" {
		cmd = exec.CommandContext(cctx, "tmp/lwsclient", args...)
	} else {
		cmd = exec.CommandContext(cctx, "tmp/bench", append([]string{"client"}, args...)...)
	}
	cmd.SysProcAttr = childAttr()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var r run
	if line := lastLine(stdout.Bytes()); len(line) > 0 {
		if jerr := json.Unmarshal(line, &r.Result); jerr != nil && err == nil {
			err = fmt.Errorf("bad output %q: %w", line, jerr)
		}
	}
	if ps := cmd.ProcessState; ps != nil {
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
			r.MaxRSSKiB = ru.Maxrss
			r.ProcCPUNs = ru.Utime.Nano() + ru.Stime.Nano()
		}
	}
	switch {
	case r.Error != "":
		r.Failed = r.Error
	case err != nil:
		r.Failed = strings.TrimSpace(err.Error() + " " + lastN(stderr.String(), 300))
	case r.WallNs <= 0:
		r.Failed = "no result"
	}
	return r
}

func lastLine(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}

func lastN(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// ---- allocation benchmarks ----

type benchLine struct {
	Name        string
	NsPerOp     float64
	BytesPerOp  float64
	AllocsPerOp float64
}

// runAllocBench runs alloc_test.go's benchmarks and returns, per benchmark,
// the median over -count runs.
func runAllocBench(ctx context.Context, flags []string) ([]benchLine, error) {
	args := []string{"-test.run=^$", "-test.bench=.", "-test.benchmem"}
	for _, f := range flags {
		args = append(args, strings.Replace(f, "-", "-test.", 1))
	}
	cmd := exec.CommandContext(ctx, "tmp/bench.test", args...)
	cmd.SysProcAttr = childAttr()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%w: %s %s", err, lastN(string(outb), 500), lastN(stderr.String(), 500))
	}
	byName := map[string][]benchLine{}
	var order []string
	for _, line := range strings.Split(string(outb), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndexByte(name, '-'); i > 0 && allDigits(name[i+1:]) {
			name = name[:i]
		}
		var b benchLine
		b.Name = name
		for i := 2; i+1 < len(f); i += 2 {
			var v float64
			fmt.Sscan(f[i], &v)
			switch f[i+1] {
			case "ns/op":
				b.NsPerOp = v
			case "B/op":
				b.BytesPerOp = v
			case "allocs/op":
				b.AllocsPerOp = v
			}
		}
		if _, ok := byName[name]; !ok {
			order = append(order, name)
		}
		byName[name] = append(byName[name], b)
	}
	var res []benchLine
	for _, name := range order {
		ls := byName[name]
		res = append(res, benchLine{
			Name:        name,
			NsPerOp:     median(mapf(ls, func(b benchLine) float64 { return b.NsPerOp })),
			BytesPerOp:  median(mapf(ls, func(b benchLine) float64 { return b.BytesPerOp })),
			AllocsPerOp: median(mapf(ls, func(b benchLine) float64 { return b.AllocsPerOp })),
		})
	}
	if len(res) == 0 {
		return nil, errors.New("no benchmark lines in go test output")
	}
	return res, nil
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func mapf[T any](xs []T, f func(T) float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ---- machine description ----

func machine() (cpu, mem, kernel string) {
	cpu = "unknown"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				var kb float64
				fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
				mem = fmt.Sprintf("%.1f GiB", kb/(1<<20))
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = "Linux " + strings.TrimSpace(string(b))
	}
	return cpu, mem, kernel
}

func goVersion() string {
	if out, err := exec.Command("go", "version").Output(); err == nil {
		return strings.TrimSpace(string(out))
	}
	return runtime.Version()
}

func libRevision() string {
	out, err := exec.Command("git", "-C", "..", "log", "-1", "--format=%h %cI").Output()
	if err != nil {
		return "unknown (not a git checkout)"
	}
	rev := strings.TrimSpace(string(out))
	st, _ := exec.Command("git", "-C", "..", "status", "--porcelain", "--", ".", ":!bench").Output()
	if n := len(strings.Fields(string(st))) / 2; len(bytes.TrimSpace(st)) > 0 {
		rev += fmt.Sprintf(" plus uncommitted changes (~%d paths)", max(n, 1))
	}
	return rev
}

func lwsVersion() string {
	out, err := exec.Command("pkg-config", "--modversion", "libwebsockets").Output()
	if err != nil {
		return "?"
	}
	return strings.TrimRight(strings.TrimSpace(string(out)), "-")
}

func depVersions(paths ...string) []string {
	var out []string
	bi, ok := debug.ReadBuildInfo()
	for _, p := range paths {
		v := "?"
		if ok {
			for _, d := range bi.Deps {
				if d.Path == p {
					v = d.Version
				}
			}
		}
		out = append(out, p+" "+v)
	}
	return out
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// takeProfiles profiles what explains each target this library misses: a
// CPU profile of one more client run (sized to run about two seconds), a
// heap profile of the idle workload, an allocation profile of the
// benchmark.
func takeProfiles(ctx context.Context, rep *report, addr string, m mode) []profile {
	var reqs []profileReq
	seen := map[string]bool{}
	add := func(r profileReq) {
		k := r.impl + "|" + r.workload + "|" + r.bench
		if !seen[k] {
			seen[k] = true
			reqs = append(reqs, r)
		}
	}
	ts := rep.targets()
	cbWl := map[string]bool{}
	for _, t := range ts {
		for _, r := range t.profileCB {
			add(r)
			if r.bench == "" {
				cbWl[r.workload] = true
			}
		}
	}
	for _, t := range ts {
		for _, r := range t.profileBL {
			// same engine: profile the blocking face's workloads only where it alone misses
			if r.bench != "" || !cbWl[r.workload] {
				add(r)
			}
		}
	}
	if len(reqs) > 12 {
		reqs = reqs[:12]
	}
	var out []profile
	testBin := "tmp/bench.test"
	for i, r := range reqs {
		if ctx.Err() != nil {
			break
		}
		file := fmt.Sprintf("tmp/profile-%d.out", i)
		switch {
		case r.bench != "":
			name, sub, _ := strings.Cut(r.bench, "/")
			pat := "^Benchmark" + name + "$"
			if sub != "" {
				pat += "/^" + sub + "$"
			}
			logf("profiling allocations of %s", r.bench)
			cmd := exec.CommandContext(ctx, testBin, "-test.run=^$", "-test.bench="+pat, "-test.benchmem",
				"-test.benchtime=20000x", "-test.memprofile="+file, "-test.memprofilerate=1")
			cmd.SysProcAttr = childAttr()
			if b, err := cmd.CombinedOutput(); err != nil {
				out = append(out, profile{Title: r.bench, Text: "benchmark failed: " + lastN(string(b), 400)})
				continue
			}
			text := pprofTop(ctx, testBin, file, "-sample_index=alloc_objects")
			out = append(out, profile{Title: fmt.Sprintf("Allocations: %s (alloc_objects over 20,000 messages + setup; `-memprofilerate=1`)", r.bench), Text: text})
		case workloadKind(r.workload) == "idle":
			logf("profiling the heap of %s %s", r.impl, r.workload)
			rr := runClient(ctx, r.impl, r.workload, m.n[r.workload], addr, m.timeout, "-memprofile", file)
			if rr.Failed != "" {
				out = append(out, profile{Title: r.impl + " " + r.workload, Text: "run failed: " + rr.Failed})
				continue
			}
			text := pprofTop(ctx, "tmp/bench", file, "-sample_index=inuse_space")
			out = append(out, profile{
				Title: fmt.Sprintf("Heap in use: %s with %d idle connections (%.1f KiB/conn RSS in this run, %d goroutines: %.1f per connection; goroutine stacks are not in the heap profile)",
					r.impl, rr.N, rr.KiBPerConn, rr.Goroutines, float64(rr.Goroutines)/float64(max(rr.N, 1))),
				Text: text,
			})
		default:
			st := rep.stats(r.workload, r.impl)
			n := m.n[r.workload]
			extra := []string{"-cpuprofile", file}
			if workloadKind(r.workload) == "scale" {
				extra = append(extra, scaleArgs(m.scaleDuration, rep.scaleInterval)...) // n is connections
			} else if st.opsPerSec > 0 {
				n = int(min(max(st.opsPerSec*2, float64(n)), float64(n)*50))
			}
			logf("CPU profile of %s %s (n=%d)", r.impl, r.workload, n)
			rr := runClient(ctx, r.impl, r.workload, n, addr, m.timeout, extra...)
			if rr.Failed != "" {
				out = append(out, profile{Title: r.impl + " " + r.workload, Text: "run failed: " + rr.Failed})
				continue
			}
			text := pprofTop(ctx, "tmp/bench", file)
			text += "\n\nCumulative, runtime and syscall frames hidden (their time is charged to the visible caller):\n" +
				pprofTop(ctx, "tmp/bench", file, "-cum", "-nodecount=22", "-hide=^(runtime|internal/runtime|syscall|internal/poll)[./]")
			out = append(out, profile{
				Title: fmt.Sprintf("CPU: %s %s (n=%d, %.0f ops/s, %s µs CPU/op in the profiled run)", r.impl, r.workload, rr.N,
					float64(rr.N)/(float64(rr.WallNs)/1e9), fmtUs(float64(rr.CPUNs)/float64(rr.N)/1e3)),
				Text: text,
			})
		}
	}
	return out
}

func workloadKind(name string) string {
	w, _ := findWorkload(name)
	return w.kind
}

// pprofTop returns `go tool pprof -top` for a profile, without the file and
// build ID lines.
func pprofTop(ctx context.Context, bin, file string, extra ...string) string {
	args := []string{"tool", "pprof", "-top"}
	if !slices.ContainsFunc(extra, func(a string) bool { return strings.HasPrefix(a, "-nodecount") }) {
		args = append(args, "-nodecount=18")
	}
	args = append(args, extra...)
	args = append(args, bin, file)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.SysProcAttr = childAttr()
	b, err := cmd.CombinedOutput()
	if err != nil {
		return "pprof failed: " + lastN(string(b), 300)
	}
	var keep []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if strings.HasPrefix(line, "File:") || strings.HasPrefix(line, "Build ID:") || strings.HasPrefix(line, "Time:") ||
			strings.HasPrefix(line, "Active filters:") || strings.HasPrefix(line, "   hide=") {
			continue
		}
		keep = append(keep, line)
	}
	return strings.Join(keep, "\n")
}

// renderSaved writes the report of a saved run again (with the current
// gaps.md).
func renderSaved(file, out string) error {
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var s snapshot
	if err := json.Unmarshal(raw, &s); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	rep, err := s.report()
	if err != nil {
		return err
	}
	md := rep.markdown()
	if out == "" {
		fmt.Println(md)
		return nil
	}
	return os.WriteFile(out, []byte(md), 0o644)
}
