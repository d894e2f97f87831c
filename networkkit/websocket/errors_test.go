package websocket

// White-box tests of errors.go: the error codes and their messages.

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/callback"
)

var allCodes = []ErrorCode{
	ErrConnectionFailed, ErrPermissionDenied, ErrParameter, ErrURL, ErrCertificateNotFound,
	ErrConnectionExists, ErrConnectionNotExist, ErrDomainNotAllowed, ErrUnknown,
}

func TestErrorCode(t *testing.T) {
	tests := []struct {
		code ErrorCode
		num  int32
		msg  string
	}{
		{ErrConnectionFailed, 200, "websocket: connection failed"},
		{ErrPermissionDenied, 201, "websocket: permission denied"},
		{ErrParameter, 401, "websocket: parameter error"},
		{ErrURL, 2302001, "websocket: url error"},
		{ErrCertificateNotFound, 2302002, "websocket: certificate file does not exist"},
		{ErrConnectionExists, 2302003, "websocket: connection already exists"},
		{ErrConnectionNotExist, 2302006, "websocket: connection does not exist"},
		{ErrDomainNotAllowed, 2302998, "websocket: it is not allowed to access this domain"},
		{ErrUnknown, 2302999, "websocket: other unknown error"},
		{ErrorCode(12345), 12345, "websocket: error code 12345"},
		{ErrorCode(0), 0, "websocket: error code 0"},
		{ErrorCode(-7), -7, "websocket: error code -7"},
	}
	require.Len(t, allCodes, 9)
	for _, tt := range tests {
		t.Run(strconv.Itoa(int(tt.num)), func(t *testing.T) {
			assert.Equal(t, tt.num, tt.code.ErrorCode())
			assert.Equal(t, tt.msg, tt.code.Error())
			var err error = tt.code
			assert.Equal(t, tt.msg, err.Error())
			assert.Equal(t, strings.ToLower(tt.msg), tt.msg, "messages are lower case")
		})
	}
}

func TestNewErrorIs(t *testing.T) {
	for _, made := range allCodes {
		for _, target := range allCodes {
			t.Run(fmt.Sprintf("%d/%d", made, target), func(t *testing.T) {
				err := newError(made, nil, "detail %d", 7)
				want := made == target
				assert.Equal(t, want, errors.Is(err, target))
				assert.Equal(t, want, errors.Is(fmt.Errorf("wrapped: %w", err), target))
				assert.Equal(t, want, errors.Is(callback.NewAsyncError(err), target))
			})
		}
	}
}

func TestNewError(t *testing.T) {
	cause := io.ErrUnexpectedEOF
	be := newError(ErrConnectionFailed, cause, "reading %q failed after %d bytes", "x", 3)
	assert.Equal(t, int32(200), be.Code)
	assert.Equal(t, `websocket: connection failed: reading "x" failed after 3 bytes`, be.Error())
	assert.Same(t, cause, errors.Unwrap(be))
	assert.ErrorIs(t, be, cause)
	assert.ErrorIs(t, be, ErrConnectionFailed)
	assert.NotErrorIs(t, be, ErrUnknown)

	var got *callback.BusinessException
	require.ErrorAs(t, fmt.Errorf("outer: %w", be), &got)
	assert.Same(t, be, got)

	ae := callback.NewAsyncError(be)
	assert.Equal(t, int32(200), ae.Code)
	assert.ErrorIs(t, ae, cause)

	// No cause.
	assert.Nil(t, errors.Unwrap(newError(ErrUnknown, nil, "x")))
}

func TestHandshakeErrorMessage(t *testing.T) {
	e := &HandshakeError{StatusCode: 403, Status: "403 Forbidden", Reason: "server answered 403 Forbidden"}
	assert.Equal(t, "websocket: handshake failed: server answered 403 Forbidden", e.Error())
	var got *HandshakeError
	require.ErrorAs(t, newError(ErrConnectionFailed, e, "x"), &got)
	assert.Same(t, e, got)
}
