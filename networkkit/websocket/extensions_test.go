package websocket

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExtensionOffer: what each mode offers (package doc, section
// Compression).
func TestExtensionOffer(t *testing.T) {
	assert.Equal(t, "", extensionOffer(CompressionOff))
	assert.Equal(t, "permessage-deflate; client_no_context_takeover; server_no_context_takeover; client_max_window_bits",
		extensionOffer(CompressionNoContextTakeover))
	assert.Equal(t, "permessage-deflate; client_max_window_bits", extensionOffer(CompressionContextTakeover))
}

// TestNegotiate: every answer RFC 7692 allows is accepted with the
// parameters it sets; every answer it forbids is refused with a reason.
func TestNegotiate(t *testing.T) {
	ok := func(client, server bool, cbits, sbits int) deflateParams {
		return deflateParams{on: true, clientNoTakeover: client, serverNoTakeover: server, clientWindowBits: cbits, serverWindowBits: sbits}
	}
	tests := []struct {
		name    string
		mode    CompressionMode
		answers []string
		want    deflateParams
		refused string // part of the reason, "" if accepted
	}{
		{"no answer", CompressionContextTakeover, nil, deflateParams{}, ""},
		{"no answer, off", CompressionOff, nil, deflateParams{}, ""},
		{"plain", CompressionContextTakeover, []string{"permessage-deflate"}, ok(false, false, 15, 15), ""},
		{"case-insensitive name", CompressionContextTakeover, []string{"Permessage-Deflate"}, ok(false, false, 15, 15), ""},
		{"server adds server_no_context_takeover", CompressionContextTakeover,
			[]string{"permessage-deflate; server_no_context_takeover"}, ok(false, true, 15, 15), ""},
		{"server demands client_no_context_takeover", CompressionContextTakeover,
			[]string{"permessage-deflate; client_no_context_takeover"}, ok(true, false, 15, 15), ""},
		{"server drops server_no_context_takeover", CompressionNoContextTakeover,
			[]string{"permessage-deflate; client_no_context_takeover"}, ok(true, false, 15, 15), ""},
		{"server drops both: the client still resets its own", CompressionNoContextTakeover,
			[]string{"permessage-deflate"}, ok(true, false, 15, 15), ""},
		{"full answer", CompressionNoContextTakeover,
			[]string{"permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12; client_max_window_bits=12"},
			ok(true, true, 12, 12), ""},
		{"window bits 8", CompressionContextTakeover, []string{"permessage-deflate; client_max_window_bits=8; server_max_window_bits=8"}, ok(false, false, 8, 8), ""},
		{"window bits quoted", CompressionContextTakeover, []string{`permessage-deflate; client_max_window_bits="10"`}, ok(false, false, 10, 15), ""},
		{"white space", CompressionContextTakeover, []string{"permessage-deflate ;client_max_window_bits = 9 "}, ok(false, false, 9, 15), ""},

		{"extension not offered", CompressionContextTakeover, []string{"x-webkit-deflate-frame"}, deflateParams{}, `extension "x-webkit-deflate-frame", which was not offered`},
		{"extension when off", CompressionOff, []string{"permessage-deflate"}, deflateParams{}, "not offered"},
		{"second extension", CompressionContextTakeover, []string{"permessage-deflate, x-other"}, deflateParams{}, `"x-other"`},
		{"twice in one line", CompressionContextTakeover, []string{"permessage-deflate, permessage-deflate"}, deflateParams{}, "twice"},
		{"twice in two lines", CompressionContextTakeover, []string{"permessage-deflate", "permessage-deflate"}, deflateParams{}, "twice"},
		{"unknown parameter", CompressionContextTakeover, []string{"permessage-deflate; x=1"}, deflateParams{}, `unknown permessage-deflate parameter "x"`},
		{"duplicate parameter", CompressionContextTakeover, []string{"permessage-deflate; server_no_context_takeover; server_no_context_takeover"}, deflateParams{}, "twice"},
		{"duplicate window bits", CompressionContextTakeover, []string{"permessage-deflate; client_max_window_bits=9; client_max_window_bits=10"}, deflateParams{}, "twice"},
		{"takeover with a value", CompressionContextTakeover, []string{"permessage-deflate; client_no_context_takeover=1"}, deflateParams{}, "takes no value"},
		{"client bits without value", CompressionContextTakeover, []string{"permessage-deflate; client_max_window_bits"}, deflateParams{}, "8 to 15"},
		{"server bits without value", CompressionContextTakeover, []string{"permessage-deflate; server_max_window_bits"}, deflateParams{}, "8 to 15"},
		{"bits 7", CompressionContextTakeover, []string{"permessage-deflate; server_max_window_bits=7"}, deflateParams{}, "8 to 15"},
		{"bits 16", CompressionContextTakeover, []string{"permessage-deflate; client_max_window_bits=16"}, deflateParams{}, "8 to 15"},
		{"bits with a leading zero", CompressionContextTakeover, []string{"permessage-deflate; client_max_window_bits=09"}, deflateParams{}, "8 to 15"},
		{"bits not a number", CompressionContextTakeover, []string{"permessage-deflate; client_max_window_bits=ten"}, deflateParams{}, "8 to 15"},
		{"bits negative", CompressionContextTakeover, []string{"permessage-deflate; client_max_window_bits=-9"}, deflateParams{}, "8 to 15"},
		{"malformed: empty parameter", CompressionContextTakeover, []string{"permessage-deflate; ; x"}, deflateParams{}, "malformed"},
		{"malformed: no name", CompressionContextTakeover, []string{"; server_no_context_takeover"}, deflateParams{}, "malformed"},
		{"malformed: unterminated quote", CompressionContextTakeover, []string{`permessage-deflate; client_max_window_bits="10`}, deflateParams{}, "malformed"},
		{"malformed: junk", CompressionContextTakeover, []string{"permessage-deflate junk"}, deflateParams{}, "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := negotiate(tt.mode, tt.answers)
			if tt.refused != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.refused)
				assert.Equal(t, deflateParams{}, got)
				return
			}
			require.NoError(t, err)
			if tt.want.on {
				tt.want.answer = strings.Join(tt.answers, ", ")
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
