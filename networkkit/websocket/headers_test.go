package websocket

// White-box tests of headers.go: ResponseHeaders built from an answer.

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResponseHeaders(t *testing.T) {
	tests := []struct {
		name string
		in   http.Header
		want ResponseHeaders
	}{
		{"nil", nil, UndefinedData{}},
		{"empty", http.Header{}, UndefinedData{}},
		{"one header", http.Header{"Content-Type": {"text/plain"}}, MapData{"content-type": "text/plain"}},
		{"names lower-cased", http.Header{"Upgrade": {"websocket"}, "Sec-WebSocket-Accept": {"abc="}, "X-UPPER": {"1"}},
			MapData{"upgrade": "websocket", "sec-websocket-accept": "abc=", "x-upper": "1"}},
		{"values kept as they are", http.Header{"X-A": {"Mixed Case, Value"}}, MapData{"x-a": "Mixed Case, Value"}},
		{"repeated values joined with comma", http.Header{"X-A": {"1", "2", "3"}}, MapData{"x-a": "1,2,3"}},
		{"Set-Cookie joined with semicolon", http.Header{"Set-Cookie": {"a=1", "b=2"}}, MapData{"set-cookie": "a=1;b=2"}},
		{"Cookie joined with semicolon", http.Header{"Cookie": {"a=1", "b=2"}}, MapData{"cookie": "a=1;b=2"}},
		{"one Set-Cookie", http.Header{"Set-Cookie": {"a=1; Path=/"}}, MapData{"set-cookie": "a=1; Path=/"}},
		{"empty value", http.Header{"X-Empty": {""}}, MapData{"x-empty": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, responseHeaders(tt.in))
		})
	}
}

func TestResponseHeadersMergesSpellings(t *testing.T) {
	tests := []struct {
		name string
		in   http.Header
		key  string
		sep  string
		want []string
	}{
		{"two spellings", http.Header{"X-A": {"1"}, "x-a": {"2"}}, "x-a", ",", []string{"1", "2"}},
		{"three spellings, repeated", http.Header{"X-A": {"1", "2"}, "x-a": {"3"}, "X-a": {"4"}}, "x-a", ",", []string{"1", "2", "3", "4"}},
		{"Set-Cookie spellings", http.Header{"Set-Cookie": {"a=1"}, "set-cookie": {"b=2"}}, "set-cookie", ";", []string{"a=1", "b=2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := responseHeaders(tt.in)
			m, ok := got.(MapData)
			require.True(t, ok, "got %T", got)
			assert.Len(t, m, 1)
			// The order of the spellings is not defined; all values are kept.
			assert.ElementsMatch(t, tt.want, strings.Split(m[tt.key], tt.sep))
		})
	}
}

func TestResponseHeadersDoesNotModifyInput(t *testing.T) {
	in := http.Header{"X-A": {"1"}, "x-a": {"2"}, "Set-Cookie": {"a=1", "b=2"}}
	before := in.Clone()
	responseHeaders(in)
	assert.Equal(t, before, in)
}

func TestResponseHeadersString(t *testing.T) {
	tests := []struct {
		name string
		h    ResponseHeaders
		want string
	}{
		{"MapData sorted", MapData{"b": "2", "a": "1", "c": "x,y"}, "{a: 1, b: 2, c: x,y}"},
		{"MapData one", MapData{"upgrade": "websocket"}, "{upgrade: websocket}"},
		{"MapData empty", MapData{}, "{}"},
		{"MapData nil", MapData(nil), "{}"},
		{"ArrayStringData", ArrayStringData{"a", "b"}, "[a, b]"},
		{"ArrayStringData one", ArrayStringData{"a"}, "[a]"},
		{"ArrayStringData empty", ArrayStringData{}, "[]"},
		{"UndefinedData", UndefinedData{}, "undefined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.h.String())
			assert.Equal(t, tt.want, fmt.Sprint(tt.h))
		})
	}
}
