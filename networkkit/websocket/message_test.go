package websocket

// White-box tests of message.go: MessageData values.

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMessageDataString(t *testing.T) {
	tests := []struct {
		name string
		d    MessageData
		want string
	}{
		{"StringData", StringData("hello"), "hello"},
		{"StringData empty", StringData(""), ""},
		{"StringData UTF-8", StringData("你好"), "你好"},
		{"ArrayData", ArrayData{1, 2, 3}, "[1, 2, 3]"},
		{"ArrayData one", ArrayData{42}, "[42]"},
		{"ArrayData extremes", ArrayData{0, 255}, "[0, 255]"},
		{"ArrayData empty", ArrayData{}, "[]"},
		{"ArrayData nil", ArrayData(nil), "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.d.String())
			assert.Equal(t, tt.want, fmt.Sprint(tt.d))
		})
	}
}
