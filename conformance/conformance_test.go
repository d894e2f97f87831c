package conformance_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cangjie-go/ohos/internal/hostile"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// kind is the shape of a case.
type kind int

const (
	// kindEcho: after the handshake the server runs send, waits for the
	// client frames in want, then sends Close 1000 (unless send already sent
	// a Close). The client must answer the Close with 1000 or the server's
	// code, report the server's code and reason in its close event, and
	// report no error.
	kindEcho kind = iota
	// kindFail: after the handshake the server runs send and waits for the
	// client to fail the connection: a Close with one of codes, an error
	// event (code 200) and a close event with the code it sent. Failing by
	// dropping TCP without a Close frame is NON-STRICT (RFC 6455 §7.1.7
	// allows it; the contract §6 wants the Close frame).
	kindFail
	// kindCustom: send is the whole server script (handshake included) and
	// verify judges the outcome.
	kindCustom
)

// testCase is one conformance case.
type testCase struct {
	id   string
	desc string
	kind kind

	// accept answers the opening handshake for kindEcho and kindFail; nil
	// means a correct 101 answer.
	accept func(r *run, key string)
	// send is what the server does after the handshake (kindEcho, kindFail),
	// or everything it does (kindCustom).
	send func(r *run)

	// want lists the frames (messages and pongs) the client must send
	// before its Close.
	want []ev
	// alts are other acceptable client frame sequences, with their verdict.
	alts []alt
	// anyOrder: want matches in any order.
	anyOrder bool
	// prefixOK: any prefix of want is OK, the last message possibly cut
	// short by the client's Close.
	prefixOK bool
	// codes are the close codes accepted from the client (kindFail).
	codes []int
	// appMessages, if not nil, are the messages the client's message event
	// must have delivered.
	appMessages []websocket.MessageData

	// opts adjusts the client's options.
	opts func(o *websocket.RequestOptions)
	// client runs on the test goroutine once the client is connected.
	client func(ctx context.Context, ws *websocket.WebSocket, o *clientObs)
	// verify judges kindCustom cases, and adds checks to the others.
	verify func(r *run, o *clientObs, res *result)

	heavy   bool          // run in the second phase, two at a time
	timeout time.Duration // defaults to caseTimeout
	// alone: run in the last phase, by itself, so that the memory the
	// process allocates while it runs (run.alloc) is the case's.
	alone bool
	// engineBug, if set, says which known bug of the library the case
	// fails on: it is skipped, and reported, until the bug is fixed.
	engineBug string
}

// alt is an acceptable client frame sequence other than want.
type alt struct {
	events  []ev
	verdict verdict
	note    string
}

const (
	caseTimeout  = 45 * time.Second
	heavyTimeout = 120 * time.Second
	// failFastWait is how long a fail-fast case waits for the client to fail
	// after the first invalid byte before it sends the rest of the message.
	failFastWait = 10 * time.Second
	// linger is how long the server keeps reading after the closing
	// handshake, to catch frames the client sends after its Close.
	linger = time.Second
	// clientCloseTimeout is the client's CloseTimeout in ordinary cases.
	clientCloseTimeout = 2 * time.Second
	// lightWorkers and heavyWorkers bound the cases run at once.
	lightWorkers = 8
	heavyWorkers = 2
)

// runCase runs one case: the hostile server, the echo client, the verdict.
func runCase(t *testing.T, tc *testCase) *result {
	timeout := tc.timeout
	if timeout == 0 {
		timeout = caseTimeout
		if tc.heavy {
			timeout = heavyTimeout
		}
	}
	start := time.Now()
	r := &run{tc: tc, deadline: start.Add(timeout)}
	scriptDone := make(chan struct{})
	var conns atomic.Int32
	srv := hostile.New(t, func(c *hostile.Conn) {
		if conns.Add(1) > 1 {
			return // counted by srv.Accepted
		}
		defer close(scriptDone)
		r.c = c
		if tc.kind == kindCustom {
			tc.send(r)
		} else {
			r.standard()
		}
	})
	var before runtime.MemStats
	if tc.alone {
		runtime.ReadMemStats(&before)
	}
	o := runClient(tc, srv.URL(), r.deadline)
	if tc.alone {
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		r.alloc = after.TotalAlloc - before.TotalAlloc
	}
	wait := time.NewTimer(time.Until(r.deadline) + 5*time.Second)
	select {
	case <-scriptDone:
	case <-wait.C:
	}
	wait.Stop()
	accepted := srv.Accepted()
	srv.Close() // closes the connection and waits for the script
	res := evaluate(tc, r, o, accepted)
	res.dur = time.Since(start)
	return res
}

// allCases returns every case, in report order.
func allCases() []*testCase {
	var all []*testCase
	for _, group := range [][]testCase{
		framingCases(), pingCases(), reservedBitsCases(), opcodeCases(), fragmentationCases(),
		utf8Cases(), closeCases(), limitCases(), extraHandshakeCases(), extraFrameCases(), deflateCases(),
	} {
		for i := range group {
			all = append(all, &group[i])
		}
	}
	return all
}

// TestConformance runs every case, lightWorkers at a time (the heavy ones
// afterwards, heavyWorkers at a time, then those that must run alone, one
// by one), each as a subtest that fails unless its verdict is OK. It prints
// a line for every case that is not OK and the summary "conformance: N
// cases: A ok, B non-strict, C failed", and fails unless every case is OK.
// With -run selecting some cases, N counts those. A case marked with an
// engine bug is skipped, not counted, and listed before the summary.
func TestConformance(t *testing.T) {
	cases := allCases()
	ids := make(map[string]bool)
	for _, tc := range cases {
		if ids[tc.id] {
			t.Fatalf("duplicate case id %s", tc.id)
		}
		ids[tc.id] = true
	}
	results := make([]*result, len(cases))
	bugs := make([]bool, len(cases)) // skipped for an engine bug
	runPhase := func(workers int, phase func(tc *testCase) bool) {
		next := make(chan int)
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					tc := cases[i]
					t.Run(tc.id, func(t *testing.T) {
						if tc.engineBug != "" {
							bugs[i] = true
							t.Skip("engine bug: " + tc.engineBug)
						}
						res := runCase(t, tc)
						results[i] = res
						if res.verdict != verdictOK {
							t.Errorf("%s %s: %s\n%s\nobserved: %s", tc.id, res.verdict, tc.desc, strings.Join(res.notes, "\n"), res.seen)
						}
					})
				}
			}()
		}
		for i, tc := range cases {
			if phase(tc) {
				next <- i
			}
		}
		close(next)
		wg.Wait()
	}
	start := time.Now()
	runPhase(lightWorkers, func(tc *testCase) bool { return !tc.heavy && !tc.alone })
	runPhase(heavyWorkers, func(tc *testCase) bool { return tc.heavy && !tc.alone })
	runPhase(1, func(tc *testCase) bool { return tc.alone })

	var counts [3]int
	var lines []string
	ran := 0
	for _, res := range results {
		if res == nil {
			continue // not selected by -run
		}
		ran++
		counts[res.verdict]++
		if res.verdict != verdictOK {
			lines = append(lines, fmt.Sprintf("conformance: %s %s: %s — %s — observed (in %v): %s",
				res.tc.id, res.verdict, res.tc.desc, strings.Join(res.notes, "; "), res.dur.Round(time.Millisecond), res.seen))
		}
	}
	summary := fmt.Sprintf("conformance: %d cases: %d ok, %d non-strict, %d failed",
		ran, counts[verdictOK], counts[verdictNonStrict], counts[verdictFailed])
	for i, tc := range cases {
		if bugs[i] {
			lines = append(lines, fmt.Sprintf("conformance: %s SKIPPED: %s — engine bug: %s", tc.id, tc.desc, tc.engineBug))
		}
	}
	for _, l := range lines {
		fmt.Println(l)
	}
	fmt.Println(summary)
	t.Log(summary)
	t.Logf("conformance: ran in %v", time.Since(start).Round(time.Millisecond))
	if counts[verdictNonStrict]+counts[verdictFailed] > 0 {
		t.Errorf("%s", summary)
	}
}
