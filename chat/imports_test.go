package chat

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoTransportImports: the conversation knows nothing of Telegram nor
// of the transport that imports it (dependencies point one way: main →
// bot → chat → answer → retrieval).
func TestNoTransportImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range file.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			switch {
			case strings.Contains(path, "telegram-bot-api"), path == "github.com/khabar/khabar/bot",
				path == "html", path == "html/template":
				t.Errorf("%s imports %s", f, path)
			}
		}
	}
}
