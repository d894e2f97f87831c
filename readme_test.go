package ohos_test

import (
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README's code is the repository's code: every go, c or cpp block in
// README.md is preceded by a marker line
//
//	<!-- file: examples/tour/main.go -->
//
// and holds the named file's text exactly. The files are programs that
// their own tests run (examples/tour, examples/blocking, capi's
// TestReadmeProgram), so what the README shows runs as written. Blocks of
// other languages (sh, text) are not checked unless they carry a marker.

// checkedLanguages are the info strings whose blocks must name their file.
var checkedLanguages = map[string]bool{
	"go": true, "golang": true,
	"c": true, "h": true,
	"cpp": true, "c++": true, "cc": true, "cxx": true, "hpp": true,
}

// readmeMarker is the marker line before a code block that shows a file.
var readmeMarker = regexp.MustCompile(`^<!-- file: (\S+) -->$`)

// mdBlock is a fenced code block of a Markdown document.
type mdBlock struct {
	line   int    // the opening fence's line number, from 1
	lang   string // the first word of the info string, in lower case
	text   string // the lines between the fences, each with its "\n"
	marker string // the file the line before the fence names; "" if none
}

func (b mdBlock) String() string {
	lang := b.lang
	if lang == "" {
		lang = "plain"
	}
	return fmt.Sprintf("line %d (```%s block)", b.line, lang)
}

var fenceRE = regexp.MustCompile("^ {0,3}(`{3,}|~{3,})(.*)$")

// fencedBlocks returns the fenced code blocks of md, and one problem per
// marker that is not followed by a block and per block left open.
func fencedBlocks(md string) (blocks []mdBlock, problems []string) {
	lines := strings.SplitAfter(md, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], "\r\n")
		if m := readmeMarker.FindStringSubmatch(line); m != nil {
			if i+1 == len(lines) || !fenceRE.MatchString(strings.TrimRight(lines[i+1], "\r\n")) {
				problems = append(problems, fmt.Sprintf("line %d: the marker for %s is not right before a code block", i+1, m[1]))
			}
			continue
		}
		m := fenceRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		fence, info := m[1], strings.TrimSpace(m[2])
		if fence[0] == '`' && strings.Contains(info, "`") {
			continue // not a fence (CommonMark): inline code at the start of a line
		}
		b := mdBlock{line: i + 1}
		if f := strings.Fields(info); len(f) > 0 {
			b.lang = strings.ToLower(f[0])
		}
		if i > 0 {
			if mm := readmeMarker.FindStringSubmatch(strings.TrimRight(lines[i-1], "\r\n")); mm != nil {
				b.marker = mm[1]
			}
		}
		var text strings.Builder
		closed := false
		for i++; i < len(lines); i++ {
			l := strings.TrimRight(lines[i], "\r\n")
			if c := fenceRE.FindStringSubmatch(l); c != nil && c[1][0] == fence[0] && len(c[1]) >= len(fence) &&
				strings.TrimSpace(c[2]) == "" {
				closed = true
				break
			}
			text.WriteString(l + "\n")
		}
		if !closed {
			problems = append(problems, fmt.Sprintf("%v: the block is never closed", b))
			break
		}
		b.text = text.String()
		blocks = append(blocks, b)
	}
	return blocks, problems
}

// readmeProblems checks the code blocks of md against the files that
// readFile reads, and returns one line per problem.
func readmeProblems(md string, readFile func(name string) ([]byte, error)) []string {
	blocks, problems := fencedBlocks(md)
	for _, b := range blocks {
		if b.marker == "" {
			if checkedLanguages[b.lang] {
				problems = append(problems, fmt.Sprintf("%v: no <!-- file: PATH --> marker on the line right before it; "+
					"put the code in a file that a test runs, and show that file", b))
			}
			continue
		}
		want, err := readFile(b.marker)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%v: cannot read %s, which its marker names: %v", b, b.marker, err))
			continue
		}
		if b.text != string(want) {
			problems = append(problems, fmt.Sprintf("%v differs from %s: %s; copy the file into the README again", b, b.marker,
				firstDifference(b.text, string(want))))
		}
	}
	return problems
}

// firstDifference describes the first line in which got and want differ.
func firstDifference(got, want string) string {
	g, w := lines(got), lines(want)
	for i := 0; ; i++ {
		switch {
		case i == len(g) && i == len(w):
			return "they differ" // not reached for got != want
		case i == len(g):
			return fmt.Sprintf("the block ends before the file's line %d %q", i+1, w[i])
		case i == len(w):
			return fmt.Sprintf("the block goes on after the file's end with %q", g[i])
		case g[i] != w[i]:
			return fmt.Sprintf("line %d of the file is %q, the README has %q", i+1, w[i], g[i])
		}
	}
}

// lines splits s after each "\n".
func lines(s string) []string {
	l := strings.SplitAfter(s, "\n")
	if l[len(l)-1] == "" {
		l = l[:len(l)-1]
	}
	return l
}

// TestREADMECodeIsTheFiles checks README.md: every go, c and cpp block shows
// exactly the file its marker names.
func TestREADMECodeIsTheFiles(t *testing.T) {
	md, err := os.ReadFile("README.md")
	require.NoError(t, err)
	root := os.DirFS(".")
	for _, p := range readmeProblems(string(md), func(name string) ([]byte, error) { return fs.ReadFile(root, name) }) {
		t.Error("README.md " + p)
	}

	// The programs the README is about are there, so that the check above
	// cannot pass by finding no block at all.
	blocks, _ := fencedBlocks(string(md))
	var shown []string
	for _, b := range blocks {
		if b.marker != "" {
			shown = append(shown, b.marker)
		}
	}
	assert.Subset(t, shown, []string{"examples/tour/main.go", "examples/blocking/main.go", "capi/testdata/readme.c"})
}

// TestReadmeProblems checks the checker on small documents.
func TestReadmeProblems(t *testing.T) {
	files := map[string]string{
		"a.go":     "package a\n\nfunc A() {}\n",
		"app.c":    "int main(void) { return 0; }\n",
		"fence.go": "// Example:\n```\npackage f\n",
	}
	readFile := func(name string) ([]byte, error) {
		if s, ok := files[name]; ok {
			return []byte(s), nil
		}
		return nil, fs.ErrNotExist
	}
	tests := []struct {
		name string
		md   string
		want []string // substrings, one per problem, in order
	}{
		{"the file, exactly", "# x\n\n<!-- file: a.go -->\n```go\npackage a\n\nfunc A() {}\n```\n", nil},
		{"c with a marker, tildes", "<!-- file: app.c -->\n~~~c\nint main(void) { return 0; }\n~~~\n", nil},
		{"shell and plain blocks are exempt", "```sh\ngo run .\n```\n\n```\noutput\n```\n", nil},
		{"go without a marker", "```go\nfmt.Println(1)\n```\n",
			[]string{"line 1 (```go block): no <!-- file: PATH --> marker"}},
		{"cpp without a marker", "text\n\n```cpp\nint x;\n```\n", []string{"line 3 (```cpp block): no <!-- file: PATH -->"}},
		{"C in upper case, with attributes", "```C {.numberLines}\nint x;\n```\n", []string{"line 1 (```c block): no"}},
		{"a blank line between marker and block", "<!-- file: a.go -->\n\n```go\npackage a\n\nfunc A() {}\n```\n",
			[]string{"line 1: the marker for a.go is not right before a code block", "line 3 (```go block): no <!-- file"}},
		{"a changed line", "<!-- file: a.go -->\n```go\npackage a\n\nfunc B() {}\n```\n",
			[]string{"line 2 (```go block) differs from a.go: line 3 of the file is \"func A() {}\\n\", the README has \"func B() {}\\n\""}},
		{"a shortened block", "<!-- file: a.go -->\n```go\npackage a\n```\n",
			[]string{"differs from a.go: the block ends before the file's line 2 \"\\n\""}},
		{"a block longer than the file", "<!-- file: a.go -->\n```go\npackage a\n\nfunc A() {}\n// more\n```\n",
			[]string{"differs from a.go: the block goes on after the file's end with \"// more\\n\""}},
		{"a missing file", "<!-- file: b.go -->\n```go\npackage b\n```\n", []string{"cannot read b.go"}},
		{"a marked shell block is checked too", "<!-- file: a.go -->\n```sh\necho\n```\n", []string{"(```sh block) differs from a.go"}},
		{"a block never closed", "<!-- file: a.go -->\n```go\npackage a\n\nfunc A() {}\n", []string{"the block is never closed"}},
		{"a longer fence around a shorter one", "<!-- file: fence.go -->\n````go\n// Example:\n```\npackage f\n````\n", nil},
		{"after a block, the next one", "<!-- file: a.go -->\n```go\npackage a\n\nfunc A() {}\n```\n```go\nx\n```\n",
			[]string{"line 7 (```go block): no <!-- file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readmeProblems(tt.md, readFile)
			require.Len(t, got, len(tt.want), "%q", got)
			for i, w := range tt.want {
				assert.Contains(t, got[i], w)
			}
		})
	}
}
