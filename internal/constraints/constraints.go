// Package constraints holds the cluster's limits on names, metadata and
// object sizes, with Swift's defaults (swift/common/constraints.py), and the
// checks both the proxy and the storage nodes apply to requests.
//
// A failed check is an *Error carrying the HTTP status and the exact body
// Swift answers with, so every server rejects bad input the same way.
package constraints

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/swiftlet/swiftlet/internal/timestamp"
)

// Swift's default constraints.
const (
	DefaultMaxFileSize             = 5<<30 + 2 // 5 GiB + 2 bytes
	DefaultMaxMetaNameLength       = 128
	DefaultMaxMetaValueLength      = 256
	DefaultMaxMetaCount            = 90
	DefaultMaxMetaOverallSize      = 4096
	DefaultMaxHeaderSize           = 8192
	DefaultMaxObjectNameLength     = 1024
	DefaultContainerListingLimit   = 10000
	DefaultAccountListingLimit     = 10000
	DefaultMaxAccountNameLength    = 256
	DefaultMaxContainerNameLength  = 256
	DefaultExtraHeaderCount        = 0
	DefaultAutoCreateAccountPrefix = "."
)

// Reserved is the byte that starts names in the reserved namespace
// (internal objects such as object versions); clients may not use it.
const Reserved = "\x00"

// Constraints are the cluster's limits. Lengths are in bytes of UTF-8.
// Every node and proxy of a cluster must use the same values; the proxy
// publishes them at GET /info.
type Constraints struct {
	// MaxFileSize is the largest object, in bytes.
	MaxFileSize int64
	// MaxMetaNameLength is the longest metadata name after its prefix
	// (X-Object-Meta-, X-Container-Meta-, X-Account-Meta-).
	MaxMetaNameLength int
	// MaxMetaValueLength is the longest metadata value.
	MaxMetaValueLength int
	// MaxMetaCount is the most metadata items one request may set.
	MaxMetaCount int
	// MaxMetaOverallSize bounds the sum of names and values.
	MaxMetaOverallSize int
	// MaxHeaderSize is the longest header value.
	MaxHeaderSize int
	// MaxObjectNameLength, MaxContainerNameLength and MaxAccountNameLength
	// bound names.
	MaxObjectNameLength    int
	MaxContainerNameLength int
	MaxAccountNameLength   int
	// ContainerListingLimit and AccountListingLimit are the default and
	// largest page of a listing, in entries.
	ContainerListingLimit int
	AccountListingLimit   int
	// ExtraHeaderCount raises the number of headers a request may carry
	// (MaxHeaderCount).
	ExtraHeaderCount int
	// ValidAPIVersions are the version strings the Swift API accepts in
	// /v1/....
	ValidAPIVersions []string
	// AutoCreateAccountPrefix starts the names of the cluster's hidden
	// accounts, which are created on first use.
	AutoCreateAccountPrefix string
}

// Default returns Swift's default constraints.
func Default() Constraints {
	return Constraints{
		MaxFileSize:             DefaultMaxFileSize,
		MaxMetaNameLength:       DefaultMaxMetaNameLength,
		MaxMetaValueLength:      DefaultMaxMetaValueLength,
		MaxMetaCount:            DefaultMaxMetaCount,
		MaxMetaOverallSize:      DefaultMaxMetaOverallSize,
		MaxHeaderSize:           DefaultMaxHeaderSize,
		MaxObjectNameLength:     DefaultMaxObjectNameLength,
		MaxContainerNameLength:  DefaultMaxContainerNameLength,
		MaxAccountNameLength:    DefaultMaxAccountNameLength,
		ContainerListingLimit:   DefaultContainerListingLimit,
		AccountListingLimit:     DefaultAccountListingLimit,
		ExtraHeaderCount:        DefaultExtraHeaderCount,
		ValidAPIVersions:        []string{"v1", "v1.0"},
		AutoCreateAccountPrefix: DefaultAutoCreateAccountPrefix,
	}
}

// Validate reports limits that make no sense.
func (c Constraints) Validate() error {
	var errs []error
	positive := func(name string, v int64) {
		if v <= 0 {
			errs = append(errs, fmt.Errorf("constraints: %s must be positive, got %d", name, v))
		}
	}
	positive("max_file_size", c.MaxFileSize)
	positive("max_meta_name_length", int64(c.MaxMetaNameLength))
	positive("max_meta_value_length", int64(c.MaxMetaValueLength))
	positive("max_meta_count", int64(c.MaxMetaCount))
	positive("max_meta_overall_size", int64(c.MaxMetaOverallSize))
	positive("max_header_size", int64(c.MaxHeaderSize))
	positive("max_object_name_length", int64(c.MaxObjectNameLength))
	positive("max_container_name_length", int64(c.MaxContainerNameLength))
	positive("max_account_name_length", int64(c.MaxAccountNameLength))
	positive("container_listing_limit", int64(c.ContainerListingLimit))
	positive("account_listing_limit", int64(c.AccountListingLimit))
	if c.ExtraHeaderCount < 0 {
		errs = append(errs, fmt.Errorf("constraints: extra_header_count must not be negative, got %d", c.ExtraHeaderCount))
	}
	if len(c.ValidAPIVersions) == 0 {
		errs = append(errs, errors.New("constraints: valid_api_versions is empty"))
	}
	if c.AutoCreateAccountPrefix == "" {
		errs = append(errs, errors.New("constraints: auto_create_account_prefix is empty"))
	}
	return errors.Join(errs...)
}

// MaxHeaderCount is the most headers a request may carry: the metadata
// items plus 36 for Swift's own and the usual HTTP headers.
func (c Constraints) MaxHeaderCount() int {
	return c.MaxMetaCount + 36 + max(c.ExtraHeaderCount, 0)
}

// ValidAPIVersion reports whether v is one of ValidAPIVersions.
func (c Constraints) ValidAPIVersion(v string) bool {
	for _, ok := range c.ValidAPIVersions {
		if v == ok {
			return true
		}
	}
	return false
}

// Error is a rejected request: the status and body Swift answers with.
type Error struct {
	// Status is the HTTP status code.
	Status int
	// Body is the response body; empty means the status's standard text.
	Body string
	// PlainText marks bodies Swift sends as text/plain (the others are
	// text/html, swob's default).
	PlainText bool
}

func (e *Error) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("constraints: %d %s", e.Status, http.StatusText(e.Status))
	}
	return fmt.Sprintf("constraints: %d %s", e.Status, e.Body)
}

func badRequest(body string) *Error {
	return &Error{Status: http.StatusBadRequest, Body: body, PlainText: true}
}

// CheckUTF8 is Swift's check_utf8: s is non-empty valid UTF-8 without
// surrogates and without NUL. internal allows NUL (the reserved byte), as
// the storage nodes do for the reserved namespace.
func CheckUTF8(s string, internal bool) bool {
	if s == "" || !utf8.ValidString(s) {
		return false // Go rejects encoded surrogates as invalid UTF-8
	}
	return internal || !strings.Contains(s, Reserved)
}

// Kind is what metadata belongs to.
type Kind string

// The kinds of metadata.
const (
	Account   Kind = "account"
	Container Kind = "container"
	Object    Kind = "object"
)

// UserMetaPrefix is "x-<kind>-meta-".
func (k Kind) UserMetaPrefix() string { return "x-" + string(k) + "-meta-" }

// SysMetaPrefix is "x-<kind>-sysmeta-".
func (k Kind) SysMetaPrefix() string { return "x-" + string(k) + "-sysmeta-" }

// IsUserMeta reports whether header is user metadata of kind (and longer
// than the prefix).
func (k Kind) IsUserMeta(header string) bool {
	p := k.UserMetaPrefix()
	return len(header) > len(p) && strings.EqualFold(header[:len(p)], p)
}

// IsSysMeta reports whether header is system metadata of kind.
func (k Kind) IsSysMeta(header string) bool {
	p := k.SysMetaPrefix()
	return len(header) > len(p) && strings.EqualFold(header[:len(p)], p)
}

// ObjectTransientSysMetaPrefix starts object metadata that a POST replaces
// like user metadata but that clients cannot see.
const ObjectTransientSysMetaPrefix = "x-object-transient-sysmeta-"

// IsObjectTransientSysMeta reports whether header is object transient
// system metadata.
func IsObjectTransientSysMeta(header string) bool {
	p := ObjectTransientSysMetaPrefix
	return len(header) > len(p) && strings.EqualFold(header[:len(p)], p)
}

// CheckMetadata is Swift's check_metadata: it checks the kind's user
// metadata of a request (X-<Kind>-Meta-*) against the limits, and every
// header value against MaxHeaderSize. It checks only what the request
// sets; the stores check totals.
func (c Constraints) CheckMetadata(h http.Header, kind Kind) error {
	prefix := kind.UserMetaPrefix()
	count, size := 0, 0
	for _, key := range sortedKeys(h) {
		for _, value := range h[key] {
			if len(value) > c.MaxHeaderSize {
				name := key
				if len(name) > c.MaxMetaNameLength {
					name = name[:c.MaxMetaNameLength]
				}
				return badRequest("Header value too long: " + name)
			}
			if len(key) < len(prefix) || !strings.EqualFold(key[:len(prefix)], prefix) {
				continue
			}
			name := key[len(prefix):]
			if name == "" {
				return badRequest("Metadata name cannot be empty")
			}
			if kind != Object && (!CheckUTF8(name, false) || (value != "" && !CheckUTF8(value, false))) {
				return badRequest("Metadata must be valid UTF-8")
			}
			count++
			size += len(name) + len(value)
			if len(name) > c.MaxMetaNameLength {
				return badRequest("Metadata name too long: " + prefix + name)
			}
			if len(value) > c.MaxMetaValueLength {
				return badRequest(fmt.Sprintf("Metadata value longer than %d: %s%s", c.MaxMetaValueLength, prefix, name))
			}
			if count > c.MaxMetaCount {
				return badRequest(fmt.Sprintf("Too many metadata items; max %d", c.MaxMetaCount))
			}
			if size > c.MaxMetaOverallSize {
				return badRequest(fmt.Sprintf("Total metadata too large; max %d", c.MaxMetaOverallSize))
			}
		}
	}
	return nil
}

// sortedKeys orders a request's headers so that the first bad one found
// does not depend on map order.
func sortedKeys(h http.Header) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// CheckMetadataTotals is the check Swift's account and container databases
// make when they store metadata: the count and size of all the user
// metadata with a value (names without their prefix), after an update.
// meta maps header names to values; empty values (removals) don't count.
func (c Constraints) CheckMetadataTotals(meta map[string]string, kind Kind) error {
	prefix := kind.UserMetaPrefix()
	count, size := 0, 0
	for key, value := range meta {
		if !CheckUTF8(key, false) || (value != "" && !CheckUTF8(value, false)) {
			return &Error{Status: http.StatusBadRequest, Body: "Metadata must be valid UTF-8"}
		}
		if value == "" || len(key) < len(prefix) || !strings.EqualFold(key[:len(prefix)], prefix) {
			continue
		}
		count++
		size += len(key) - len(prefix) + len(value)
	}
	if count > c.MaxMetaCount {
		return &Error{Status: http.StatusBadRequest, Body: fmt.Sprintf("Too many metadata items; max %d", c.MaxMetaCount)}
	}
	if size > c.MaxMetaOverallSize {
		return &Error{Status: http.StatusBadRequest, Body: fmt.Sprintf("Total metadata too large; max %d", c.MaxMetaOverallSize)}
	}
	return nil
}

// RequestTimestamp is Swift's valid_timestamp: the request's X-Timestamp,
// which every write must carry.
func RequestTimestamp(h http.Header) (timestamp.Timestamp, error) {
	v, ok := h["X-Timestamp"]
	if !ok || len(v) == 0 {
		return timestamp.Timestamp{}, badRequest("Missing X-Timestamp header")
	}
	ts, err := timestamp.Parse(v[0])
	if err != nil {
		return timestamp.Timestamp{}, badRequest("Invalid X-Timestamp header")
	}
	return ts, nil
}

// MaxDeleteAt is the largest X-Delete-At Swift stores (ten digits).
const MaxDeleteAt = 9999999999

// normalizeDeleteAt is Swift's normalize_delete_at_timestamp, as an integer.
func normalizeDeleteAt(v float64) int64 {
	return int64(min(max(0, v), MaxDeleteAt))
}

// pyInt parses an integer the way Python's int() does for the values
// clients send: surrounding white space, an optional sign, and digits
// possibly separated by single underscores.
func pyInt(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasPrefix(s, "_") || strings.HasSuffix(s, "_") || strings.Contains(s, "__") {
		return 0, false
	}
	sign := ""
	if s[0] == '+' || s[0] == '-' {
		sign, s = s[:1], s[1:]
		if s == "" || s[0] == '_' {
			return 0, false
		}
	}
	digits := strings.ReplaceAll(s, "_", "")
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(sign+digits, 10, 64)
	if err != nil {
		// Python's integers are unbounded; saturate, which keeps the
		// comparisons these values are used in right.
		if sign == "-" {
			return -1 << 63, true
		}
		return 1<<63 - 1, true
	}
	return n, true
}

// DeleteAt is Swift's check_delete_headers: it returns the object's expiry
// in Unix seconds from X-Delete-After (relative to now, the request's
// X-Timestamp) or X-Delete-At, 0 if neither is set. Both must be integers
// naming a time after now, unless replication is set (a replicated write
// may carry an expiry that has passed).
func DeleteAt(h http.Header, now timestamp.Timestamp, replication bool) (int64, error) {
	nowSecs := float64(now.Ticks()) / 100000
	var deleteAt int64
	if v, ok := h["X-Delete-After"]; ok && len(v) > 0 {
		after, ok := pyInt(v[0])
		if !ok {
			return 0, badRequest("Non-integer X-Delete-After")
		}
		deleteAt = normalizeDeleteAt(nowSecs + float64(after))
		if float64(deleteAt) <= nowSecs {
			return 0, badRequest("X-Delete-After in past")
		}
		return deleteAt, nil
	}
	if v, ok := h["X-Delete-At"]; ok && len(v) > 0 {
		at, ok := pyInt(v[0])
		if !ok {
			return 0, badRequest("Non-integer X-Delete-At")
		}
		deleteAt = normalizeDeleteAt(float64(at))
		if float64(deleteAt) <= nowSecs && !replication {
			return 0, badRequest("X-Delete-At in past")
		}
	}
	return deleteAt, nil
}

// CheckObjectCreation is Swift's check_object_creation, run on every object
// PUT after the timestamp check: the announced length (contentLength, -1
// if unknown) against MaxFileSize (413), a length or a chunked body (411),
// the object name's length, the Content-Type (present and UTF-8), the
// expiry headers and the metadata (400). It returns the object's delete-at
// (see DeleteAt).
func (c Constraints) CheckObjectCreation(h http.Header, contentLength int64, chunked bool, object string, now timestamp.Timestamp, replication bool) (int64, error) {
	if contentLength > c.MaxFileSize {
		return 0, &Error{Status: http.StatusRequestEntityTooLarge, Body: "Your request is too large.", PlainText: true}
	}
	if contentLength < 0 && !chunked {
		return 0, &Error{Status: http.StatusLengthRequired, Body: "Missing Content-Length header.", PlainText: true}
	}
	if err := c.CheckObjectName(object); err != nil {
		return 0, err
	}
	ct, ok := h["Content-Type"]
	if !ok || len(ct) == 0 {
		return 0, badRequest("No content type")
	}
	deleteAt, err := DeleteAt(h, now, replication)
	if err != nil {
		return 0, err
	}
	if !CheckUTF8(ct[0], false) {
		return 0, badRequest("Invalid Content-Type")
	}
	return deleteAt, c.CheckMetadata(h, Object)
}

// CheckObjectName rejects object names longer than MaxObjectNameLength.
func (c Constraints) CheckObjectName(name string) error {
	if len(name) > c.MaxObjectNameLength {
		return badRequest(fmt.Sprintf("Object name length of %d longer than %d", len(name), c.MaxObjectNameLength))
	}
	return nil
}

// CheckContainerName rejects container names longer than
// MaxContainerNameLength (the proxy's message).
func (c Constraints) CheckContainerName(name string) error {
	if len(name) > c.MaxContainerNameLength {
		return badRequest(fmt.Sprintf("Container name length of %d longer than %d", len(name), c.MaxContainerNameLength))
	}
	return nil
}

// CheckAccountName rejects account names longer than MaxAccountNameLength.
func (c Constraints) CheckAccountName(name string) error {
	if len(name) > c.MaxAccountNameLength {
		return badRequest(fmt.Sprintf("Account name length of %d longer than %d", len(name), c.MaxAccountNameLength))
	}
	return nil
}

// CheckListingLimit is Swift's constrain_req_limit: the limit query
// parameter, if all digits, must not exceed max (412); otherwise max is
// used.
func CheckListingLimit(param string, maxLimit int) (int, error) {
	if param == "" || strings.TrimLeft(param, "0123456789") != "" {
		return maxLimit, nil
	}
	n, err := strconv.Atoi(param)
	if err != nil || n > maxLimit {
		return 0, &Error{Status: http.StatusPreconditionFailed, Body: fmt.Sprintf("Maximum limit is %d", maxLimit)}
	}
	return n, nil
}

// CheckReservedNames is Swift's validate_internal_obj (and its account and
// container variants): a name may contain the reserved byte only at its
// start, and reserved-namespace objects live only in reserved-namespace
// containers and the reverse, except in the hidden accounts
// (autoCreatePrefix). Empty container or object names are not checked.
func CheckReservedNames(account, container, object, autoCreatePrefix string) error {
	bad := func(name, kind string) error {
		if strings.Contains(name, Reserved) && !strings.HasPrefix(name, Reserved) {
			return &Error{Status: http.StatusBadRequest, Body: "Invalid reserved-namespace " + kind}
		}
		return nil
	}
	if err := bad(account, "account"); err != nil {
		return err
	}
	if container == "" {
		return nil
	}
	if err := bad(container, "container"); err != nil {
		return err
	}
	if object == "" || strings.HasPrefix(account, autoCreatePrefix) || account == ".misplaced_objects" {
		return nil
	}
	if err := bad(object, "object"); err != nil {
		return err
	}
	switch cr, or := strings.HasPrefix(container, Reserved), strings.HasPrefix(object, Reserved); {
	case cr && !or:
		return &Error{Status: http.StatusBadRequest, Body: "Invalid user-namespace object in reserved-namespace container"}
	case or && !cr:
		return &Error{Status: http.StatusBadRequest, Body: "Invalid reserved-namespace object in user-namespace container"}
	}
	return nil
}
