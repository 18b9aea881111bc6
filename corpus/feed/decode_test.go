package feed

import (
	"bytes"
	"errors"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

const persianSample = "سخنگوی دولت گفت قیمت بنزین در جایگاه‌های سوخت افزایش نمی‌یابد و سهمیه‌ها بدون تغییر واریز می‌شود."

// mojibakeOf returns UTF-8 text read as windows-1252 (its five undefined
// bytes as the C1 controls, as Windows does) and encoded again as UTF-8:
// the double encoding of a misconfigured site.
func mojibakeOf(t testing.TB, s string) []byte {
	t.Helper()
	var out []byte
	for _, b := range []byte(s) {
		r := charmap.Windows1252.DecodeByte(b)
		if r == utf8.RuneError {
			r = rune(b)
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}

// lossyMojibakeOf is mojibakeOf with the undefined bytes lost (U+FFFD).
func lossyMojibakeOf(t testing.TB, s string) []byte {
	t.Helper()
	out, err := charmap.Windows1252.NewDecoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func win1256(t testing.TB, s string) []byte {
	t.Helper()
	out, err := charmap.Windows1256.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLooksMojibake(t *testing.T) {
	latin1of1256, _ := charmap.ISO8859_1.NewDecoder().Bytes(win1256(t, "کاهش دماي هوا در تهران از فردا و بارش برف در گردنه‌ها"))
	tests := []struct {
		name string
		give []byte
		want bool
	}{
		{"Persian", []byte(persianSample), false},
		{"French", []byte("Le président a déclaré à la télévision qu'il était prêt à négocier dès l'été."), false},
		{"German", []byte("Die Bürger äußerten große Sorge über die Preise für Öl und Gas."), false},
		{"ASCII", []byte("Oil prices fell on Tuesday."), false},
		{"UTF-8 read as windows-1252", mojibakeOf(t, persianSample), true},
		{"windows-1256 read as Latin-1", latin1of1256, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := looksMojibake(tt.give); got != tt.want {
				t.Errorf("looksMojibake(%q) = %v, want %v", tt.give, got, tt.want)
			}
		})
	}
}

func TestDecodeText(t *testing.T) {
	utf := []byte(persianSample)
	legacy := win1256(t, "کاهش دماي هوا در تهران از فردا")
	oneBad := append(append([]byte(persianSample), 0xff), " پایان خبر"...)
	tests := []struct {
		name      string
		body      []byte
		labels    []string
		want      string // "" for an error
		wantCS    string
		wantNoted bool
	}{
		{"UTF-8 labelled UTF-8", utf, []string{"utf-8"}, persianSample, "utf-8", false},
		{"UTF-8 unlabelled", utf, nil, persianSample, "utf-8", false},
		{"UTF-8 labelled windows-1256", utf, []string{"windows-1256"}, persianSample, "utf-8", true},
		{"windows-1256 labelled so", legacy, []string{"windows-1256"}, "کاهش دماي هوا در تهران از فردا", "windows-1256", false},
		{"windows-1256 labelled UTF-8", legacy, []string{"utf-8"}, "کاهش دماي هوا در تهران از فردا", "windows-1256", true},
		{"windows-1256 unlabelled", legacy, nil, "کاهش دماي هوا در تهران از فردا", "windows-1256", false},
		{"windows-1256 labelled ISO-8859-1", legacy, []string{"iso-8859-1"}, "کاهش دماي هوا در تهران از فردا", "windows-1256", true},
		{"double-encoded UTF-8", mojibakeOf(t, persianSample), []string{"utf-8"}, persianSample, "utf-8", true},
		{"one invalid byte", oneBad, []string{"utf-8"}, persianSample + " پایان خبر", "utf-8", true},
		{"lossy double encoding", lossyMojibakeOf(t, persianSample), []string{"utf-8"}, "", "", false},
		{"binary", bytes.Repeat([]byte{0x00, 0xff, 0xfe, 0x81}, 50), []string{"utf-8"}, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := decodeText(tt.body, tt.labels...)
			if tt.want == "" {
				if !errors.Is(err, errEncoding) {
					t.Errorf("got %q, %v; want errEncoding", d.text, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(d.text) != tt.want || d.charset != tt.wantCS || (d.note != "") != tt.wantNoted {
				t.Errorf("got %q as %s (note %q); want %q as %s, noted %v", d.text, d.charset, d.note, tt.want, tt.wantCS, tt.wantNoted)
			}
		})
	}
}

func TestDecodeXMLRewritesDeclaration(t *testing.T) {
	body := append([]byte(`<?xml version="1.0" encoding="windows-1256"?><rss/>`), win1256(t, "<x>خبر</x>")...)
	d, err := decodeXML(body, "text/xml")
	if err != nil {
		t.Fatal(err)
	}
	if want := `<?xml version="1.0" encoding="UTF-8"?><rss/><x>خبر</x>`; string(d.text) != want {
		t.Errorf("got %q, want %q", d.text, want)
	}
}

// TestLegacyFixturesMatchSources: the windows-1256 fixtures are the
// encodings of their UTF-8 sources.
func TestLegacyFixturesMatchSources(t *testing.T) {
	for _, name := range []string{"rss_1256", "page_5002"} {
		ext := ".xml"
		if name == "page_5002" {
			ext = ".html"
		}
		src := readFixture(t, name+".utf8"+ext)
		if got, want := readFixture(t, name+ext), win1256(t, string(src)); !bytes.Equal(got, want) {
			t.Errorf("%s%s is not the windows-1256 encoding of %s.utf8%s", name, ext, name, ext)
		}
		if utf8.Valid(readFixture(t, name+ext)) {
			t.Errorf("%s%s is valid UTF-8: not a legacy fixture", name, ext)
		}
	}
}
