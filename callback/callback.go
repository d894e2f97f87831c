package callback

import "github.com/samber/mo"

// Callback0Argument is a callback that takes no argument, like the
// platform's dataEnd listener.
type Callback0Argument interface {
	Invoke()
}

// Callback1Argument is a callback that takes one argument.
type Callback1Argument[A any] interface {
	Invoke(arg A)
}

// Callback2Argument is a callback that takes two arguments.
type Callback2Argument[A, B any] interface {
	Invoke(arg1 A, arg2 B)
}

// Callback0Func adapts an ordinary function to [Callback0Argument].
type Callback0Func func()

// Invoke calls f().
func (f Callback0Func) Invoke() { f() }

// Callback1Func adapts an ordinary function to [Callback1Argument].
type Callback1Func[A any] func(arg A)

// Invoke calls f(arg).
func (f Callback1Func[A]) Invoke(arg A) { f(arg) }

// Callback2Func adapts an ordinary function to [Callback2Argument].
type Callback2Func[A, B any] func(arg1 A, arg2 B)

// Invoke calls f(arg1, arg2).
func (f Callback2Func[A, B]) Invoke(arg1 A, arg2 B) { f(arg1, arg2) }

// AsyncCallback receives the outcome of an asynchronous call: exactly one of
// err and data is present. It is the platform's
// AsyncCallback<T> = (Option<AsyncError>, Option<T>) -> Unit.
type AsyncCallback[T any] func(err mo.Option[AsyncError], data mo.Option[T])
