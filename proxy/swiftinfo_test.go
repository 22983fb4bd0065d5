package proxy_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/swiftlet/swiftlet/proxy"
)

// The default /info, byte for byte as Swift 2.30.1's proxy writes its
// "swift" section with the default constraints (json.dumps), plus a
// section registered from outside.
const wantInfo = `{"swift": {"version": "2.30.1", "strict_cors_mode": true, ` +
	`"policies": [{"name": "Policy-0", "aliases": "Policy-0", "default": true}], ` +
	`"allow_account_management": false, "account_autocreate": true, ` +
	`"max_file_size": 5368709122, "max_meta_name_length": 128, "max_meta_value_length": 256, ` +
	`"max_meta_count": 90, "max_meta_overall_size": 4096, "max_header_size": 8192, ` +
	`"max_object_name_length": 1024, "container_listing_limit": 10000, "account_listing_limit": 10000, ` +
	`"max_account_name_length": 256, "max_container_name_length": 256, ` +
	`"valid_api_versions": ["v1", "v1.0"], "extra_header_count": 0}, ` +
	`"tempauth": {"account_acls": true}}`

func TestInfo(t *testing.T) {
	c := newACCluster(t, func(cfg *proxy.Config) {
		cfg.InfoSections = map[string]any{"tempauth": map[string]any{"account_acls": true}}
	})
	a := c.must(http.StatusOK, "GET", "/info")
	if a.body != wantInfo {
		t.Errorf("GET /info =\n%s\nwant\n%s", a.body, wantInfo)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/json; charset=UTF-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	head := c.must(http.StatusOK, "HEAD", "/info")
	if head.body != "" || head.header.Get("Content-Length") != strconv.Itoa(len(wantInfo)) {
		t.Errorf("HEAD /info: body %q, Content-Length %q", head.body, head.header.Get("Content-Length"))
	}
	// No authentication needed.
	a = c.must(http.StatusOK, "GET", "/info", "Origin", "http://app.example")
	if a.header.Get("Access-Control-Allow-Origin") != "http://app.example" || a.header.Get("Access-Control-Expose-Headers") != "x-trans-id" {
		t.Errorf("CORS headers: %v", a.header)
	}
	if a := c.must(http.StatusMethodNotAllowed, "POST", "/info"); a.header.Get("Allow") != "GET, HEAD, OPTIONS" {
		t.Errorf("POST /info: Allow %q", a.header.Get("Allow"))
	}
	if a := c.must(http.StatusOK, "OPTIONS", "/info"); a.header.Get("Allow") != "GET, HEAD, OPTIONS" {
		t.Errorf("OPTIONS /info: Allow %q", a.header.Get("Allow"))
	}
	// Admin requests need an admin key, which there is none of.
	c.must(http.StatusForbidden, "GET", "/info?swiftinfo_sig=abc&swiftinfo_expires=1")
}

// Configured constraints and settings are what /info publishes.
func TestInfoConfigured(t *testing.T) {
	c := newACCluster(t, func(cfg *proxy.Config) {
		cfg.Constraints.MaxMetaCount = 50
		cfg.Constraints.MaxFileSize = 1 << 30
		cfg.Constraints.ContainerListingLimit = 500
		cfg.Constraints.ValidAPIVersions = []string{"v1"}
		cfg.AllowAccountManagement = true
		cfg.AccountAutocreate = false
		cfg.SwiftVersion = "2.30.1-swiftlet"
		cfg.InfoSections = map[string]any{
			"slo":   map[string]any{"max_manifest_segments": 1000, "yield_frequency": 10},
			"swift": map[string]any{"container_sync": false},
		}
	})
	var info map[string]map[string]any
	if err := json.Unmarshal([]byte(c.must(http.StatusOK, "GET", "/info").body), &info); err != nil {
		t.Fatal(err)
	}
	sw := info["swift"]
	for k, want := range map[string]any{
		"max_meta_count": 50.0, "max_file_size": float64(1 << 30), "container_listing_limit": 500.0,
		"allow_account_management": true, "account_autocreate": false, "version": "2.30.1-swiftlet",
		"container_sync": false, "max_object_name_length": 1024.0,
	} {
		if sw[k] != want {
			t.Errorf("swift.%s = %v, want %v", k, sw[k], want)
		}
	}
	if v, _ := sw["valid_api_versions"].([]any); len(v) != 1 || v[0] != "v1" {
		t.Errorf("swift.valid_api_versions = %v", sw["valid_api_versions"])
	}
	if _, ok := sw["auto_create_account_prefix"]; ok {
		t.Error("swift.auto_create_account_prefix is published; Swift withholds it by default")
	}
	if info["slo"]["max_manifest_segments"] != 1000.0 {
		t.Errorf("slo section = %v", info["slo"])
	}
}
