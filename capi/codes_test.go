//go:build cgo

package main

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

func TestErrCodeValues(t *testing.T) {
	tests := []struct {
		code errCode
		want int32
	}{
		{errOK, 0},
		{errClientNull, 1001},
		{errClientNotCreated, 1002},
		{errConnection, 1003},
		{errParseURL, 1005},
		{errProtocol, 1009},
		{errSendDataNull, 1011},
		{errDataLengthExceeded, 1012},
		{errQueueLengthExceeded, 1013},
		{errNoHeaderContext, 1015},
		{errHeaderExceeded, 1016},
		{errNoConnection, 1017},
		{errNoConnectionContext, 1018},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, int32(tt.code))
	}
}

// exception returns the library's error for code.
func exception(code websocket.ErrorCode, cause error) error {
	return &callback.BusinessException{Code: int32(code), Message: code.Error(), Err: cause}
}

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		name string
		f    func(error) errCode
		err  error
		want errCode
	}{
		{"connect ok", connectCode, nil, errOK},
		{"connect url", connectCode, exception(websocket.ErrURL, nil), errParseURL},
		{"connect bad header", connectCode, exception(websocket.ErrParameter, nil), errProtocol},
		{"connect exists", connectCode, exception(websocket.ErrConnectionExists, nil), errConnection},
		{"connect wrapped url", connectCode, fmt.Errorf("x: %w", exception(websocket.ErrURL, nil)), errParseURL},
		{"connect other", connectCode, fmt.Errorf("boom"), errConnection},
		{"send ok", sendCode, nil, errOK},
		{"send not connected", sendCode, exception(websocket.ErrConnectionNotExist, nil), errNoConnection},
		{"send queue full", sendCode, exception(websocket.ErrUnknown, websocket.ErrSendQueueFull), errQueueLengthExceeded},
		{"send other", sendCode, exception(websocket.ErrUnknown, nil), errConnection},
		{"close ok", closeCode, nil, errOK},
		{"close bad code", closeCode, exception(websocket.ErrParameter, nil), errProtocol},
		{"close not connected", closeCode, exception(websocket.ErrUnknown, nil), errNoConnection},
		{"close other", closeCode, fmt.Errorf("boom"), errConnection},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.f(tt.err))
		})
	}
}

func TestMessageData(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want websocket.MessageData
	}{
		{"ascii", []byte("hello"), websocket.StringData("hello")},
		{"utf8", []byte("héllo"), websocket.StringData("héllo")},
		{"empty", []byte{}, websocket.StringData("")},
		{"nul", []byte("a\x00b"), websocket.ArrayData("a\x00b")},
		{"trailing nul", []byte("ab\x00"), websocket.ArrayData("ab\x00")},
		{"invalid utf8", []byte{0xff, 0xfe}, websocket.ArrayData{0xff, 0xfe}},
		{"cut utf8", []byte("h\xc3"), websocket.ArrayData("h\xc3")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, messageData(tt.data))
		})
	}
}

func TestHeaderMap(t *testing.T) {
	tests := []struct {
		name   string
		fields []field
		want   map[string]string
	}{
		{"none", nil, nil},
		{"one", []field{{"X-A", "1"}}, map[string]string{"X-A": "1"}},
		{"spelling kept", []field{{"x-lower", "1"}, {"Content-Type", "a/b"}},
			map[string]string{"x-lower": "1", "Content-Type": "a/b"}},
		{"repeated", []field{{"X-A", "1"}, {"X-A", "2"}}, map[string]string{"X-A": "1, 2"}},
		{"repeated in other case", []field{{"x-a", "1"}, {"X-B", "b"}, {"X-A", "2"}, {"X-a", ""}},
			map[string]string{"x-a": "1, 2, ", "X-B": "b"}},
		{"empty value", []field{{"X-E", ""}}, map[string]string{"X-E": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, headerMap(tt.fields))
		})
	}
}
