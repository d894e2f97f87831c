// Package callback is the Go home of the platform's ohos.base module: the
// callback interfaces that event registration takes, the asynchronous
// callback type that Connect, Send and Close complete, and the error types
// they report with.
//
// # Callbacks
//
// [Callback0Argument], [Callback1Argument] and [Callback2Argument] each have
// one Invoke method, like the Cangjie classes of the same names. Any Go type
// with the right Invoke method is a callback; [Callback0Func],
// [Callback1Func] and [Callback2Func] adapt a plain function, in the manner of
// net/http's HandlerFunc.
//
// Where a callback must later be found again (an Off call removes the
// callback it is given), identity is by reference: a pointer, or a function
// value, is the same callback as long as it is the same pointer or the same
// function value. Two function literals with the same body are different
// callbacks.
//
// # Errors
//
// [BusinessException] is the platform's exception: a numeric code and a
// message. It is an ordinary Go error: use [errors.As] to get it and
// [errors.Is] to compare its code with a typed code constant (any error
// value with an ErrorCode() int32 method, such as websocket.ErrURL).
//
// [AsyncError] is what an [AsyncCallback] receives when the asynchronous call
// failed: its Code is the failure's code and its Err the full failure.
//
// # Mapping from Cangjie
//
//	Cangjie (ohos.base)                    Go (package callback)
//	Callback0Argument                      Callback0Argument, Callback0Func
//	Callback1Argument<A>                   Callback1Argument[A], Callback1Func[A]
//	Callback2Argument<A, B>                Callback2Argument[A, B], Callback2Func[A, B]
//	CallbackObject                         any value with an Invoke method
//	AsyncError                             AsyncError
//	AsyncCallback<T>                       AsyncCallback[T]
//	BusinessException(code, msg)           *BusinessException{Code, Message, Err}
//	Option<T> argument                     mo.Option[T] (github.com/samber/mo)
package callback
