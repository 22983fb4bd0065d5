// Package tempauth is Swift's tempauth: users, keys and groups from the
// configuration, tokens handed out at /auth/v1.0, and the authorization of
// every Swift API request by account ownership and container ACLs. It
// follows swift/common/middleware/tempauth.py and acl.py (Swift 2.30.1).
//
// # Place in the pipeline
//
//	client --> Auth.ServeHTTP
//	             /auth/...  --> a token (serveAuth)
//	             otherwise  --> proxy.WithAuthorizer(identity) --> next (proxy.Server)
//	                              the proxy, once it knows the target and its
//	                              container's ACLs --> Authorizer.Authorize
//
// The middleware identifies the client from X-Auth-Token (or
// X-Storage-Token): a token starting with the reseller prefix ("AUTH_")
// is ours, and an unknown or expired one is answered 401 at once. Without
// a token of ours the client is anonymous in accounts under the prefix
// (container ACLs may still let it in), and refused everywhere else. The
// decision itself (Authorize) waits until the proxy knows the target.
//
// The S3 layer authenticates by signature instead: Secret gives it the
// key of an access key ("account:user") and Authorizer the
// proxy.Authorizer for the identity, which it attaches in place of the
// one this middleware set (proxy.WithAuthorizer again: the latest wins).
//
// # Authorization
//
// The Authorizer decides as Swift's tempauth does, in this order:
//
//  1. A target account outside the reseller prefix is refused.
//  2. A reseller admin (".reseller_admin") owns every account except the
//     bare prefix ("AUTH_") and accounts starting with a dot ("AUTH_.x").
//  3. A reseller reader (".reseller_reader") may GET and HEAD them.
//  4. A user with the account among its groups (an ".admin" of it) owns
//     it, except that it may not PUT or DELETE the account itself; with
//     Config.RequireGroup it needs that group too.
//  5. OPTIONS is allowed (CORS preflight).
//  6. The container's ACL for the method: X-Container-Read for GET and
//     HEAD of a container or object, X-Container-Write for PUT, POST and
//     DELETE of an object; none otherwise (only owners write containers
//     and accounts, as Swift's controllers pass no ACL there). A referrer
//     designation matching the Referer header allows object reads, and
//     container listings too with ".rlistings"; any of the user's groups
//     named in the ACL allows the request ("*" is no wildcard here).
//  7. Otherwise 401 for an anonymous client (with a Www-Authenticate
//     challenge), 403 for an authenticated one.
//
// Only 2 and 4 make the client an owner (proxy.Grant.Owner);
// Grant.ResellerAdmin is set for members of ".reseller_admin". The proxy
// passes both ACLs of the container in proxy.Target and the method it
// authorizes (a COPY asks for a GET of its source and a PUT of its
// destination); the Authorizer picks the ACL as in 6. The Authorizer also
// has a CleanACL(header, value string) (string, error) method, Swift's
// swift.clean_acl, with which the proxy normalises X-Container-Read and
// X-Container-Write before storing them (a *proxy.StatusError 400 when
// refused).
//
// # Wire protocol
//
//	GET /auth/v1.0
//	X-Auth-User: test:tester          (or X-Storage-User)
//	X-Auth-Key: testing               (or X-Storage-Pass)
//
//	200 OK
//	X-Auth-Token: AUTH_tk5f1b...      (also X-Storage-Token)
//	X-Auth-Token-Expires: 86399       (seconds left)
//	X-Storage-Url: http://127.0.0.1:8080/v1/AUTH_test
//
// /auth/auth and /auth/v1/<account>/auth (with X-Storage-User: <user>)
// work too; a bad login is 401 with Www-Authenticate: Swift realm="...".
// A user asking again while its token lives gets the same token.
//
// # Glossary
//
//   - reseller prefix: the start of the account names (AUTH_test) and
//     tokens (AUTH_tk...) this middleware is the authority for.
//   - groups: what a user is, for ACLs: its account ("test"), its login
//     ("test:tester"), its configured groups, and for an ".admin" the
//     account it owns ("AUTH_test").
//   - owner: a client that may do anything in an account, see and set its
//     ACLs (Swift's swift_owner): a reseller admin, or an .admin of it.
//   - ACL: X-Container-Read and X-Container-Write, lists of groups and
//     (read only) referrer designations .r:<host> (see CleanACL).
//
// # Differences from Swift
//
//   - Tokens live in this process's memory, not memcache: proxies do not
//     share them, and a restart forgets them.
//   - One reseller prefix, not a list, and not empty.
//   - Account ACLs (X-Account-Access-Control) are not supported: the
//     proxy's Target does not carry the account's ACL. /info says
//     "account_acls": false.
//   - Container sync keys are not an authorization (there is no container
//     sync), and there is no swift.authorize_override.
//   - An anonymous client has no groups, so an ACL with an empty item (which
//     CleanACL never stores) does not let it in; Swift's anonymous group
//     list is [""].
//   - The answers the middleware gives itself (tokens, invalid tokens) do
//     not pass through the proxy: no X-Trans-Id, not in its request log
//     (they are logged here) or its request metrics (they have their own).
//   - A Referer Python's urlparse rejects (unbalanced IPv6 brackets), a 500
//     in Swift, counts as a request without a Referer; host names are
//     lower-cased in ASCII only.
package tempauth
