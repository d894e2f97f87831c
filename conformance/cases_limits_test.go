package conformance_test

import (
	"fmt"
	"strings"
	"sync"

	"github.com/samber/mo"

	"github.com/cangjie-go/ohos/internal/hostile"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

const (
	kib = 1 << 10
	mib = 1 << 20
)

// bigPayloads are built once and shared by the cases: a 16 MiB text of
// repeated ASCII and 16 MiB of binary covering every byte value.
var bigPayloads = sync.OnceValues(func() (string, []byte) {
	t := strings.Repeat("BAsd7&jh23", 16*mib/10+1)[:16*mib]
	b := make([]byte, 16*mib)
	for i := range b {
		b[i] = byte(i*7 + i>>9)
	}
	return t, b
})

// splitMessage cuts p into a message of n fragments (opcode op).
func splitMessage(op hostile.Opcode, p []byte, n int) []hostile.Frame {
	size := (len(p) + n - 1) / n
	var frames []hostile.Frame
	for i := 0; i < len(p); i += size {
		o := hostile.OpContinuation
		if i == 0 {
			o = op
		}
		end := min(i+size, len(p))
		frames = append(frames, fragment(o, end == len(p), p[i:end]))
	}
	return frames
}

func sizeName(n int) string {
	if n%mib == 0 {
		return fmt.Sprintf("%d MiB", n/mib)
	}
	if n%kib == 0 {
		return fmt.Sprintf("%d KiB", n/kib)
	}
	return fmt.Sprintf("%d bytes", n)
}

// 9.x: limits and performance, 10.1: automatic fragmentation, X.8: the read
// limit and lying lengths.
func limitCases() []testCase {
	bigText, bigBin := bigPayloads()
	sizes := []int{64 * kib, 256 * kib, 1 * mib, 4 * mib, 16 * mib}
	var cases []testCase
	heavy := func(tc testCase, n int) testCase {
		tc.heavy = n >= 4*mib
		return tc
	}
	for i, n := range sizes {
		t := bigText[:n]
		cases = append(cases, heavy(echoCase(fmt.Sprintf("9.1.%d", i+1), fmt.Sprintf("text message of %s in one frame", sizeName(n)),
			sendFrames(hostile.Text(t)), text(t)), n))
	}
	for i, n := range sizes {
		b := bigBin[:n]
		cases = append(cases, heavy(echoCase(fmt.Sprintf("9.2.%d", i+1), fmt.Sprintf("binary message of %s in one frame", sizeName(n)),
			sendFrames(hostile.Binary(b)), binary(b)), n))
	}
	for i, n := range sizes {
		t := []byte(bigText[:n])
		cases = append(cases, heavy(echoCase(fmt.Sprintf("9.3.%d", i+1), fmt.Sprintf("text message of %s in 16 fragments", sizeName(n)),
			sendFrames(splitMessage(hostile.OpText, t, 16)...), textB(t)), n))
	}
	for i, n := range sizes {
		b := bigBin[:n]
		cases = append(cases, heavy(echoCase(fmt.Sprintf("9.4.%d", i+1), fmt.Sprintf("binary message of %s in 16 fragments", sizeName(n)),
			sendFrames(splitMessage(hostile.OpBinary, b, 16)...), binary(b)), n))
	}
	for i, chop := range []int{64, 1 * kib, 16 * kib} {
		t := bigText[:mib]
		cases = append(cases, echoCase(fmt.Sprintf("9.5.%d", i+1), fmt.Sprintf("text message of 1 MiB in one frame, sent in chops of %d octets", chop),
			sendChopped(chop, 0, hostile.Text(t)), text(t)))
	}
	for i, chop := range []int{64, 1 * kib, 16 * kib} {
		b := bigBin[:mib]
		cases = append(cases, echoCase(fmt.Sprintf("9.6.%d", i+1), fmt.Sprintf("binary message of 1 MiB in one frame, sent in chops of %d octets", chop),
			sendChopped(chop, 0, hostile.Binary(b)), binary(b)))
	}
	for i, n := range []int{16, 1 * kib} {
		var frames []hostile.Frame
		var want []ev
		for j := range 1000 {
			t := fmt.Sprintf("%06d:", j) + bigText[:n-7]
			frames = append(frames, hostile.Text(t))
			want = append(want, text(t))
		}
		cases = append(cases, echoCase(fmt.Sprintf("9.7.%d", i+1), fmt.Sprintf("1000 text messages of %d octets, back to back: echoed in order", n),
			sendFrames(frames...), want...))
	}
	for i, n := range []int{16, 1 * kib} {
		var frames []hostile.Frame
		var want []ev
		for j := range 1000 {
			b := append([]byte{byte(j >> 8), byte(j)}, bigBin[j:j+n-2]...)
			frames = append(frames, hostile.Binary(b))
			want = append(want, binary(b))
		}
		cases = append(cases, echoCase(fmt.Sprintf("9.8.%d", i+1), fmt.Sprintf("1000 binary messages of %d octets, back to back: echoed in order", n),
			sendFrames(frames...), want...))
	}
	t64 := []byte(bigText[:64*kib])
	cases = append(cases, echoCase("10.1.1", "text message of 65536 octets in fragments of 1300 octets",
		sendFrames(splitText(t64, 1300)...), textB(t64)))

	// X.8: the read limit (RequestOptions.MaxMessageSize, default 16 MiB)
	// and frames that declare more than they send.
	limit1M := func(o *websocket.RequestOptions) { o.MaxMessageSize = mib }
	declared := func(op hostile.Opcode, n uint64) hostile.Frame {
		return hostile.Frame{Fin: true, Opcode: op, Length: mo.Some(n)}
	}
	withOpts := func(tc testCase, opts func(*websocket.RequestOptions)) testCase { tc.opts = opts; return tc }
	over := []byte(bigText[:mib+1])
	cases = append(cases,
		failCase("X.8.1", "text frame declaring 2^62 octets (only the header is sent): close 1009 at once, no allocation of that size", codes(1009),
			sendFrames(declared(hostile.OpText, 1<<62))),
		failCase("X.8.2", "binary frame declaring 16 MiB + 1 octets with the default limit (only the header is sent): close 1009 at once", codes(1009),
			sendFrames(declared(hostile.OpBinary, 16*mib+1))),
		failCase("X.8.3", "text frame whose 64-bit length has the most significant bit set (RFC 6455 §5.2: it must be 0)", codes(1002, 1009),
			sendFrames(declared(hostile.OpText, 1<<63|5))),
		failCase("X.8.4", "a first fragment of 10 octets, then a continuation frame declaring 2^62 octets: close 1009 at once", codes(1009),
			sendFrames(frag(hostile.OpText, false, "fragment1!"), hostile.Frame{Fin: true, Opcode: hostile.OpContinuation, Length: mo.Some(uint64(1) << 62)})),
		withOpts(echoCase("X.8.5", "MaxMessageSize 1 MiB: text message of exactly 1 MiB is accepted",
			sendFrames(hostile.Text(bigText[:mib])), text(bigText[:mib])), limit1M),
		withOpts(failCase("X.8.6", "MaxMessageSize 1 MiB: text message of 1 MiB + 1 in one frame", codes(1009),
			sendFrames(hostile.Text(string(over)))), limit1M),
		withOpts(failCase("X.8.7", "MaxMessageSize 1 MiB: text message of 1 MiB + 1 in 17 fragments", codes(1009),
			sendFrames(splitMessage(hostile.OpText, over, 17)...)), limit1M),
		withOpts(failCase("X.8.8", "MaxMessageSize 1 MiB: binary message of 1 MiB + 1 in one frame, sent in chops of 4 KiB", codes(1009),
			sendChopped(4*kib, 0, hostile.Binary(bigBin[:mib+1]))), limit1M),
	)
	return cases
}
