package websocket

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestUTF8ValidatorAgreesWithStdlibAtEverySplit(t *testing.T) {
	inputs := [][]byte{
		[]byte("κόσμε"), []byte("Hello-µ@ßöäüàá-UTF-8!!"), []byte("\U0001F600 ok"),
		{0xf4, 0x8f, 0xbf, 0xbf}, {0xf4, 0x90, 0x80, 0x80}, {0xed, 0xa0, 0x80}, {0xed, 0x9f, 0xbf},
		{0xc0, 0xaf}, {0xe0, 0x80, 0xaf}, {0xf0, 0x80, 0x80, 0xaf}, {0xe0, 0xa0, 0x80},
		{0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80, 0x65, 0x64, 0x69, 0x74, 0x65, 0x64},
		{0x80}, {0xbf}, {0xfe}, {0xff}, {0xc2}, {0xe1, 0x80}, {0xf1, 0x80, 0x80}, {},
	}
	for _, in := range inputs {
		want := utf8.Valid(in)
		for i := 0; i <= len(in); i++ {
			for j := i; j <= len(in); j++ {
				var v utf8Validator
				got := v.write(in[:i]) && v.write(in[i:j]) && v.write(in[j:]) && v.done()
				assert.Equal(t, want, got, "%x split at %d,%d", in, i, j)
			}
		}
	}
}

func TestUTF8ValidatorFailsFast(t *testing.T) {
	tests := []struct {
		name  string
		piece []byte
	}{
		{"lone continuation", []byte{0x80}},
		{"overlong lead", []byte{0xc0}},
		{"surrogate second byte", []byte{0xed, 0xa0}},
		{"past U+10FFFF", []byte{0xf4, 0x90}},
		{"invalid lead", []byte{0xf8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v utf8Validator
			assert.True(t, v.write([]byte("valid start ")))
			assert.False(t, v.write(tt.piece), "must fail on this piece, before the message ends")
		})
	}
}
