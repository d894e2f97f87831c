package option_test

import (
	"strconv"
	"testing"

	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"

	"github.com/cangjie-go/ohos/option"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		name     string
		o        mo.Option[int]
		want     string
		wantSome int
		wantNone int
	}{
		{"some", mo.Some(7), "some 7", 1, 0},
		{"some zero value", mo.Some(0), "some 0", 1, 0},
		{"none", mo.None[int](), "none", 0, 1},
		{"zero Option is none", mo.Option[int]{}, "none", 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			someCalls, noneCalls := 0, 0
			got := option.Match(tt.o,
				func(v int) string { someCalls++; return "some " + strconv.Itoa(v) },
				func() string { noneCalls++; return "none" })
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.wantSome, someCalls, "calls of some")
			assert.Equal(t, tt.wantNone, noneCalls, "calls of none")
		})
	}
}

func TestMatchResultType(t *testing.T) {
	// The result type differs from the value type.
	n := option.Match(mo.Some("abc"), func(s string) int { return len(s) }, func() int { return -1 })
	assert.Equal(t, 3, n)
	n = option.Match(mo.None[string](), func(s string) int { return len(s) }, func() int { return -1 })
	assert.Equal(t, -1, n)
}

func TestOrElseGet(t *testing.T) {
	tests := []struct {
		name      string
		o         mo.Option[string]
		want      string
		wantCalls int
	}{
		{"present: fallback not called", mo.Some("v"), "v", 0},
		{"present empty string: fallback not called", mo.Some(""), "", 0},
		{"absent: fallback called once", mo.None[string](), "fallback", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			got := option.OrElseGet(tt.o, func() string { calls++; return "fallback" })
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.wantCalls, calls)
		})
	}
}

func TestCoalesce(t *testing.T) {
	some := mo.Some[int]
	none := mo.None[int]
	tests := []struct {
		name string
		opts []mo.Option[int]
		want mo.Option[int]
	}{
		{"no arguments", nil, none()},
		{"all none", []mo.Option[int]{none(), none(), none()}, none()},
		{"first", []mo.Option[int]{some(1), some(2), none()}, some(1)},
		{"middle", []mo.Option[int]{none(), some(2), some(3)}, some(2)},
		{"last", []mo.Option[int]{none(), none(), some(3)}, some(3)},
		{"present zero value counts", []mo.Option[int]{none(), some(0), some(3)}, some(0)},
		{"single some", []mo.Option[int]{some(9)}, some(9)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := option.Coalesce(tt.opts...)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.want.IsPresent(), got.IsPresent())
		})
	}
}
