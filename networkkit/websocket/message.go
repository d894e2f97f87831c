package websocket

import (
	"strconv"
	"strings"
)

// MessageData is the data of one WebSocket message: what Send sends and
// what the message event delivers. It is one of:
//
//	StringData  a text message (the platform's STRING_DATA)
//	ArrayData   a binary message (the platform's ARRAY_DATA)
type MessageData interface {
	// String returns the text of a StringData, or the bytes of an
	// ArrayData written as "[1, 2, 3]" (Cangjie's toString).
	String() string
	isMessageData()
}

// StringData is a text message. Send refuses text that is not valid UTF-8
// with error 401; received text has been checked to be valid UTF-8.
type StringData string

// ArrayData is a binary message. The message event hands each ArrayData to
// the callbacks of that event; it is not reused by the package.
type ArrayData []byte

func (StringData) isMessageData() {}
func (ArrayData) isMessageData()  {}

// String returns s.
func (s StringData) String() string { return string(s) }

// String returns the bytes as "[1, 2, 3]".
func (a ArrayData) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for i, c := range a {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(int(c)))
	}
	b.WriteByte(']')
	return b.String()
}
