package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
)

// multipartForm serves a POST per the GraphQL multipart request spec
// (github.com/jaydenseric/graphql-multipart-request-spec): the parts `operations`, `map`, then
// the files. The body's size is capped before this (limitBody); a file is kept in memory up to
// uploadMemory bytes and spooled to a temporary file beyond, so that concurrent uploads of a
// few MiB each do not all sit on the heap.
type multipartForm struct{}

// uploadMemory is how much of one uploaded file is kept in memory before it goes to disk.
const uploadMemory = 256 << 10

func (multipartForm) Supports(r *http.Request) bool {
	return r.Method == http.MethodPost && requestMediaType(r) == mediaMultipart
}

func (multipartForm) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	params := &graphql.RawParams{Headers: r.Header}
	params.ReadTime.Start = graphql.Now()
	var spooled []*os.File
	defer func() {
		for _, f := range spooled {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if fail := readMultipart(r, params, &spooled); fail != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](fail.err); ok {
			sendBodyError(w, r, exec, fail.err)
			return
		}
		sendError(w, r, exec, http.StatusBadRequest, reasonInvalidMultipart, "%s", fail.message)
		return
	}
	serve(w, r, exec, params, true)
}

// multipartFailure is what is wrong with a multipart request, for the client, and the read
// error behind it where there is one (a body over its cap is answered 413).
type multipartFailure struct {
	err     error
	message string
}

func failMultipart(err error, format string, args ...any) *multipartFailure {
	return &multipartFailure{err: err, message: fmt.Sprintf(format, args...)}
}

const multipartSpec = " (see the GraphQL multipart request spec)"

// readMultipart reads the request's parts in the spec's order: `operations` into params, then
// `map`, then the files (readFiles). Each file spooled to disk is added to spooled, for the
// caller to remove once the request has run.
func readMultipart(r *http.Request, params *graphql.RawParams, spooled *[]*os.File) *multipartFailure {
	mr, err := r.MultipartReader()
	if err != nil {
		return failMultipart(err, "the multipart body is malformed"+multipartSpec)
	}
	part, err := mr.NextPart()
	if err != nil || part.FormName() != "operations" {
		return failMultipart(err, "the first part must be `operations`"+multipartSpec)
	}
	operations, err := io.ReadAll(part)
	if err != nil {
		return failMultipart(err, "the `operations` part could not be read")
	}
	if msg := decodeParams(operations, params); msg != "" {
		return failMultipart(nil, "operations: %s", msg)
	}
	part, err = mr.NextPart()
	if err != nil || part.FormName() != "map" {
		return failMultipart(err, "the second part must be `map`"+multipartSpec)
	}
	var files map[string][]string
	if err := json.NewDecoder(part).Decode(&files); err != nil {
		return failMultipart(err, "`map` must be a JSON object from each file's part name to the variable paths it fills, such as {\"0\": [\"variables.input.csv\"]}")
	}
	return readFiles(mr, files, params.Variables, spooled)
}

// readFiles reads the remaining parts, each a file that files (the `map`) names, into the null
// variables at its paths; every file that files names must come.
func readFiles(mr *multipart.Reader, files map[string][]string, vars map[string]any, spooled *[]*os.File) *multipartFailure {
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return failMultipart(err, "the multipart body is malformed"+multipartSpec)
		}
		key := part.FormName()
		paths, ok := files[key]
		if !ok || len(paths) == 0 {
			return failMultipart(nil, "the part %q is not a file named in `map`", key)
		}
		delete(files, key)
		content, size, file, err := spool(part)
		if file != nil {
			*spooled = append(*spooled, file)
		}
		if err != nil {
			return failMultipart(err, "the file %q could not be read", key)
		}
		for _, path := range paths {
			upload := graphql.Upload{File: content, Filename: part.FileName(), Size: size,
				ContentType: part.Header.Get("Content-Type")}
			if !setUpload(vars, path, upload) {
				return failMultipart(nil, "map: %q is not the path of a null variable for the file %q, such as \"variables.input.csv\"", path, key)
			}
		}
	}
	for key := range files {
		return failMultipart(nil, "`map` names the file %q, but the request has no part %q", key, key)
	}
	return nil
}

// spool reads a file part: into memory when it fits in uploadMemory, else into a temporary file
// (returned, for the caller to remove) read back from its start.
func spool(part io.Reader) (content io.ReadSeeker, size int64, file *os.File, err error) {
	head, err := io.ReadAll(io.LimitReader(part, uploadMemory+1))
	if err != nil || len(head) <= uploadMemory {
		return bytes.NewReader(head), int64(len(head)), nil, err
	}
	file, err = os.CreateTemp("", "invites-upload-*")
	if err != nil {
		return nil, 0, nil, err
	}
	size, err = io.Copy(file, io.MultiReader(bytes.NewReader(head), part))
	if err == nil {
		_, err = file.Seek(0, io.SeekStart)
	}
	return file, size, file, err
}

// setUpload puts upload in place of the null (or absent) variable at path
// ("variables.input.csv", "variables.files.0"), and reports whether there was one.
func setUpload(vars map[string]any, path string, upload graphql.Upload) bool {
	parts := strings.Split(path, ".")
	if len(parts) < 2 || parts[0] != "variables" || vars == nil {
		return false
	}
	var cur any = vars
	for i, p := range parts[1:] {
		last := i == len(parts)-2
		switch c := cur.(type) {
		case map[string]any:
			if last {
				if v, ok := c[p]; ok && v != nil {
					return false
				}
				c[p] = upload
				return true
			}
			cur = c[p]
		case []any:
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 || n >= len(c) {
				return false
			}
			if last {
				if c[n] != nil {
					return false
				}
				c[n] = upload
				return true
			}
			cur = c[n]
		default:
			return false
		}
	}
	return false
}
