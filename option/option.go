// Package option holds the few helpers that Cangjie-style ?T code needs and
// github.com/samber/mo does not have. Optional values themselves are
// mo.Option; this package defines no second Option type.
//
//	Cangjie                                  Go
//	?T, Some(v), None                        mo.Option[T], mo.Some(v), mo.None[T]()
//	a ?? b            (b a plain value)      a.OrElse(b)
//	a ?? f()          (f evaluated lazily)   option.OrElseGet(a, f)
//	a ?? b            (b also optional)      option.Coalesce(a, b)
//	match (a) { case Some(v) => x            option.Match(a, func(v T) R { return x },
//	            case None => y }                          func() R { return y })
//	if (let Some(v) <- a) { ... }            if v, ok := a.Get(); ok { ... }
package option

import "github.com/samber/mo"

// Match returns some(v) when o holds v, and none() when o is empty. It is
// Cangjie's match expression over an Option, with a result of any type.
func Match[T, R any](o mo.Option[T], some func(T) R, none func() R) R {
	if v, ok := o.Get(); ok {
		return some(v)
	}
	return none()
}

// OrElseGet returns the value of o, or calls fallback when o is empty.
// Unlike mo.Option.OrElse, fallback runs only when it is needed.
func OrElseGet[T any](o mo.Option[T], fallback func() T) T {
	if v, ok := o.Get(); ok {
		return v
	}
	return fallback()
}

// Coalesce returns the first of opts that holds a value, or an empty Option.
func Coalesce[T any](opts ...mo.Option[T]) mo.Option[T] {
	for _, o := range opts {
		if o.IsPresent() {
			return o
		}
	}
	return mo.None[T]()
}
