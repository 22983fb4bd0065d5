#!/usr/bin/python3
"""Records what Swift 2.30.1's own tempauth and acl modules decide, for
swift_golden_test.go to hold the Go package to.

    /usr/bin/python3 testdata/gen_golden.py | gzip -9n > testdata/swift_golden.json.gz

Needs Debian's python3-swift. Every case runs through Swift's TempAuth
middleware exactly as the proxy would: the auth endpoint for tokens, then a
request whose env['swift.authorize'] is called with req.acl set to the ACL
Swift's controllers pass for the method (container and object GET/HEAD:
X-Container-Read; object PUT/POST/DELETE: X-Container-Write; else none).
"""
import base64
import json
import sys

from swift.common.middleware import acl, tempauth
from swift.common.swob import Request

USERS = {
    'user_admin_admin': 'admin .admin .reseller_admin',
    'user_test_tester': 'testing .admin',
    'user_test_tester2': 'testing2 .admin',
    'user_test_tester3': 'testing3',
    'user_test2_tester2': 'testing2 .admin',
    'user_test5_tester5': 'testing5 service',
    'user_reader_reader': 'reading .reseller_reader',
    'user_ext_admin': 'extpw .admin http://other.example.com:8080/v1/AUTH_elsewhere',
    'user64_dW5kZXJfc2NvcmU_YV9i': 'testing4 .admin',
}


class FakeMemcache(object):
    def __init__(self):
        self.store = {}

    def get(self, key):
        return self.store.get(key)

    def set(self, key, value, time=0, raise_on_error=False):
        self.store[key] = value


def captured_app(env, start_response):
    start_response('200 OK', [('Content-Length', '0')])
    return [b'']


def make(conf):
    return tempauth.filter_factory({}, **conf)(captured_app)


def get_token(ta, mc, login, key):
    req = Request.blank('/auth/v1.0', environ={'swift.cache': mc},
                        headers={'X-Auth-User': login, 'X-Auth-Key': key})
    resp = req.get_response(ta)
    assert resp.status_int == 200, (login, resp.status)
    return resp.headers['X-Auth-Token']


def acl_for(container, obj, method):
    if not container:
        return None
    if method in ('GET', 'HEAD'):
        return 'read'
    if obj and method in ('PUT', 'POST', 'DELETE'):
        return 'write'
    return None


def authorize_cases():
    mc = FakeMemcache()
    ta = make(USERS)
    keys = {'admin:admin': 'admin', 'test:tester': 'testing', 'test:tester3': 'testing3',
            'test2:tester2': 'testing2', 'test5:tester5': 'testing5', 'reader:reader': 'reading',
            'ext:admin': 'extpw', 'under_score:a_b': 'testing4'}
    tokens = dict((login, get_token(ta, mc, login, key)) for login, key in keys.items())
    # (name, X-Auth-Token, X-Service-Token)
    clients = [('', None, None), ('AUTH_tkbogus', 'AUTH_tkbogus', None), ('OTHER_tk1', 'OTHER_tk1', None)]
    clients += [(login, tokens[login], None) for login in sorted(tokens)]
    clients.append(('test:tester3+test5:tester5', tokens['test:tester3'], tokens['test5:tester5']))
    acls = [
        ('', ''), ('.r:*', ''), ('.r:*', 'http://x.org/'), ('.r:*,.rlistings', ''),
        ('.r:.example.com,.r:-bad.example.com', 'http://www.example.com/p'),
        ('.r:.example.com,.r:-bad.example.com', 'http://bad.example.com/'),
        ('.r:.example.com,.r:-bad.example.com', ''),
        ('.r:.example.com,.rlistings', 'https://user@WWW.Example.COM:8443/x'),
        ('.r:-.example.com,.r:*', 'http://a.example.com'),
        ('test:tester3', ''), ('test2', ''), ('test2:tester2,service', ''), ('*', ''),
        ('AUTH_test', ''), ('test%3Atester3', ''), ('.rlistings', ''),
    ]
    accounts = ['AUTH_test', 'AUTH_test2', 'AUTH_.dot', 'AUTH_', 'AUTH_elsewhere',
                'AUTH_under_score', 'OTHER_x', 'test']
    methods = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS']
    out = []
    for name, token, service in clients:
        for account in accounts:
            for container, obj in (('', ''), ('c', ''), ('c', 'o/p')):
                path = '/v1/' + account + ('/' + container if container else '') + ('/' + obj if obj else '')
                for method in methods:
                    for acl_value, referer in (acls if container else acls[:1]):
                        headers = {}
                        if token:
                            headers['X-Auth-Token'] = token
                        if service:
                            headers['X-Service-Token'] = service
                        if referer:
                            headers['Referer'] = referer
                        env = {'REQUEST_METHOD': method, 'swift.cache': mc}
                        req = Request.blank(path, environ=env, headers=headers)
                        resp = req.get_response(ta)
                        case = [name, account, container, obj, method, acl_value, referer]
                        if 'swift.authorize' not in req.environ:
                            out.append(case + ['mw', resp.status_int, resp.headers.get('Www-Authenticate', '')])
                            continue
                        which = acl_for(container, obj, method)
                        req.acl = acl_value if which else None
                        aresp = req.environ['swift.authorize'](req)
                        if aresp is None:
                            out.append(case + ['ok', bool(req.environ.get('swift_owner')),
                                               bool(req.environ.get('reseller_request'))])
                        else:
                            out.append(case + ['deny', aresp.status_int, aresp.headers.get('Www-Authenticate', '')])
    return out


def endpoint_cases():
    mc = FakeMemcache()
    ta = make(USERS)
    out = []
    paths = ['/auth/v1.0', '/auth/v1.0/', '/auth/auth', '/auth/v1/test/auth', '/auth/v1/test2/auth',
             '/auth/v1/test', '/auth/v2', '/auth/', '/auth//v1.0', '/auth/v1.0/x/y/z', '/auth/v1/test/auth/more']
    creds = [
        {}, {'X-Auth-User': 'test:tester', 'X-Auth-Key': 'testing'},
        {'X-Storage-User': 'test:tester', 'X-Storage-Pass': 'testing'},
        {'X-Storage-User': 'tester', 'X-Storage-Pass': 'testing'},
        {'X-Auth-User': 'test:tester', 'X-Storage-Pass': 'testing'},
        {'X-Auth-User': 'test:tester', 'X-Auth-Key': 'wrong'},
        {'X-Auth-User': 'test:nobody', 'X-Auth-Key': 'testing'},
        {'X-Auth-User': 'test2:tester2', 'X-Auth-Key': 'testing2'},
        {'X-Auth-User': 'tester', 'X-Auth-Key': 'testing'},
        {'X-Auth-User': 'test:', 'X-Auth-Key': 'testing'},
        {'X-Auth-User': ':tester', 'X-Auth-Key': 'testing'},
        {'X-Auth-User': 'test:tester'},
        {'X-Auth-User': 'test:tester', 'X-Auth-Key': 'testing', 'X-Storage-User': 'test2:tester2',
         'X-Storage-Pass': 'testing2'},
        {'X-Storage-User': 'tester', 'X-Auth-User': 'test2:tester2', 'X-Auth-Key': 'testing'},
        {'X-Auth-User': 'ext:admin', 'X-Auth-Key': 'extpw'},
        {'X-Auth-User': 'under_score:a_b', 'X-Auth-Key': 'testing4'},
    ]
    for method in ('GET', 'HEAD', 'POST'):
        for path in paths:
            for hdrs in (creds if method == 'GET' else creds[1:2]):
                req = Request.blank(path, environ={'REQUEST_METHOD': method, 'swift.cache': mc},
                                    headers=dict(hdrs, Host='proxy.example.com:8080'))
                resp = req.get_response(ta)
                token = resp.headers.get('X-Auth-Token', '')
                out.append([method, path, hdrs, resp.status_int, resp.headers.get('Www-Authenticate', ''),
                            resp.headers.get('X-Storage-Url', ''), token.startswith('AUTH_tk'),
                            resp.headers.get('Content-Type', ''), resp.body.decode()])
    return out


def clean_cases():
    values = ['', 'bob, sue', 'bob , sue', 'bob,,,sue', '.referrer : *', '.ref:*.example.com',
              '.r:*, .rlistings', '.r:', '.r:-', '.r:*.', '.r:-*.example.com', '.r : - .x.com',
              '.r:*', '.r:.', '.r:*,.r:-.thief.com,bobs_account,sues_account:sue', '.x:y', '.:y',
              ':y', 'a:b:c', '.referer:-', ".r:it's", '.r:"q"', ".x:it's\"q\"", '.r:\t', 'a\tb, c\x1f',
              '\xa0bob\u3000', '.r:\u00e9t\u00e9.fr', '.x:\x01', '.r', '.rlistings', '.r:*,'
              , '.r:-.example.com', '.R:x', ' , , ', '.referrer:*.', '.x:\u0301\u200b\U0001f600\ud7ff',
              '.r:**0', '.r:*0', '.r:-**x', '.r:* *x', '.r:*-', '.r:*-.', '.r:--x', '.r:*-x', '.r:*- 0', '.r:- 0']
    out = []
    for header in ('X-Container-Read', 'X-Container-Write'):
        for v in values:
            try:
                out.append([header, v, 'ok', acl.clean_acl(header, v)])
            except ValueError as e:
                out.append([header, v, 'err', str(e)])
    return out


def parse_cases():
    values = ['', 'a,b', '.r:*,.rlistings,a%3Ab', 'a%zz%4', '%e2%82%41', '%e9%80', '%ed%a0%80x',
              '%f0%9f%98%80', '%f4%90%80%80', '%c0%af', 'caf\u00e9%20x', '%e2%82\u00e9%82', ',', '.r:']
    return [[v] + list(acl.parse_acl(v)) for v in values]


def referrer_cases():
    referers = [None, '', 'http://www.example.com/x', 'HTTP://WWW.EXAMPLE.COM', 'http://user:pw@host.org:99/',
                '//host.org/p', 'host.org', 'http://[::1]:80/', 'http://[fe80::1%ETH0]/',
                'http://[v1.x]/', 'http://[1.2.3.4]/', 'http://x]/', 'http://[::1/', 'http://[::1]x/',
                ' \t http://spaced.org', 'ht\ttp://tab.org', '1http://num.org', 'mailto:x@y.org',
                'http://a.example.com#frag', 'http://a.example.com?q', 'http://@/', 'http://:80/',
                'ftp://example.com', 'http://b.example.com.evil.org', 'http://example.com',
                'http://[::1]@host.org/']
    acls = [['*'], ['.example.com'], ['example.com'], ['-.example.com', '*'], ['*', '-.example.com'],
            ['::1'], ['fe80::1%ETH0'], ['unknown'], ['host.org'], [], ['-unknown', '*'],
            ['.example.com', '-a.example.com']]
    out = []
    for ref in referers:
        for a in acls:
            try:
                out.append([ref, a, acl.referrer_allowed(ref, a)])
            except ValueError:
                out.append([ref, a, 'error'])
    return out


def user64_cases():
    names = ['dW5kZXJfc2NvcmU', 'YV9i', 'YWI', 'YQ', 'Y', 'YWJj', 'YW-I', 'YW.I', 'w6k', '_', '',
             '4pyT', '/w', 'YW=I']
    out = []
    for n in names:
        p = n + '=' * (len(n) % 4)
        try:
            out.append([n, base64.b64decode(p).decode('utf8')])
        except ValueError:
            out.append([n, None])
    return out


json.dump({
    'authorize': authorize_cases(),
    'endpoint': endpoint_cases(),
    'clean_acl': clean_cases(),
    'parse_acl': parse_cases(),
    'referrer_allowed': referrer_cases(),
    'user64': user64_cases(),
}, sys.stdout, separators=(',', ':'))
