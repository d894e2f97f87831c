package websocket

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// ResponseHeaders is the handshake response's header, as the headerReceive
// event delivers it. It is one of:
//
//	MapData          header name (lower case) → value
//	ArrayStringData  a list of strings (declared by the platform; never produced)
//	UndefinedData    the response had no header
type ResponseHeaders interface {
	// String returns the header as "{name: value, ...}" with names sorted,
	// the list as "[a, b]", or "undefined".
	String() string
	isResponseHeaders()
}

// MapData maps each lower-cased header name to its value. A header that
// appeared more than once has its values joined with "," (Set-Cookie and
// Cookie with ";"), as the platform does.
type MapData map[string]string

// ArrayStringData is a list of header strings. The platform declares this
// variant; neither the platform nor this package produces it.
type ArrayStringData []string

// UndefinedData stands for a response without any header.
type UndefinedData struct{}

func (MapData) isResponseHeaders()         {}
func (ArrayStringData) isResponseHeaders() {}
func (UndefinedData) isResponseHeaders()   {}

// String returns the map as "{a: 1, b: 2}" with names sorted.
func (m MapData) String() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s: %s", k, m[k])
	}
	b.WriteByte('}')
	return b.String()
}

// String returns the list as "[a, b]".
func (a ArrayStringData) String() string { return "[" + strings.Join(a, ", ") + "]" }

// String returns "undefined".
func (UndefinedData) String() string { return "undefined" }

// responseHeaders converts an HTTP response header to the value the
// headerReceive event delivers.
func responseHeaders(h http.Header) ResponseHeaders {
	if len(h) == 0 {
		return UndefinedData{}
	}
	m := make(MapData, len(h))
	for name, values := range h {
		name = strings.ToLower(name)
		sep := ","
		if name == "set-cookie" || name == "cookie" {
			sep = ";"
		}
		if prev, ok := m[name]; ok { // two spellings of one name
			values = append([]string{prev}, values...)
		}
		m[name] = strings.Join(values, sep)
	}
	return m
}
