package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The compression workloads: the permessage-deflate mode a workload
// negotiates, the JSON its messages carry, and the count of the bytes that
// cross the socket.

// compression is the permessage-deflate mode (RFC 7692) a workload
// negotiates, in both directions.
type compression uint8

const (
	zOff        compression = iota // no extension offered: each library's default
	zTakeover                      // context takeover both ways, 32 KiB windows
	zNoTakeover                    // server_no_context_takeover and client_no_context_takeover
)

func (z compression) String() string {
	switch z {
	case zTakeover:
		return "context takeover"
	case zNoTakeover:
		return "no context takeover"
	}
	return "off"
}

// path is where the echo server serves the mode (server.go): "/" is the
// uncompressed gorilla echo of the other workloads, the others a gws echo
// that negotiates exactly this mode.
func (z compression) path() string {
	switch z {
	case zTakeover:
		return "/z"
	case zNoTakeover:
		return "/zn"
	}
	return "/"
}

// supports says whether an implementation can negotiate z, and so runs the
// workloads that use it. The C client offers no extension; gorilla's client
// only offers (and only accepts) no context takeover.
func supports(impl string, z compression) bool {
	switch impl {
	case "lws":
		return z == zOff
	case "gorilla":
		return z != zTakeover
	}
	return true
}

// Compression settings every client uses, so that the figures compare the
// implementations and not their defaults: flate's fastest level, and every
// message compressed however small. The JSON messages are ≥ 1 KiB, above
// every library's default threshold (this library 256 B, gws 512 B, coder
// 128 B or 512 B), but a threshold of 1 takes the question away. coder and
// gorilla have level 1 as their default (coder has no other).
const (
	zLevel     = 1
	zThreshold = 1
)

// checkAnswer checks the server's Sec-WebSocket-Extensions answer: one
// permessage-deflate in mode z with full 32 KiB windows. Every client
// checks it after its handshake, so that a library that silently fell back
// to another mode (or to none) fails the run instead of being measured in
// it.
func (z compression) checkAnswer(ext string) error {
	if z == zOff {
		if strings.TrimSpace(ext) != "" {
			return fmt.Errorf("extension %q negotiated, none offered", ext)
		}
		return nil
	}
	elems := strings.Split(ext, ",")
	if len(elems) != 1 {
		return fmt.Errorf("want one permessage-deflate (%s), the server answered %q", z, ext)
	}
	params := strings.Split(elems[0], ";")
	if strings.TrimSpace(params[0]) != "permessage-deflate" {
		return fmt.Errorf("want permessage-deflate (%s), the server answered %q", z, ext)
	}
	var snct, cnct bool
	for _, p := range params[1:] {
		name, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch name {
		case "server_no_context_takeover":
			snct = true
		case "client_no_context_takeover":
			cnct = true
		case "server_max_window_bits", "client_max_window_bits":
			if v := strings.Trim(strings.TrimSpace(val), `"`); v != "" && v != "15" {
				return fmt.Errorf("the server limited a window (%q): the modes compare 32 KiB windows", ext)
			}
		}
	}
	if want := z == zNoTakeover; snct != want || cnct != want {
		return fmt.Errorf("want %s, the server answered %q", z, ext)
	}
	return nil
}

// ---- the messages: realistic JSON ----

// jsonRing returns count different JSON documents of exactly size bytes,
// the same on every run and in every client (seeded by size and index).
// Each is a page of an API's answer: user records (ids, names, e-mail
// addresses, URLs, ISO timestamps, nested objects, booleans, floats, tags)
// and activity events, drawn from small vocabularies with random numbers,
// so that a stream of them shrinks 3–8× through flate with a 32 KiB window
// (compress_test.go checks it), as typical API traffic does, and not 100×
// as a repeated string would.
//
// A stream sends ring[i % count] as message i. count should make the ring
// larger than the 32 KiB window, so that with context takeover a message is
// never compressed against its own earlier copy: what the window holds is
// recent records of the same shape, as in an application's stream.
func jsonRing(size, count int) [][]byte {
	ring := make([][]byte, count)
	for i := range ring {
		rng := rand.New(rand.NewPCG(uint64(size), uint64(i)))
		ring[i] = jsonDoc(rng, size, i*10000)
	}
	return ring
}

// zRingLen is the number of different messages of a compressed stream
// workload: at least 128 KiB of them, and at least 4.
func zRingLen(size int) int {
	return max(4, (128<<10)/max(size, 1))
}

var (
	firstNames = []string{"Olivia", "Liam", "Emma", "Noah", "Ava", "Mateo", "Sofia", "Lucas", "Mia", "Elias",
		"Hana", "Yuki", "Wei", "Jun", "Priya", "Arjun", "Fatima", "Omar", "Chloe", "Leon", "Ines", "Tomas",
		"Freya", "Oskar", "Nadia", "Ivan", "Zara", "Kofi", "Amara", "Diego"}
	lastNames = []string{"Smith", "Garcia", "Müller", "Rossi", "Dubois", "Kowalski", "Novak", "Silva", "Tanaka",
		"Kim", "Nguyen", "Chen", "Wang", "Patel", "Singh", "Haddad", "Okafor", "Mensah", "Jensen", "Larsen",
		"Svensson", "Virtanen", "Popescu", "Horvat", "Costa", "Moreau", "Schmidt", "Ivanova", "Reyes", "Brown"}
	domains = []string{"example.com", "mail.example.org", "corp.example.net", "example.co.uk", "users.example.io", "example.de"}
	streets = []string{"Main Street", "Station Road", "Harbour Lane", "Elm Avenue", "Mill Road", "Church Street",
		"Park Avenue", "King's Road", "Lake View", "Garden Close", "Bridge Street", "Market Square"}
	cities = []string{"Amsterdam", "Berlin", "Lisbon", "Oslo", "Prague", "Vienna", "Madrid", "Dublin", "Helsinki",
		"Warsaw", "Tallinn", "Ljubljana", "Zagreb", "Bucharest", "Copenhagen", "Zurich"}
	countries = []string{"NL", "DE", "PT", "NO", "CZ", "AT", "ES", "IE", "FI", "PL", "EE", "SI", "HR", "RO", "DK", "CH"}
	tagWords  = []string{"beta", "premium", "trial", "verified", "staff", "partner", "newsletter", "mobile", "desktop",
		"api", "legacy", "eu", "priority", "support", "billing", "sso"}
	plans      = []string{"free", "basic", "pro", "team", "enterprise"}
	roles      = []string{"owner", "member", "member", "member", "viewer"}
	orgs       = []string{"Acme Logistics", "Northwind Traders", "Globex", "Initech", "Umbrella Health", "Stark Studio"}
	noteWords  = []string{"the", "order", "was", "shipped", "after", "a", "short", "delay", "customer", "asked", "for", "invoice", "copy", "and", "updated", "address", "payment", "received", "via", "card", "ticket", "closed", "reopened", "pending", "review", "by", "support", "team", "on", "request"}
	jsonEpoch  = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	yearInSecs = int64(365 * 24 * 3600)
)

// record is one element of a JSON document (field order is encoding/json's:
// the struct's).
type record struct {
	ID        int      `json:"id"`
	Login     string   `json:"login"`
	Name      string   `json:"name"`
	Email     string   `json:"email"`
	URL       string   `json:"url"`
	AvatarURL string   `json:"avatar_url"`
	Active    bool     `json:"active"`
	Role      string   `json:"role"`
	Plan      string   `json:"plan"`
	Balance   float64  `json:"balance"`
	Score     float64  `json:"score"`
	Logins    int      `json:"logins"`
	CreatedAt string   `json:"created_at"`
	LastSeen  string   `json:"last_seen"`
	Tags      []string `json:"tags"`
	Address   struct {
		Street  string  `json:"street"`
		City    string  `json:"city"`
		Zip     string  `json:"zip"`
		Country string  `json:"country"`
		Lat     float64 `json:"lat"`
		Lon     float64 `json:"lon"`
	} `json:"address"`
	Org struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	} `json:"org"`
	Permissions struct {
		Read  bool `json:"read"`
		Write bool `json:"write"`
		Admin bool `json:"admin"`
	} `json:"permissions"`
	Prefs struct {
		Newsletter bool   `json:"newsletter"`
		Theme      string `json:"theme"`
		Locale     string `json:"locale"`
		Timezone   string `json:"timezone"`
	} `json:"prefs"`
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func newRecord(rng *rand.Rand, id int) record {
	var r record
	first, last := pick(rng, firstNames), pick(rng, lastNames)
	r.ID = id
	r.Login = strings.ToLower(first[:1]+last) + strconv.Itoa(rng.IntN(100))
	r.Name = first + " " + last
	r.Email = strings.ToLower(first) + "." + strings.ToLower(last) + "@" + pick(rng, domains)
	r.URL = "https://api.example.com/v2/users/" + strconv.Itoa(id)
	r.AvatarURL = "https://cdn.example.com/avatars/" + strconv.Itoa(id) + ".png"
	r.Active = rng.IntN(4) != 0
	r.Role = pick(rng, roles)
	r.Plan = pick(rng, plans)
	r.Balance = float64(rng.IntN(100_000)) / 100
	r.Score = float64(rng.IntN(1000)) / 10
	r.Logins = rng.IntN(500)
	created := jsonEpoch.Add(time.Duration(rng.Int64N(yearInSecs)) * time.Second)
	r.CreatedAt = created.Format(time.RFC3339)
	r.LastSeen = created.Add(time.Duration(rng.Int64N(yearInSecs/4)) * time.Second).Format(time.RFC3339)
	for range rng.IntN(4) {
		r.Tags = append(r.Tags, pick(rng, tagWords))
	}
	if r.Tags == nil {
		r.Tags = []string{}
	}
	c := rng.IntN(len(cities))
	r.Address.Street = strconv.Itoa(1+rng.IntN(200)) + " " + pick(rng, streets)
	r.Address.City, r.Address.Country = cities[c], countries[c]
	r.Address.Zip = fmt.Sprintf("%05d", rng.IntN(100000))
	r.Address.Lat = float64(rng.IntN(300_000)+350_000) / 10000
	r.Address.Lon = float64(rng.IntN(350_000)-100_000) / 10000
	o := rng.IntN(len(orgs))
	r.Org.ID, r.Org.Name = 100+o, orgs[o]
	r.Permissions.Read = true
	r.Permissions.Write = r.Role != "viewer"
	r.Permissions.Admin = r.Role == "owner"
	r.Prefs.Newsletter = rng.IntN(2) == 0
	r.Prefs.Theme = pick(rng, []string{"light", "dark", "system"})
	r.Prefs.Locale = pick(rng, []string{"en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "pt-PT", "nl-NL", "fi-FI"})
	r.Prefs.Timezone = pick(rng, []string{"Europe/Berlin", "Europe/Lisbon", "Europe/Helsinki", "UTC", "America/New_York"})
	return r
}

// event is the small kind of element of a document: an activity log entry.
type event struct {
	At     string `json:"at"`
	User   int    `json:"user"`
	Kind   string `json:"kind"`
	OK     bool   `json:"ok"`
	Millis int    `json:"ms"`
}

func newEvent(rng *rand.Rand, firstID int) event {
	return event{
		At:     jsonEpoch.Add(time.Duration(rng.Int64N(yearInSecs*1000)) * time.Millisecond).Format("2006-01-02T15:04:05.000Z07:00"),
		User:   firstID + rng.IntN(200),
		Kind:   pick(rng, []string{"login", "logout", "view", "search", "purchase", "update"}),
		OK:     rng.IntN(10) != 0,
		Millis: rng.IntN(900) + 5,
	}
}

// jsonDoc is one document of exactly size bytes, a page of an API's
// answer: a header, as many user records as fit, then as many activity
// events as fit, then a note (words) that fills the rest, less than an
// event's length.
func jsonDoc(rng *rand.Rand, size, firstID int) []byte {
	doc := fmt.Appendf(nil, `{"type":"users.page","seq":%d,"generated_at":%q,"users":[`, firstID,
		jsonEpoch.Add(time.Duration(rng.Int64N(yearInSecs))*time.Second).Format(time.RFC3339))
	const tail = `],"events":[],"note":""}` // what must still fit after the users
	// fits appends v, a comma before it unless it is the list's first, if
	// the document can still be closed after it.
	fits := func(v any, first bool, reserve int) bool {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		if !first {
			b = append([]byte{','}, b...)
		}
		if len(doc)+len(b)+reserve > size {
			return false
		}
		doc = append(doc, b...)
		return true
	}
	for i := 0; fits(newRecord(rng, firstID+i), i == 0, len(tail)); i++ {
	}
	doc = append(doc, `],"events":[`...)
	for i := 0; fits(newEvent(rng, firstID), i == 0, len(`],"note":""}`)); i++ {
	}
	doc = append(doc, `],"note":"`...)
	room := size - len(doc) - len(`"}`)
	var note []byte
	for len(note) < room {
		if len(note) > 0 {
			note = append(note, ' ')
		}
		note = append(note, pick(rng, noteWords)...)
	}
	doc = append(doc, note[:max(room, 0)]...)
	doc = append(doc, `"}`...)
	if len(doc) != size {
		panic(fmt.Sprintf("jsonDoc: %d bytes, want %d", len(doc), size))
	}
	return doc
}

// ---- bytes on the wire ----

// wireCounter counts the bytes read from and written to the sockets it
// dialed: what crossed the TCP connection (WebSocket frames, masks and the
// handshake; not TCP/IP headers). The compression workloads dial every
// connection through the process's one counter, wire, for every
// implementation (the same wrapper, the same cost), and runWorkload reads
// it at the start and the end of the measured window.
type wireCounter struct {
	read, written atomic.Int64

	httpOnce   sync.Once
	httpClient *http.Client
}

var wire wireCounter

// DialContext dials TCP and wraps the connection: this library's
// RequestOptions.DialContext and gorilla's Dialer.NetDialContext.
func (w *wireCounter) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &countedConn{Conn: c, w: w}, nil
}

// Dial is gws's Dialer (ClientOption.NewDialer returns w), with gws's
// default dial timeout.
func (w *wireCounter) Dial(network, addr string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return w.DialContext(ctx, network, addr)
}

// HTTPClient is coder's DialOptions.HTTPClient: one client for every
// connection of the process, as coder's default (http.DefaultClient) is.
func (w *wireCounter) HTTPClient() *http.Client {
	w.httpOnce.Do(func() {
		w.httpClient = &http.Client{Transport: &http.Transport{DialContext: w.DialContext}}
	})
	return w.httpClient
}

// snapshot returns the bytes counted so far: both ways, and written.
func (w *wireCounter) snapshot() (total, written int64) {
	r, wr := w.read.Load(), w.written.Load()
	return r + wr, wr
}

type countedConn struct {
	net.Conn
	w *wireCounter
}

func (c *countedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.w.read.Add(int64(n))
	return n, err
}

func (c *countedConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.w.written.Add(int64(n))
	return n, err
}
