package callback

import (
	"errors"
	"strconv"
)

// BusinessException is the platform's exception: a numeric code, a message
// and, when there is one, the Go error that caused it.
//
// errors.Is(e, target) reports whether target is a code with the same
// number: target must have an ErrorCode() int32 method (websocket.ErrorCode
// has). errors.As reaches the cause through [BusinessException.Unwrap].
type BusinessException struct {
	// Code is the platform's error code, for example 401 or 2302001.
	Code int32
	// Message says what happened, in words a person can act on.
	Message string
	// Err is the underlying error, or nil.
	Err error
}

// Error returns the message, or "code N" when the message is empty.
func (e *BusinessException) Error() string {
	if e.Message == "" {
		return "code " + strconv.Itoa(int(e.Code))
	}
	return e.Message
}

// Unwrap returns the underlying error, or nil.
func (e *BusinessException) Unwrap() error { return e.Err }

// Is reports whether target is a code equal to e.Code.
func (e *BusinessException) Is(target error) bool {
	c, ok := target.(interface{ ErrorCode() int32 })
	return ok && c.ErrorCode() == e.Code
}

// ErrorCode returns e.Code.
func (e *BusinessException) ErrorCode() int32 { return e.Code }

// AsyncError is the failure an [AsyncCallback] receives: the platform's
// AsyncError (which has only a code) plus the full error behind it.
type AsyncError struct {
	// Code is the failure's platform error code.
	Code int32
	// Err is the failure in full, usually a *BusinessException; it may be nil.
	Err error
}

// NewAsyncError returns the AsyncError that reports err. If err is, or wraps,
// a [BusinessException], its code is used; otherwise the code is 0.
func NewAsyncError(err error) AsyncError {
	var be *BusinessException
	if errors.As(err, &be) {
		return AsyncError{Code: be.Code, Err: err}
	}
	return AsyncError{Err: err}
}

// Error returns the message of Err, or "code N" when Err is nil.
func (e AsyncError) Error() string {
	if e.Err == nil {
		return "code " + strconv.Itoa(int(e.Code))
	}
	return e.Err.Error()
}

// Unwrap returns Err.
func (e AsyncError) Unwrap() error { return e.Err }

// Is reports whether target is a code equal to e.Code.
func (e AsyncError) Is(target error) bool {
	c, ok := target.(interface{ ErrorCode() int32 })
	return ok && c.ErrorCode() == e.Code
}
