package callback_test

import (
	"errors"
	"fmt"

	"github.com/samber/mo"

	"github.com/cangjie-go/ohos/callback"
)

func ExampleCallback0Func() {
	var cb callback.Callback0Argument = callback.Callback0Func(func() {
		fmt.Println("data end")
	})
	cb.Invoke()
	// Output: data end
}

func ExampleCallback1Func() {
	var cb callback.Callback1Argument[string] = callback.Callback1Func[string](func(s string) {
		fmt.Println("got", s)
	})
	cb.Invoke("hello")
	// Output: got hello
}

func ExampleCallback2Func() {
	var cb callback.Callback2Argument[string, int] = callback.Callback2Func[string, int](func(name string, n int) {
		fmt.Printf("%s=%d\n", name, n)
	})
	cb.Invoke("answer", 42)
	// Output: answer=42
}

// errorCode stands for a package's typed error code, such as
// websocket.ErrorCode.
type errorCode int32

func (c errorCode) Error() string    { return fmt.Sprintf("error %d", int32(c)) }
func (c errorCode) ErrorCode() int32 { return int32(c) }

const errParameter errorCode = 401

func ExampleBusinessException() {
	var err error = fmt.Errorf("on: %w", &callback.BusinessException{
		Code:    401,
		Message: "websocket: parameter error: callback is nil",
	})

	// Compare the code with errors.Is ...
	fmt.Println(errors.Is(err, errParameter))

	// ... or get the exception with errors.As.
	var be *callback.BusinessException
	if errors.As(err, &be) {
		fmt.Println(be.Code, be.Message)
	}
	// Output:
	// true
	// 401 websocket: parameter error: callback is nil
}

func ExampleNewAsyncError() {
	cause := &callback.BusinessException{Code: 2302006, Message: "websocket: connection does not exist"}
	ae := callback.NewAsyncError(fmt.Errorf("send: %w", cause))
	fmt.Println(ae.Code)
	fmt.Println(ae)

	// An error that is no BusinessException has code 0.
	fmt.Println(callback.NewAsyncError(errors.New("something else")).Code)
	// Output:
	// 2302006
	// send: websocket: connection does not exist
	// 0
}

func ExampleAsyncCallback() {
	var done callback.AsyncCallback[bool] = func(err mo.Option[callback.AsyncError], ok mo.Option[bool]) {
		if e, failed := err.Get(); failed {
			fmt.Println("failed with code", e.Code)
			return
		}
		fmt.Println("done:", ok.MustGet())
	}
	done(mo.None[callback.AsyncError](), mo.Some(true))
	done(mo.Some(callback.AsyncError{Code: 2302999}), mo.None[bool]())
	// Output:
	// done: true
	// failed with code 2302999
}
