package telegramtest

import (
	"context"
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// maxDownloadSize is the largest file the Bot API lets bots download.
const maxDownloadSize = 20 << 20

type storedFile struct {
	id, uniqueID, path, name string
	content                  []byte
}

// AddFile makes a file available: getFile with file_id fileID answers
// {file_id, file_unique_id, file_size, file_path: path}, and
// GET /file/bot<token>/<path> (see FileURL) serves content. Files larger
// than 20 MB make getFile fail with "Bad Request: file is too big", as
// Telegram does. Adding a file_id again replaces it.
func (s *Server) AddFile(fileID, path string, content []byte) {
	if fileID == "" || path == "" {
		s.t.Errorf("telegramtest: AddFile(%q, %q): file ID and path must not be empty", fileID, path)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[fileID] = &storedFile{
		id:       fileID,
		uniqueID: "u-" + fileID,
		path:     strings.TrimPrefix(path, "/"),
		name:     pathBase(path),
		content:  append([]byte(nil), content...),
	}
	s.broadcastLocked()
}

// Downloads returns the file paths the bot requested from the file
// endpoint, in order, including failed requests.
func (s *Server) Downloads() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.downloads...)
}

// newFileLocked registers a file the bot uploaded (or referenced by URL).
func (s *Server) newFileLocked(kind, name string, content []byte) *storedFile {
	n := s.nextFile
	s.nextFile++
	f := &storedFile{
		id:       fmt.Sprintf("%s-%d", kind, n),
		uniqueID: fmt.Sprintf("u-%s-%d", kind, n),
		path:     fmt.Sprintf("%ss/file_%d%s", kind, n, path.Ext(name)),
		name:     name,
		content:  content,
	}
	s.files[f.id] = f
	return f
}

func pathBase(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

type fileResult struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileSize     int    `json:"file_size"`
	FilePath     string `json:"file_path,omitempty"`
}

func (s *Server) getFile(_ context.Context, c *Call) (any, *apiError) {
	f := s.files[c.Params.Get("file_id")]
	if f == nil {
		return nil, badRequest("invalid file_id")
	}
	if len(f.content) > maxDownloadSize {
		return nil, badRequest("file is too big")
	}
	return fileResult{FileID: f.id, FileUniqueID: f.uniqueID, FileSize: len(f.content), FilePath: f.path}, nil
}

// serveFile serves GET /file/bot<token>/<path>; rest is the part after
// "/file/bot".
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, rest string) {
	token, filePath, _ := strings.Cut(rest, "/")
	s.mu.Lock()
	s.downloads = append(s.downloads, filePath)
	s.broadcastLocked()
	s.mu.Unlock()

	if f, ok := s.takeFailure(DownloadMethod); ok {
		if !s.sleep(r.Context(), f.Delay) {
			return
		}
		switch {
		case f.Drop:
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			s.t.Errorf("telegramtest: Failure.Drop: the connection cannot be hijacked")
			http.Error(w, "cannot drop", http.StatusBadGateway)
			return
		case f.Body != "" || f.Status != 0:
			status := f.Status
			if status == 0 {
				status = http.StatusOK
			}
			w.WriteHeader(status)
			w.Write([]byte(f.Body))
			return
		}
	}

	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	var content []byte
	found := false
	if token == s.token {
		s.mu.Lock()
		for _, f := range s.files {
			if f.path == filePath {
				content, found = f.content, true
				break
			}
		}
		s.mu.Unlock()
	}
	if !found {
		http.Error(w, `{"ok":false,"error_code":404,"description":"Not Found"}`, http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(content)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(content)
}
