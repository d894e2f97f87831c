package hostile

import (
	"encoding/binary"
	"fmt"

	"github.com/samber/mo"
)

// Opcode is the opcode of a frame (RFC 6455 §5.2). Any value 0–15 can be
// written, including the reserved ones.
type Opcode byte

// The opcodes RFC 6455 defines.
const (
	OpContinuation Opcode = 0x0
	OpText         Opcode = 0x1
	OpBinary       Opcode = 0x2
	OpClose        Opcode = 0x8
	OpPing         Opcode = 0x9
	OpPong         Opcode = 0xA
)

// IsControl reports whether op is a control opcode (0x8–0xF).
func (op Opcode) IsControl() bool { return op&0x8 != 0 }

// String names op ("text", "ping", ...) or gives its number.
func (op Opcode) String() string {
	switch op {
	case OpContinuation:
		return "continuation"
	case OpText:
		return "text"
	case OpBinary:
		return "binary"
	case OpClose:
		return "close"
	case OpPing:
		return "ping"
	case OpPong:
		return "pong"
	}
	return fmt.Sprintf("opcode %d", byte(op))
}

// The reserved bits for Frame.Rsv.
const (
	RSV1 byte = 0x4
	RSV2 byte = 0x2
	RSV3 byte = 0x1
)

// Frame is one WebSocket frame, as written or as read. Every field is
// written as given, so a Frame can break any rule of RFC 6455 on purpose.
type Frame struct {
	Fin bool
	// Rsv holds the three reserved bits: RSV1 (0x4), RSV2 (0x2), RSV3 (0x1).
	Rsv    byte
	Opcode Opcode
	// Masked sets the mask bit; the payload is then masked with MaskKey.
	// (A server must not mask; a client must.)
	Masked  bool
	MaskKey [4]byte
	Payload []byte
	// Length, if present, is the payload length written in the header
	// instead of len(Payload), for frames that lie about their size. When
	// reading, it is never set.
	Length mo.Option[uint64]
	// LengthForm forces the encoding of the length: 7 (in the second byte),
	// 16 or 64 bits. Zero means the shortest form, as RFC 6455 requires.
	LengthForm int
}

// Text returns a final text frame.
func Text(s string) Frame { return Frame{Fin: true, Opcode: OpText, Payload: []byte(s)} }

// Binary returns a final binary frame.
func Binary(p []byte) Frame { return Frame{Fin: true, Opcode: OpBinary, Payload: p} }

// Ping returns a ping frame with payload p.
func Ping(p []byte) Frame { return Frame{Fin: true, Opcode: OpPing, Payload: p} }

// Pong returns a pong frame with payload p.
func Pong(p []byte) Frame { return Frame{Fin: true, Opcode: OpPong, Payload: p} }

// Close returns a close frame with code and reason. Code 1005 (no status)
// gives an empty payload.
func Close(code int, reason string) Frame {
	return Frame{Fin: true, Opcode: OpClose, Payload: ClosePayload(code, reason)}
}

// ClosePayload returns the payload of a close frame: the code in two bytes
// and the reason, or nothing for code 1005.
func ClosePayload(code int, reason string) []byte {
	if code == NoStatus {
		return nil
	}
	p := make([]byte, 2, 2+len(reason))
	binary.BigEndian.PutUint16(p, uint16(code))
	return append(p, reason...)
}

// NoStatus (1005) is the code ParseClose reports for a close frame without
// payload.
const NoStatus = 1005

// ParseClose reads the code and reason of a close payload. An empty payload
// is code 1005 and no reason; a payload of one byte is an error.
func ParseClose(p []byte) (code int, reason string, err error) {
	switch len(p) {
	case 0:
		return NoStatus, "", nil
	case 1:
		return 0, "", fmt.Errorf("hostile: close payload of 1 byte (%#x)", p[0])
	}
	return int(binary.BigEndian.Uint16(p)), string(p[2:]), nil
}

// Encode returns the frame's bytes on the wire.
func (f Frame) Encode() []byte {
	n := uint64(len(f.Payload))
	if l, ok := f.Length.Get(); ok {
		n = l
	}
	form := f.LengthForm
	if form == 0 {
		switch {
		case n <= 125:
			form = 7
		case n <= 0xffff:
			form = 16
		default:
			form = 64
		}
	}
	b := make([]byte, 0, 14+len(f.Payload))
	b = append(b, boolBit(f.Fin, 0x80)|(f.Rsv&0x7)<<4|byte(f.Opcode)&0xf)
	mask := boolBit(f.Masked, 0x80)
	switch form {
	case 7:
		b = append(b, mask|byte(n&0x7f))
	case 16:
		b = append(b, mask|126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, mask|127)
		b = binary.BigEndian.AppendUint64(b, n)
	}
	if f.Masked {
		b = append(b, f.MaskKey[:]...)
	}
	start := len(b)
	b = append(b, f.Payload...)
	if f.Masked {
		maskBytes(f.MaskKey, b[start:])
	}
	return b
}

// Encode concatenates the encodings of frames.
func Encode(frames ...Frame) []byte {
	var b []byte
	for _, f := range frames {
		b = append(b, f.Encode()...)
	}
	return b
}

// String describes the frame briefly, for test output.
func (f Frame) String() string {
	s := fmt.Sprintf("%s fin=%v", f.Opcode, f.Fin)
	if f.Rsv != 0 {
		s += fmt.Sprintf(" rsv=%03b", f.Rsv)
	}
	if f.Masked {
		s += " masked"
	}
	return s + " " + Describe(f.Payload)
}

// Describe shows a payload: short ones quoted, long ones by length.
func Describe(p []byte) string {
	if len(p) <= 40 {
		return fmt.Sprintf("%q", p)
	}
	return fmt.Sprintf("%d bytes %q…", len(p), p[:16])
}

func boolBit(b bool, bit byte) byte {
	if b {
		return bit
	}
	return 0
}

// maskBytes masks (or unmasks) p in place with key, a word at a time.
func maskBytes(key [4]byte, p []byte) {
	k32 := binary.LittleEndian.Uint32(key[:])
	k64 := uint64(k32) | uint64(k32)<<32
	i := 0
	for ; i+8 <= len(p); i += 8 {
		binary.LittleEndian.PutUint64(p[i:], binary.LittleEndian.Uint64(p[i:])^k64)
	}
	for ; i < len(p); i++ {
		p[i] ^= key[i&3]
	}
}
