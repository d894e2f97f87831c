package conformance_test

import (
	"fmt"
	"strings"

	"github.com/cangjie-go/ohos/internal/hostile"
)

// closeFrame returns a close frame with a raw payload.
func closeFrame(payload []byte) hostile.Frame {
	return hostile.Frame{Fin: true, Opcode: hostile.OpClose, Payload: payload}
}

// 7.x: the closing handshake.
func closeCases() []testCase {
	hello := "Hello World!"
	big := strings.Repeat("BAsd7&jh23", 256<<10/10+1)[:256<<10]
	cases := []testCase{
		echoCase("7.1.1", "text message, then (after its echo) a clean close with code 1000", sendFrames(hostile.Text(hello)), text(hello)),
		echoCase("7.1.2", "two close frames", sendFrames(hostile.Close(1000, ""), hostile.Close(1000, ""))),
		echoCase("7.1.3", "close frame, then a ping: no pong after the close", sendFrames(hostile.Close(1000, ""), hostile.Ping([]byte("ping after close")))),
		echoCase("7.1.4", "close frame, then a text message: no echo after the close", sendFrames(hostile.Close(1000, ""), hostile.Text(hello))),
		echoCase("7.1.5", "first fragment of a text message, close frame, last fragment: the message is never complete",
			sendFrames(frag(hostile.OpText, false, "fragment1"), hostile.Close(1000, ""), frag(hostile.OpContinuation, true, "fragment2"))),
		func() testCase {
			tc := echoCase("7.1.6", "256 KiB text message, small text message, close, ping, back to back: echoes may be cut short by the close, no pong after it",
				sendFrames(hostile.Text(big), hostile.Text(hello), hostile.Close(1000, ""), hostile.Ping(nil)), text(big), text(hello))
			tc.prefixOK = true
			return tc
		}(),
		echoCase("7.3.1", "close frame with payload of length 0", sendFrames(closeFrame(nil))),
		failCase("7.3.2", "close frame with payload of length 1", codes(1002), sendFrames(closeFrame([]byte{0x2a}))),
		echoCase("7.3.3", "close frame with code 1000 and no reason", sendFrames(hostile.Close(1000, ""))),
		echoCase("7.3.4", "close frame with code 1000 and a short reason", sendFrames(hostile.Close(1000, hello))),
		echoCase("7.3.5", "close frame with code 1000 and a reason of 123 octets (payload of 125)", sendFrames(hostile.Close(1000, strings.Repeat("*", 123)))),
		failCase("7.3.6", "close frame with code 1000 and a reason of 124 octets (payload of 126, over the control frame limit)", codes(1002),
			sendFrames(hostile.Close(1000, strings.Repeat("*", 124)))),
		failCase("7.5.1", "close frame with code 1000 and a reason that is not valid UTF-8", codes(1002, 1007),
			sendFrames(hostile.Close(1000, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64"))),
	}
	// Valid codes: RFC 6455 §7.4.1 and the IANA registrations up to 1014
	// (the contract §4), and the ranges for libraries and applications.
	for i, code := range []int{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999} {
		cases = append(cases, echoCase(fmt.Sprintf("7.7.%d", i+1), fmt.Sprintf("close with valid code %d", code),
			sendFrames(hostile.Close(code, ""))))
	}
	// Codes an endpoint must not send (1004–1006, 1015: reserved; 1016–2999:
	// unassigned in the RFC's range; 0–999: not used).
	for i, code := range []int{0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999} {
		p := []byte{byte(code >> 8), byte(code)}
		cases = append(cases, failCase(fmt.Sprintf("7.9.%d", i+1), fmt.Sprintf("close with invalid code %d", code), codes(1002),
			sendFrames(closeFrame(p))))
	}
	for i, code := range []int{5000, 65535} {
		p := []byte{byte(code >> 8), byte(code)}
		cases = append(cases, failCase(fmt.Sprintf("7.13.%d", i+1), fmt.Sprintf("close with code %d, outside the defined ranges", code), codes(1002),
			sendFrames(closeFrame(p))))
	}
	return cases
}
