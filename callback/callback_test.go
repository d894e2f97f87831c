package callback_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/callback"
)

// code is a typed error code with an ErrorCode method, like
// websocket.ErrorCode, defined here so that the test does not depend on the
// websocket package.
type code int32

func (c code) Error() string    { return fmt.Sprintf("code %d", int32(c)) }
func (c code) ErrorCode() int32 { return int32(c) }

const (
	codeParameter code = 401
	codeURL       code = 2302001
)

// otherCoded has an ErrorCode method of another signature, so it is not a
// code for BusinessException.Is.
type otherCoded struct{}

func (otherCoded) Error() string  { return "other" }
func (otherCoded) ErrorCode() int { return 401 }

// Compile-time checks: the adapters are the callback interfaces.
var (
	_ callback.Callback0Argument                 = callback.Callback0Func(nil)
	_ callback.Callback1Argument[string]         = callback.Callback1Func[string](nil)
	_ callback.Callback2Argument[string, int]    = callback.Callback2Func[string, int](nil)
	_ error                                      = (*callback.BusinessException)(nil)
	_ error                                      = callback.AsyncError{}
	_ interface{ ErrorCode() int32 }             = (*callback.BusinessException)(nil)
	_ callback.AsyncCallback[bool]               = func(mo.Option[callback.AsyncError], mo.Option[bool]) {}
	_ interface{ Invoke(arg1 string, arg2 int) } = callback.Callback2Func[string, int](nil)
)

func TestCallback0FuncInvoke(t *testing.T) {
	calls := 0
	var cb callback.Callback0Argument = callback.Callback0Func(func() { calls++ })
	cb.Invoke()
	cb.Invoke()
	assert.Equal(t, 2, calls)
}

func TestCallback1FuncInvoke(t *testing.T) {
	var got []string
	var cb callback.Callback1Argument[string] = callback.Callback1Func[string](func(s string) { got = append(got, s) })
	cb.Invoke("a")
	cb.Invoke("b")
	assert.Equal(t, []string{"a", "b"}, got)
}

func TestCallback2FuncInvoke(t *testing.T) {
	type pair struct {
		s string
		n int
	}
	var got []pair
	var cb callback.Callback2Argument[string, int] = callback.Callback2Func[string, int](func(s string, n int) {
		got = append(got, pair{s, n})
	})
	cb.Invoke("a", 1)
	cb.Invoke("b", 2)
	assert.Equal(t, []pair{{"a", 1}, {"b", 2}}, got)
}

func TestBusinessExceptionError(t *testing.T) {
	tests := []struct {
		name string
		e    *callback.BusinessException
		want string
	}{
		{"message", &callback.BusinessException{Code: 401, Message: "websocket: parameter error: x"}, "websocket: parameter error: x"},
		{"message wins over cause", &callback.BusinessException{Code: 401, Message: "m", Err: io.EOF}, "m"},
		{"empty message", &callback.BusinessException{Code: 2302001}, "code 2302001"},
		{"empty message with cause", &callback.BusinessException{Code: 200, Err: io.EOF}, "code 200"},
		{"zero", &callback.BusinessException{}, "code 0"},
		{"negative code", &callback.BusinessException{Code: -1}, "code -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.e.Error())
		})
	}
}

func TestBusinessExceptionUnwrap(t *testing.T) {
	cause := errors.New("cause")
	e := &callback.BusinessException{Code: 200, Message: "failed", Err: cause}
	assert.Same(t, cause, e.Unwrap())
	assert.ErrorIs(t, e, cause)
	assert.Nil(t, (&callback.BusinessException{Code: 200}).Unwrap())
}

func TestBusinessExceptionErrorCode(t *testing.T) {
	assert.Equal(t, int32(2302006), (&callback.BusinessException{Code: 2302006}).ErrorCode())
}

func TestBusinessExceptionIs(t *testing.T) {
	e := &callback.BusinessException{Code: 401, Message: "bad"}
	tests := []struct {
		name   string
		err    error
		target error
		want   bool
	}{
		{"same code", e, codeParameter, true},
		{"other code", e, codeURL, false},
		{"wrapped, same code", fmt.Errorf("ctx: %w", e), codeParameter, true},
		{"twice wrapped, same code", fmt.Errorf("a: %w", fmt.Errorf("b: %w", e)), codeParameter, true},
		{"wrapped, other code", fmt.Errorf("ctx: %w", e), codeURL, false},
		{"target without ErrorCode", e, errors.New("401"), false},
		{"target with ErrorCode of another type", e, otherCoded{}, false},
		{"another exception with the same code", e, &callback.BusinessException{Code: 401}, true},
		{"another exception with another code", e, &callback.BusinessException{Code: 402}, false},
		{"cause reached through Unwrap", &callback.BusinessException{Code: 200, Err: io.EOF}, io.EOF, true},
		{"code of the cause", &callback.BusinessException{Code: 200, Err: codeURL}, codeURL, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, errors.Is(tt.err, tt.target))
		})
	}
}

func TestBusinessExceptionAs(t *testing.T) {
	orig := &callback.BusinessException{Code: 2302001, Message: "websocket: url error", Err: io.EOF}
	wrapped := fmt.Errorf("connect: %w", fmt.Errorf("dial: %w", orig))

	var be *callback.BusinessException
	require.ErrorAs(t, wrapped, &be)
	assert.Same(t, orig, be)
	assert.Equal(t, int32(2302001), be.Code)

	// The cause is reachable through the exception.
	var target interface{ Timeout() bool }
	assert.False(t, errors.As(wrapped, &target), "io.EOF has no Timeout method")
	assert.ErrorIs(t, wrapped, io.EOF)

	// A cause that is itself an exception is found by As after the outer one.
	inner := &callback.BusinessException{Code: 401}
	outer := &callback.BusinessException{Code: 200, Err: inner}
	require.ErrorAs(t, fmt.Errorf("x: %w", outer), &be)
	assert.Same(t, outer, be)
	require.ErrorAs(t, outer.Unwrap(), &be)
	assert.Same(t, inner, be)
}

func TestAsyncErrorError(t *testing.T) {
	tests := []struct {
		name string
		e    callback.AsyncError
		want string
	}{
		{"with error", callback.AsyncError{Code: 401, Err: errors.New("bad argument")}, "bad argument"},
		{"with exception", callback.AsyncError{Code: 401, Err: &callback.BusinessException{Code: 401, Message: "m"}}, "m"},
		{"nil error", callback.AsyncError{Code: 2302999}, "code 2302999"},
		{"zero", callback.AsyncError{}, "code 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.e.Error())
		})
	}
}

func TestAsyncErrorUnwrap(t *testing.T) {
	cause := errors.New("cause")
	assert.Same(t, cause, callback.AsyncError{Code: 1, Err: cause}.Unwrap())
	assert.Nil(t, callback.AsyncError{Code: 1}.Unwrap())
	assert.ErrorIs(t, callback.AsyncError{Err: cause}, cause)
}

func TestAsyncErrorIs(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		target error
		want   bool
	}{
		{"same code", callback.AsyncError{Code: 401}, codeParameter, true},
		{"other code", callback.AsyncError{Code: 401}, codeURL, false},
		{"code 0 is no code", callback.AsyncError{}, codeParameter, false},
		{"wrapped", fmt.Errorf("w: %w", callback.AsyncError{Code: 2302001}), codeURL, true},
		{"target without ErrorCode", callback.AsyncError{Code: 401}, errors.New("x"), false},
		{"target with ErrorCode of another type", callback.AsyncError{Code: 401}, otherCoded{}, false},
		{"code of the wrapped exception", callback.AsyncError{Code: 0, Err: &callback.BusinessException{Code: 401}}, codeParameter, true},
		{"cause", callback.AsyncError{Code: 200, Err: io.EOF}, io.EOF, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, errors.Is(tt.err, tt.target))
		})
	}
}

func TestNewAsyncError(t *testing.T) {
	be := &callback.BusinessException{Code: 2302006, Message: "websocket: connection does not exist"}
	plain := errors.New("plain")
	wrapped := fmt.Errorf("send: %w", be)
	tests := []struct {
		name     string
		err      error
		wantCode int32
	}{
		{"exception", be, 2302006},
		{"wrapped exception", wrapped, 2302006},
		{"exception inside a join", errors.Join(plain, be), 2302006},
		{"plain error", plain, 0},
		{"nil", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ae := callback.NewAsyncError(tt.err)
			assert.Equal(t, tt.wantCode, ae.Code)
			assert.Equal(t, tt.err, ae.Err, "Err is the error as given, not the exception inside it")
			if tt.err != nil {
				assert.Equal(t, tt.err.Error(), ae.Error())
				assert.ErrorIs(t, ae, tt.err)
			}
		})
	}

	t.Run("errors.As reaches the exception", func(t *testing.T) {
		var got *callback.BusinessException
		require.ErrorAs(t, callback.NewAsyncError(wrapped), &got)
		assert.Same(t, be, got)
	})
	t.Run("errors.Is by code", func(t *testing.T) {
		assert.ErrorIs(t, callback.NewAsyncError(wrapped), code(2302006))
		assert.NotErrorIs(t, callback.NewAsyncError(plain), code(2302006))
	})
}

func TestAsyncCallbackExactlyOneSide(t *testing.T) {
	var gotErr mo.Option[callback.AsyncError]
	var gotData mo.Option[bool]
	var cb callback.AsyncCallback[bool] = func(err mo.Option[callback.AsyncError], data mo.Option[bool]) {
		gotErr, gotData = err, data
	}
	cb(mo.None[callback.AsyncError](), mo.Some(true))
	assert.True(t, gotErr.IsAbsent())
	assert.Equal(t, mo.Some(true), gotData)

	cb(mo.Some(callback.NewAsyncError(&callback.BusinessException{Code: 401})), mo.None[bool]())
	require.True(t, gotErr.IsPresent())
	assert.Equal(t, int32(401), gotErr.MustGet().Code)
	assert.True(t, gotData.IsAbsent())
}
