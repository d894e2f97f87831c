package main

/*
#cgo CFLAGS: -I${SRCDIR}/include
#include "network/netstack/net_websocket_type.h"
*/
import "C"

import (
	"bytes"
	"errors"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// errCode is a value of the header's WebSocket_ErrCode enum.
type errCode int32

// The codes the functions return and onError reports, from the header.
const (
	errOK                  errCode = C.WEBSOCKET_OK
	errClientNull          errCode = C.WEBSOCKET_CLIENT_NULL
	errClientNotCreated    errCode = C.WEBSOCKET_CLIENT_NOT_CREATED
	errConnection          errCode = C.WEBSOCKET_CONNECTION_ERROR
	errParseURL            errCode = C.WEBSOCKET_CONNECTION_PARSE_URL_ERROR
	errProtocol            errCode = C.WEBSOCKET_PROTOCOL_ERROR
	errSendDataNull        errCode = C.WEBSOCKET_SEND_DATA_NULL
	errDataLengthExceeded  errCode = C.WEBSOCKET_DATA_LENGTH_EXCEEDED
	errQueueLengthExceeded errCode = C.WEBSOCKET_QUEUE_LENGTH_EXCEEDED
	errNoHeaderContext     errCode = C.WEBSOCKET_NO_HEADER_CONTEXT
	errHeaderExceeded      errCode = C.WEBSOCKET_HEADER_EXCEEDED
	errNoConnection        errCode = C.WEBSOCKET_NO_CONNECTION
	errNoConnectionContext errCode = C.WEBSOCKET_NO_CONNECTION_CONTEXT
)

// Limits of the C API.
const (
	// maxSendLength is the longest message Send accepts (the platform's
	// 4 MiB).
	maxSendLength = 4 << 20
	// maxHeaders is the most header nodes AddHeader and Connect accept (the
	// platform's limit).
	maxHeaders = 8192
	// closeGoingAway is the close code Destroy sends.
	closeGoingAway = 1001
)

// connectCode maps the error of starting a connection to a return code.
func connectCode(err error) errCode {
	switch {
	case err == nil:
		return errOK
	case errors.Is(err, websocket.ErrURL):
		return errParseURL
	case errors.Is(err, websocket.ErrParameter):
		return errProtocol // a header that HTTP does not allow
	}
	return errConnection // connection exists, or anything else
}

// sendCode maps the error of SendContext to a return code.
func sendCode(err error) errCode {
	switch {
	case err == nil:
		return errOK
	case errors.Is(err, websocket.ErrConnectionNotExist):
		return errNoConnection
	case errors.Is(err, websocket.ErrSendQueueFull):
		return errQueueLengthExceeded
	}
	return errConnection
}

// closeCode maps the error of CloseContext to a return code.
func closeCode(err error) errCode {
	switch {
	case err == nil:
		return errOK
	case errors.Is(err, websocket.ErrParameter):
		return errProtocol // a close code or reason RFC 6455 does not allow
	case errors.Is(err, websocket.ErrUnknown):
		return errNoConnection // not connected, or already closing
	}
	return errConnection
}

// messageData returns b as the message Send sends: text if b holds no NUL
// byte and is valid UTF-8, binary otherwise. The caller must not modify b
// afterwards.
func messageData(b []byte) websocket.MessageData {
	if bytes.IndexByte(b, 0) < 0 && utf8.Valid(b) {
		return websocket.StringData(unsafe.String(unsafe.SliceData(b), len(b)))
	}
	return websocket.ArrayData(b)
}

// field is one header field of the handshake request.
type field struct{ name, value string }

// headerMap turns header fields into the library's header map. Names that
// differ only in case are one field: the first spelling is sent, with the
// values joined by ", " in list order (RFC 9110 §5.3). No fields give nil.
func headerMap(fields []field) map[string]string {
	if len(fields) == 0 {
		return nil
	}
	m := make(map[string]string, len(fields))
	spelling := make(map[string]string, len(fields)) // lower-case name → name sent
	for _, f := range fields {
		key := strings.ToLower(f.name)
		if name, seen := spelling[key]; seen {
			m[name] += ", " + f.value
			continue
		}
		spelling[key] = f.name
		m[f.name] = f.value
	}
	return m
}
