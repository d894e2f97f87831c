package websocket

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"

	"github.com/cangjie-go/ohos/callback"
)

// ErrorCode is one of the platform's WebSocket error codes. Every error the
// package reports is a *callback.BusinessException carrying one of these
// codes, and errors.Is(err, ErrURL) (or any other code) tells them apart:
//
//	if errors.Is(err, websocket.ErrConnectionExists) { ... }
//
// An ErrorCode is itself an error whose message is the platform's message for
// the code.
type ErrorCode int32

// The error codes of the platform's WebSocket module. ErrPermissionDenied is
// listed for completeness: Go programs need no INTERNET permission, so it is
// never produced.
const (
	// ErrConnectionFailed (200) is the code of the error event: the
	// connection failed (dial, proxy, TLS, a non-101 answer, a protocol
	// violation, a keep-alive timeout). Connect and ConnectContext report a
	// failed handshake with it too.
	ErrConnectionFailed ErrorCode = 200
	// ErrPermissionDenied (201) is never produced.
	ErrPermissionDenied ErrorCode = 201
	// ErrParameter (401): an argument is invalid.
	ErrParameter ErrorCode = 401
	// ErrURL (2302001): the URL cannot be used.
	ErrURL ErrorCode = 2302001
	// ErrCertificateNotFound (2302002): a certificate or key file cannot be read.
	ErrCertificateNotFound ErrorCode = 2302002
	// ErrConnectionExists (2302003): Connect while connecting, open or closing.
	ErrConnectionExists ErrorCode = 2302003
	// ErrConnectionNotExist (2302006): Send with no connection.
	ErrConnectionNotExist ErrorCode = 2302006
	// ErrDomainNotAllowed (2302998): the host is not in the allow-list.
	ErrDomainNotAllowed ErrorCode = 2302998
	// ErrUnknown (2302999): anything else, for example Close with no connection.
	ErrUnknown ErrorCode = 2302999
)

// Error returns the platform's message for the code, prefixed with
// "websocket: ".
func (c ErrorCode) Error() string { return "websocket: " + c.String() }

// String returns the platform's message for the code, for example
// "connection failed" for 200, as a program shows it beside the number:
//
//	fmt.Printf("error %d (%s)\n", e.Code, websocket.ErrorCode(e.Code).String())
func (c ErrorCode) String() string {
	switch c {
	case ErrConnectionFailed:
		return "connection failed"
	case ErrPermissionDenied:
		return "permission denied"
	case ErrParameter:
		return "parameter error"
	case ErrURL:
		return "url error"
	case ErrCertificateNotFound:
		return "certificate file does not exist"
	case ErrConnectionExists:
		return "connection already exists"
	case ErrConnectionNotExist:
		return "connection does not exist"
	case ErrDomainNotAllowed:
		return "it is not allowed to access this domain"
	case ErrUnknown:
		return "other unknown error"
	}
	return "error code " + strconv.Itoa(int(c))
}

// ErrorCode returns the code as a number.
func (c ErrorCode) ErrorCode() int32 { return int32(c) }

// newError returns the exception for code with a message made of the
// code's message and the detail.
func newError(code ErrorCode, cause error, format string, args ...any) *callback.BusinessException {
	return &callback.BusinessException{
		Code:    int32(code),
		Message: code.Error() + ": " + fmt.Sprintf(format, args...),
		Err:     cause,
	}
}

// Causes reachable with errors.Is from the errors the package reports, for
// callers that want more than the code.
var (
	// ErrSendQueueFull: Send found the connection's send queue full (see
	// RequestOptions.SendQueueSize). Reported with code 2302999.
	ErrSendQueueFull = errors.New("websocket: send queue is full")
	// ErrInvalidUTF8: a text message was not valid UTF-8. Reported by the
	// error event after the client closed with 1007.
	ErrInvalidUTF8 = errors.New("websocket: text message is not valid UTF-8")
	// ErrMessageTooBig: a message exceeded RequestOptions.MaxMessageSize.
	// Reported by the error event after the client closed with 1009.
	ErrMessageTooBig = errors.New("websocket: message exceeds the maximum size")
	// ErrProtocol: the server broke RFC 6455. Reported by the error event
	// after the client closed with 1002.
	ErrProtocol = errors.New("websocket: protocol violation")
	// ErrPongTimeout: no Pong arrived in time after a keep-alive Ping.
	ErrPongTimeout = errors.New("websocket: keep-alive timeout")
	// ErrLinkDown: the connection dropped without a Close frame.
	ErrLinkDown = errors.New("websocket: the link is down")
)

// HandshakeError is the cause of a failed opening handshake in which the
// server answered: it was not 101 Switching Protocols, or it was a 101 that
// does not make a valid WebSocket connection. Reach it with errors.As from
// the error ConnectContext returns or the error event delivers.
type HandshakeError struct {
	// StatusCode and Status are from the server's status line, for example
	// 403 and "403 Forbidden".
	StatusCode int
	Status     string
	// Header is the server's response header.
	Header http.Header
	// Body holds at most the first 1 KiB of the response body.
	Body []byte
	// Reason says what was wrong with the answer.
	Reason string
}

// Error describes the refused handshake.
func (e *HandshakeError) Error() string {
	return "websocket: handshake failed: " + e.Reason
}

// CloseError is the cause of every error that exists because a connection
// has closed — a Send or SendContext after the end, a message the closing
// connection could not send, a ReceiveContext or Ping after the end — and
// carries the CloseResult the close event reported. Find it with errors.As,
// or use [CloseStatus]. It wraps net.ErrClosed.
type CloseError struct {
	CloseResult
}

// Error says how the connection closed.
func (e *CloseError) Error() string {
	return fmt.Sprintf("websocket: the connection closed with %d %q", e.Code, e.Reason)
}

// Unwrap returns net.ErrClosed.
func (e *CloseError) Unwrap() error { return net.ErrClosed }

// CloseStatus returns the close code and reason of the connection whose
// end caused err, and whether err has one (see [CloseError]).
func CloseStatus(err error) (CloseResult, bool) {
	var ce *CloseError
	if errors.As(err, &ce) {
		return ce.CloseResult, true
	}
	return CloseResult{}, false
}
