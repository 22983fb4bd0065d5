package tempauth

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/swiftlet/swiftlet/proxy"
)

// standardKeys are the StandardUsers' keys by login.
var standardKeys = map[string]string{
	"admin:admin": "admin", "test:tester": "testing", "test:tester2": "testing2", "test:tester3": "testing3",
	"test2:tester2": "testing2", "test5:tester5": "testing5",
}

// targetOf splits /v1/<account>[/<container>[/<object>]].
func targetOf(method, path string) proxy.Target {
	segs := strings.SplitN(strings.TrimPrefix(path, "/v1/"), "/", 3)
	for len(segs) < 3 {
		segs = append(segs, "")
	}
	return proxy.Target{Account: segs[0], Container: segs[1], Object: segs[2], Method: method}
}

// TestACLMatrix walks Swift's authorization rules with the standard users,
// one named case each, through the middleware and the authorizer it
// attaches (as the proxy would call it). TestSwiftAuthorize holds the same
// code to Swift's own answers on a much larger grid.
func TestACLMatrix(t *testing.T) {
	const (
		ok        = 0
		anonymous = ""
	)
	tests := []struct {
		name              string
		login             string // "" anonymous
		method, path      string
		read, write       string // the container's ACLs
		referer           string
		wantStatus        int // 0: allowed
		wantOwner, wantRA bool
	}{
		// Anonymous clients and referrer ACLs.
		{name: "anonymous object GET with .r:*", login: anonymous, method: "GET", path: "/v1/AUTH_test/c/o",
			read: ".r:*", wantStatus: ok},
		{name: "anonymous listing with .r:* only", login: anonymous, method: "GET", path: "/v1/AUTH_test/c",
			read: ".r:*", wantStatus: 401},
		{name: "anonymous listing with .rlistings", login: anonymous, method: "GET", path: "/v1/AUTH_test/c",
			read: ".r:*,.rlistings", wantStatus: ok},
		{name: "anonymous HEAD of a container with .rlistings", login: anonymous, method: "HEAD", path: "/v1/AUTH_test/c",
			read: ".r:*,.rlistings", wantStatus: ok},
		{name: "anonymous PUT with a read ACL .r:*", login: anonymous, method: "PUT", path: "/v1/AUTH_test/c/o",
			read: ".r:*", wantStatus: 401},
		{name: "anonymous without ACL", login: anonymous, method: "GET", path: "/v1/AUTH_test/c/o", wantStatus: 401},
		{name: "anonymous account listing", login: anonymous, method: "GET", path: "/v1/AUTH_test",
			read: ".r:*,.rlistings", wantStatus: 401},
		{name: "referrer of the allowed domain", login: anonymous, method: "GET", path: "/v1/AUTH_test/c/o",
			read: ".r:.example.com,.r:-bad.example.com", referer: "http://www.example.com/page", wantStatus: ok},
		{name: "referrer denied after being allowed", login: anonymous, method: "GET", path: "/v1/AUTH_test/c/o",
			read: ".r:.example.com,.r:-bad.example.com", referer: "http://bad.example.com/page", wantStatus: 401},
		{name: "referrer of another domain", login: anonymous, method: "GET", path: "/v1/AUTH_test/c/o",
			read: ".r:.example.com", referer: "http://example.org/", wantStatus: 401},
		{name: "no referrer for a domain rule", login: anonymous, method: "GET", path: "/v1/AUTH_test/c/o",
			read: ".r:.example.com", wantStatus: 401},
		{name: "referrer listing needs .rlistings", login: anonymous, method: "GET", path: "/v1/AUTH_test/c",
			read: ".r:.example.com", referer: "http://www.example.com/", wantStatus: 401},
		{name: "anonymous OPTIONS", login: anonymous, method: "OPTIONS", path: "/v1/AUTH_test/c/o", wantStatus: ok},
		{name: "anonymous outside the reseller prefix", login: anonymous, method: "GET", path: "/v1/OTHER_x/c/o",
			read: ".r:*", wantStatus: 401},

		// Users of another account.
		{name: "other account's admin without ACL", login: "test2:tester2", method: "GET", path: "/v1/AUTH_test/c",
			wantStatus: 403},
		{name: "other account's admin on the account", login: "test2:tester2", method: "HEAD", path: "/v1/AUTH_test",
			wantStatus: 403},
		{name: "other account's admin writing", login: "test2:tester2", method: "PUT", path: "/v1/AUTH_test/c/o",
			wantStatus: 403},
		{name: "account:user read ACL lists", login: "test2:tester2", method: "GET", path: "/v1/AUTH_test/c",
			read: "test2:tester2", wantStatus: ok},
		{name: "account:user read ACL reads", login: "test2:tester2", method: "GET", path: "/v1/AUTH_test/c/o",
			read: "test2:tester2", wantStatus: ok},
		{name: "account:user read ACL does not write", login: "test2:tester2", method: "PUT", path: "/v1/AUTH_test/c/o",
			read: "test2:tester2", wantStatus: 403},
		{name: "account:user write ACL writes", login: "test2:tester2", method: "PUT", path: "/v1/AUTH_test/c/o",
			write: "test2:tester2", wantStatus: ok},
		{name: "write ACL deletes objects", login: "test2:tester2", method: "DELETE", path: "/v1/AUTH_test/c/o",
			write: "test2:tester2", wantStatus: ok},
		{name: "write ACL posts objects", login: "test2:tester2", method: "POST", path: "/v1/AUTH_test/c/o",
			write: "test2:tester2", wantStatus: ok},
		{name: "write ACL does not read", login: "test2:tester2", method: "GET", path: "/v1/AUTH_test/c/o",
			write: "test2:tester2", wantStatus: 403},
		{name: "write ACL does not touch the container", login: "test2:tester2", method: "POST", path: "/v1/AUTH_test/c",
			read: "test2:tester2", write: "test2:tester2", wantStatus: 403},
		{name: "ACL naming the whole account", login: "test2:tester2", method: "GET", path: "/v1/AUTH_test/c/o",
			read: "test2", wantStatus: ok},
		{name: "ACL naming another user", login: "test2:tester2", method: "GET", path: "/v1/AUTH_test/c/o",
			read: "test:tester3", wantStatus: 403},
		{name: "* is no wildcard in tempauth", login: "test2:tester2", method: "GET", path: "/v1/AUTH_test/c/o",
			read: "*", wantStatus: 403},
		{name: "configured group in an ACL", login: "test5:tester5", method: "GET", path: "/v1/AUTH_test/c/o",
			read: "service", wantStatus: ok},
		{name: "percent-encoded ACL group", login: "test2:tester2", method: "GET", path: "/v1/AUTH_test/c/o",
			read: "test2%3Atester2", wantStatus: ok},
		{name: "authenticated user with .r:*", login: "test2:tester2", method: "GET", path: "/v1/AUTH_test/c/o",
			read: ".r:*", wantStatus: ok},

		// A non-admin user of the same account.
		{name: "same-account non-admin on the account", login: "test:tester3", method: "GET", path: "/v1/AUTH_test",
			wantStatus: 403},
		{name: "same-account non-admin without ACL", login: "test:tester3", method: "GET", path: "/v1/AUTH_test/c/o",
			wantStatus: 403},
		{name: "same-account non-admin creating a container", login: "test:tester3", method: "PUT", path: "/v1/AUTH_test/c",
			wantStatus: 403},
		{name: "same-account non-admin named in the ACL", login: "test:tester3", method: "GET", path: "/v1/AUTH_test/c",
			read: "test:tester3", wantStatus: ok},
		{name: "same-account non-admin by account group", login: "test:tester3", method: "PUT", path: "/v1/AUTH_test/c/o",
			write: "test", wantStatus: ok},

		// Account admins.
		{name: "admin reads its account", login: "test:tester", method: "GET", path: "/v1/AUTH_test",
			wantStatus: ok, wantOwner: true},
		{name: "admin posts its account", login: "test:tester", method: "POST", path: "/v1/AUTH_test",
			wantStatus: ok, wantOwner: true},
		{name: "admin creates a container", login: "test:tester", method: "PUT", path: "/v1/AUTH_test/c",
			wantStatus: ok, wantOwner: true},
		{name: "admin deletes an object", login: "test:tester2", method: "DELETE", path: "/v1/AUTH_test/c/o",
			wantStatus: ok, wantOwner: true},
		{name: "admin may not create its account", login: "test:tester", method: "PUT", path: "/v1/AUTH_test",
			wantStatus: 403},
		{name: "admin may not delete its account", login: "test:tester", method: "DELETE", path: "/v1/AUTH_test",
			wantStatus: 403},
		{name: "admin of another account", login: "test:tester", method: "GET", path: "/v1/AUTH_test2/c/o",
			wantStatus: 403},
		{name: "admin allowed by ACL elsewhere is no owner", login: "test:tester", method: "GET", path: "/v1/AUTH_test2/c/o",
			read: "test:tester", wantStatus: ok},
		{name: "admin outside the reseller prefix", login: "test:tester", method: "GET", path: "/v1/OTHER_test",
			wantStatus: 403},

		// The reseller admin.
		{name: "reseller admin in any account", login: "admin:admin", method: "GET", path: "/v1/AUTH_test/c/o",
			wantStatus: ok, wantOwner: true, wantRA: true},
		{name: "reseller admin creates accounts", login: "admin:admin", method: "PUT", path: "/v1/AUTH_new",
			wantStatus: ok, wantOwner: true, wantRA: true},
		{name: "reseller admin deletes accounts", login: "admin:admin", method: "DELETE", path: "/v1/AUTH_test2",
			wantStatus: ok, wantOwner: true, wantRA: true},
		{name: "reseller admin not in dot accounts", login: "admin:admin", method: "GET", path: "/v1/AUTH_.hidden",
			wantStatus: 403},
		{name: "reseller admin not in the bare prefix", login: "admin:admin", method: "GET", path: "/v1/AUTH_",
			wantStatus: 403},
		{name: "reseller admin outside the prefix", login: "admin:admin", method: "GET", path: "/v1/OTHER_x",
			wantStatus: 403},
		{name: "reseller admin in a dot account by ACL", login: "admin:admin", method: "GET", path: "/v1/AUTH_.hidden/c/o",
			read: "admin:admin", wantStatus: ok, wantRA: true},
	}
	e := newTestEnv(t, Config{Users: StandardUsers()})
	tokens := map[string]string{}
	for login, key := range standardKeys {
		tokens[login] = e.login(t, login, key)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.login != "" {
				h.Set("X-Auth-Token", tokens[tt.login])
			}
			if tt.referer != "" {
				h.Set("Referer", tt.referer)
			}
			r, z, w := e.passed(t, tt.method, tt.path, h)
			if z == nil {
				t.Fatalf("the middleware answered %d itself", w.Code)
			}
			tg := targetOf(tt.method, tt.path)
			tg.ReadACL, tg.WriteACL = tt.read, tt.write
			g, status, hdr := grantOrStatus(t, z, r, tg)
			if status != tt.wantStatus {
				t.Fatalf("Authorize(%+v) status %d, want %d", tg, status, tt.wantStatus)
			}
			if status == 401 {
				if got, want := hdr.Get("Www-Authenticate"), `Swift realm="`+tg.Account+`"`; got != want {
					t.Errorf("Www-Authenticate = %q, want %q", got, want)
				}
			}
			if status == 0 && (g.Owner != tt.wantOwner || g.ResellerAdmin != tt.wantRA) {
				t.Errorf("Authorize(%+v) = %+v, want Owner %v, ResellerAdmin %v", tg, g, tt.wantOwner, tt.wantRA)
			}
		})
	}
}

// TestMiddlewareIdentifies: what the middleware does before the proxy
// decides.
func TestMiddlewareIdentifies(t *testing.T) {
	e := newTestEnv(t, Config{Users: StandardUsers()})
	tester := e.login(t, "test:tester", "testing")
	tests := []struct {
		name       string
		path       string
		header     http.Header
		wantStatus int    // the middleware's own answer; 0: passed on
		wantRealm  string // its challenge
		wantUser   string // the identity the proxy sees; "" anonymous
		wantDeny   bool   // passed on with every target refused
	}{
		{name: "valid token", path: "/v1/AUTH_test/c", header: http.Header{"X-Auth-Token": {tester}},
			wantUser: "test:tester"},
		{name: "X-Storage-Token", path: "/v1/AUTH_test/c", header: http.Header{"X-Storage-Token": {tester}},
			wantUser: "test:tester"},
		{name: "X-Auth-Token wins over X-Storage-Token", path: "/v1/AUTH_test",
			header:     http.Header{"X-Auth-Token": {"AUTH_tkwrong"}, "X-Storage-Token": {tester}},
			wantStatus: 401, wantRealm: "AUTH_test"},
		{name: "wrong token", path: "/v1/AUTH_test/c/o", header: http.Header{"X-Auth-Token": {"AUTH_tk0123"}},
			wantStatus: 401, wantRealm: "AUTH_test"},
		{name: "wrong token, no account in the path", path: "/info", header: http.Header{"X-Auth-Token": {"AUTH_tk0123"}},
			wantStatus: 401, wantRealm: "unknown"},
		{name: "valid token outside the prefix", path: "/v1/OTHER_x", header: http.Header{"X-Auth-Token": {tester}},
			wantUser: "test:tester"},
		{name: "no token", path: "/v1/AUTH_test/c/o"},
		{name: "empty token", path: "/v1/AUTH_test/c/o", header: http.Header{"X-Auth-Token": {""}, "X-Storage-Token": {tester}}},
		{name: "another auth system's token", path: "/v1/AUTH_test/c/o", header: http.Header{"X-Auth-Token": {"gAAAAAB"}}},
		{name: "no token outside the prefix", path: "/v1/OTHER_x/c", wantDeny: true},
		{name: "no token, not an account path", path: "/info", wantDeny: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, z, w := e.passed(t, "GET", tt.path, tt.header)
			if tt.wantStatus != 0 {
				if z != nil || w.Code != tt.wantStatus {
					t.Fatalf("status %d (passed on: %v), want the middleware's %d", w.Code, z != nil, tt.wantStatus)
				}
				if got, want := w.Header().Get("Www-Authenticate"), `Swift realm="`+tt.wantRealm+`"`; got != want {
					t.Errorf("Www-Authenticate = %q, want %q", got, want)
				}
				return
			}
			if z == nil {
				t.Fatalf("the middleware answered %d, want the request passed on", w.Code)
			}
			user := ""
			if id := IdentityFrom(r.Context()); id != nil {
				user = id.Name()
			}
			if user != tt.wantUser || z.denyAll != tt.wantDeny {
				t.Errorf("identity %q, deny all %v; want %q, %v", user, z.denyAll, tt.wantUser, tt.wantDeny)
			}
		})
	}
}

func TestGroups(t *testing.T) {
	e := newTestEnv(t, Config{})
	tests := []struct {
		login, key string
		want       []string
		accountID  string
	}{
		{"test:tester", "testing", []string{"test", "test:tester", "AUTH_test"}, "AUTH_test"},
		{"test:tester3", "testing3", []string{"test", "test:tester3"}, "AUTH_test"},
		{"admin:admin", "admin", []string{"admin", "admin:admin", ".reseller_admin", "AUTH_admin"}, "AUTH_admin"},
		{"test5:tester5", "testing5", []string{"test5", "test5:tester5", "service"}, "AUTH_test5"},
		{"ext:admin", "extpw", []string{"ext", "ext:admin", "AUTH_ext", "AUTH_elsewhere"}, "AUTH_elsewhere"},
		{"under_score:a_b", "testing4", []string{"under_score", "under_score:a_b", "AUTH_under_score"}, "AUTH_under_score"},
	}
	for _, tt := range tests {
		tok := e.login(t, tt.login, tt.key)
		r, _, _ := e.passed(t, "GET", "/v1/AUTH_test", http.Header{"X-Auth-Token": {tok}})
		id := IdentityFrom(r.Context())
		if id == nil || !slices.Equal(id.Groups, tt.want) || id.AccountID != tt.accountID {
			t.Errorf("%s: identity %+v, want groups %q and account %s", tt.login, id, tt.want, tt.accountID)
		}
	}
}

// TestServiceToken: a valid X-Service-Token adds its user's groups.
func TestServiceToken(t *testing.T) {
	e := newTestEnv(t, Config{Users: StandardUsers()})
	user, service := e.login(t, "test:tester3", "testing3"), e.login(t, "test5:tester5", "testing5")
	target := proxy.Target{Account: "AUTH_test", Container: "c", Object: "o", Method: "GET", ReadACL: "service"}
	for _, tt := range []struct {
		name    string
		service string
		want    int
	}{
		{"without", "", 403},
		{"with", service, 0},
		{"invalid", "AUTH_tkbogus", 403},
	} {
		h := http.Header{"X-Auth-Token": {user}}
		if tt.service != "" {
			h.Set("X-Service-Token", tt.service)
		}
		r, z, _ := e.passed(t, "GET", "/v1/AUTH_test/c/o", h)
		if _, status, _ := grantOrStatus(t, z, r, target); status != tt.want {
			t.Errorf("%s service token: status %d, want %d", tt.name, status, tt.want)
		}
	}
}

func TestRequireGroup(t *testing.T) {
	users := []User{
		{Account: "a", User: "plain", Key: "k", Groups: []string{".admin"}},
		{Account: "a", User: "ops", Key: "k", Groups: []string{".admin", "ops"}},
	}
	e := newTestEnv(t, Config{Users: users, RequireGroup: "ops"})
	for login, want := range map[string]int{"a:plain": 403, "a:ops": 0} {
		r, z, _ := e.passed(t, "GET", "/v1/AUTH_a", http.Header{"X-Auth-Token": {e.login(t, login, "k")}})
		if _, status, _ := grantOrStatus(t, z, r, proxy.Target{Account: "AUTH_a", Method: "GET"}); status != want {
			t.Errorf("%s: status %d, want %d", login, status, want)
		}
	}
}

// TestTargetMethod: the target's method decides, not the request's (a
// COPY authorizes a GET of its source and a PUT of its destination).
func TestTargetMethod(t *testing.T) {
	e := newTestEnv(t, Config{Users: StandardUsers()})
	r, z, _ := e.passed(t, "COPY", "/v1/AUTH_test/c/o", http.Header{"X-Auth-Token": {e.login(t, "test2:tester2", "testing2")}})
	src := proxy.Target{Account: "AUTH_test", Container: "c", Object: "o", Method: "GET", ReadACL: "test2"}
	dst := proxy.Target{Account: "AUTH_test", Container: "d", Object: "o", Method: "PUT", ReadACL: "test2"}
	if _, status, _ := grantOrStatus(t, z, r, src); status != 0 {
		t.Errorf("source GET: %d, want allowed by the read ACL", status)
	}
	if _, status, _ := grantOrStatus(t, z, r, dst); status != 403 {
		t.Errorf("destination PUT: %d, want 403 (no write ACL)", status)
	}
	dst.WriteACL = "test2:tester2"
	if _, status, _ := grantOrStatus(t, z, r, dst); status != 0 {
		t.Errorf("destination PUT with a write ACL: %d, want allowed", status)
	}
}

// TestSecret: the S3 layer's credential lookup, and the authorizer it
// attaches once the signature checks out.
func TestSecret(t *testing.T) {
	e := newTestEnv(t, Config{Users: StandardUsers()})
	for login, key := range standardKeys {
		id, secret, ok := e.auth.Secret(login)
		if !ok || secret != key || id.Name() != login {
			t.Errorf("Secret(%q) = %+v, %q, %v; want %q", login, id, secret, ok, key)
		}
	}
	for _, bad := range []string{"", "test", "tester", "test:", "test:nobody", "TEST:tester"} {
		if id, secret, ok := e.auth.Secret(bad); ok {
			t.Errorf("Secret(%q) = %+v, %q, true; want unknown", bad, id, secret)
		}
	}
	id, _, _ := e.auth.Secret("test:tester")
	if id.AccountID != "AUTH_test" {
		t.Errorf("AccountID = %q, want AUTH_test", id.AccountID)
	}
	r, _ := http.NewRequest("GET", "/bucket/key", nil)
	z := e.auth.Authorizer(id)
	if g, err := z.Authorize(r, proxy.Target{Account: "AUTH_test", Container: "bucket", Method: "GET"}); err != nil || !g.Owner {
		t.Errorf("S3 authorizer of test:tester in AUTH_test = %+v, %v; want owner", g, err)
	}
	if _, err := z.Authorize(r, proxy.Target{Account: "AUTH_test2", Container: "bucket", Method: "GET"}); err == nil {
		t.Errorf("S3 authorizer of test:tester in AUTH_test2 allowed")
	}
	if _, err := e.auth.Authorizer(nil).Authorize(r, proxy.Target{Account: "AUTH_test", Container: "b", Method: "GET"}); err == nil {
		t.Errorf("anonymous S3 authorizer allowed")
	}
	// The secret handed out is a copy: changing the identity changes
	// nothing.
	id.Groups[0] = "AUTH_test2"
	if again, _, _ := e.auth.Secret("test:tester"); again.Groups[0] != "test" {
		t.Errorf("Secret's identity shares its groups")
	}
}

func TestInfoSections(t *testing.T) {
	e := newTestEnv(t, Config{})
	got := e.auth.InfoSections()
	ta, ok := got["tempauth"].(map[string]any)
	if !ok || ta["account_acls"] != false {
		t.Errorf("InfoSections() = %v, want tempauth with account_acls false", got)
	}
}

// TestAuthorizerCleansACLs: the optional method the proxy looks for on the
// Authorizer to clean ACL headers, as Swift's swift.clean_acl.
func TestAuthorizerCleansACLs(t *testing.T) {
	e := newTestEnv(t, Config{Users: StandardUsers()})
	_, z, _ := e.passed(t, "POST", "/v1/AUTH_test/c", nil)
	var pa proxy.Authorizer = z
	cleaner, ok := pa.(interface {
		CleanACL(header, value string) (string, error)
	})
	if !ok {
		t.Fatal("the authorizer has no CleanACL method")
	}
	if got, err := cleaner.CleanACL("X-Container-Read", ".ref:*.example.com, bob , .rlistings"); err != nil || got != ".r:.example.com,bob,.rlistings" {
		t.Errorf("CleanACL = %q, %v", got, err)
	}
	_, err := cleaner.CleanACL("X-Container-Write", ".r:*")
	se, ok := err.(*proxy.StatusError)
	if !ok || se.Status != 400 || se.Body != "Referrers not allowed in write ACL: '.r:*'" {
		t.Errorf("CleanACL of a referrer in a write ACL = %v, want 400 with Swift's body", err)
	}
}
