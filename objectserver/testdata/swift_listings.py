#!/usr/bin/python3
"""Records OpenStack Swift's own listing responses for listing_test.go.

Runs Swift's container and account servers in process (as Swift's unit
tests do), replays the setup requests below, then records status,
Content-Type and body of each listing request. The Go test replays the
same setup against swiftlet's servers and compares byte for byte.

    /usr/bin/python3 objectserver/testdata/swift_listings.py > objectserver/testdata/swift_listings.json

Recorded with Debian's Swift 2.30.1.
"""
import json
import logging
import os
import shutil
import sys
import tempfile
from urllib.parse import quote

from swift.account.server import AccountController
from swift.common import utils
from swift.common.swob import Request
from swift.container.server import ContainerController

TS = 1700000000

def ts(i):
    return '%.5f' % (TS + i * 1.12345)

OBJECTS = [
    # name, size, content type, etag
    ('a', 0, 'text/plain', 'd41d8cd98f00b204e9800998ecf8427e'),
    ('a/b', 10, 'application/octet-stream', '0123456789abcdef0123456789abcdef'),
    ('a/c/d', 11, 'image/png', 'e'),
    ('a/c/e', 12, 'text/plain; charset=utf-8', 'f'),
    ('a/c/', 13, 'text/plain', 'g'),
    ('b&<>"\'', 1, 'text/x-"quoted"', 'h'),
    ('caf\u00e9', 2, 'text/plain;swift_bytes=12345', 'i'),
    ('d/slo', 3, 'application/json; charset=utf-8;  swift_bytes=999 ; foo', 'j'),
    ('emoji\U0001F600', 4, 'text/plain', 'k'),
    ('tab\there', 5, 'text/plain', 'l'),
    ('z\\back', 6, 'a/b', 'm'),
    ('zz-', 7, 'a/b', 'n'),
    ('zz/', 8, 'a/b', 'o'),
    ('zz/x', 9, 'a/b', 'p'),
    ('zz0', 10, 'a/b', 'q'),
]

CONTAINERS = [
    # name, object count, bytes used
    ('c1', 3, 300),
    ('c2', 0, 0),
    ('dir.c3', 1, 10),
    ('dir.c4', 2, 20),
    ('dir2.c5', 5, 50),
    ('\u00e9t\u00e9 & <x>', 7, 70),
]

CONTAINER_QUERIES = [
    ('', {}),
    ('format=json', {}),
    ('format=xml', {}),
    ('format=plain', {}),
    ('format=JSON', {}),
    ('format=bogus', {}),
    ('', {'Accept': 'application/json'}),
    ('', {'Accept': 'text/xml'}),
    ('', {'Accept': 'application/xml;q=0.9, application/json;q=0.8'}),
    ('', {'Accept': '*/*'}),
    ('', {'Accept': 'application/*;q=0.9, text/plain;q=0.5'}),
    ('', {'Accept': 'image/png'}),
    ('', {'Accept': 'bad header'}),
    ('format=json', {'Accept': 'image/png'}),
    ('format=json&delimiter=/', {}),
    ('format=xml&delimiter=/', {}),
    ('delimiter=/', {}),
    ('format=json&prefix=a/&delimiter=/', {}),
    ('format=json&prefix=a/&delimiter=/&reverse=true', {}),
    ('format=json&delimiter=/&reverse=on', {}),
    ('format=json&prefix=zz&delimiter=/', {}),
    ('format=json&delimiter=/&marker=a/', {}),
    ('format=json&path=a', {}),
    ('format=json&path=a/c', {}),
    ('format=json&path=', {}),
    ('format=json&marker=b', {}),
    ('format=json&end_marker=b', {}),
    ('format=json&marker=a/b&end_marker=d', {}),
    ('format=json&marker=d&end_marker=a/b&reverse=yes', {}),
    ('format=json&reverse=1', {}),
    ('format=json&limit=2', {}),
    ('format=json&limit=2&reverse=true', {}),
    ('format=json&limit=0', {}),
    ('format=json&limit=10000', {}),
    ('format=json&limit=10001', {}),
    ('format=json&limit=abc', {}),
    ('format=json&prefix=nothing', {}),
    ('format=xml&prefix=nothing', {}),
    ('prefix=nothing', {}),
    ('format=json&prefix=caf%C3%A9', {}),
    ('format=json&marker=%FF', {}),
    ('format=json&prefix=z&limit=3&delimiter=z', {}),
]

ACCOUNT_QUERIES = [
    ('', {}),
    ('format=json', {}),
    ('format=xml', {}),
    ('format=json&delimiter=.', {}),
    ('format=xml&delimiter=.', {}),
    ('delimiter=.', {}),
    ('format=json&prefix=dir.', {}),
    ('format=json&prefix=dir&delimiter=.&reverse=true', {}),
    ('format=json&marker=c2&limit=2', {}),
    ('format=json&end_marker=dir', {}),
    ('format=json&limit=10001', {}),
    ('format=json&prefix=nothing', {}),
    ('format=xml&prefix=nothing', {}),
    ('prefix=nothing', {}),
    ('', {'Accept': 'application/xml'}),
]


def main():
    logging.disable(logging.CRITICAL)
    tmp = tempfile.mkdtemp()
    try:
        os.makedirs(os.path.join(tmp, 'sda1'))
        conf = {'devices': tmp, 'mount_check': 'false', 'log_requests': 'false'}
        logger = utils.get_logger({}, 'golden')
        apps = {'container': ContainerController(conf, logger=logger),
                'account': AccountController(conf, logger=logger)}
        setup, cases = [], []

        def do(server, method, path, query='', headers=None, record=False):
            req = Request.blank(quote(path) + ('?' + query if query else ''),
                                environ={'REQUEST_METHOD': method},
                                headers=headers or {})
            resp = req.get_response(apps[server])
            step = {'server': server, 'method': method, 'path': path,
                    'query': query, 'headers': headers or {}}
            if record:
                step.update(status=resp.status_int,
                            content_type=resp.headers.get('Content-Type', ''),
                            body=resp.body.decode('utf-8'))
                cases.append(step)
            else:
                if resp.status_int // 100 != 2:
                    raise SystemExit('setup %s %s: %s' % (method, path, resp.status))
                setup.append(step)

        do('container', 'PUT', '/sda1/1/a/c', headers={'X-Timestamp': ts(0)})
        for i, (name, size, ctype, etag) in enumerate(OBJECTS):
            do('container', 'PUT', '/sda1/1/a/c/' + name, headers={
                'X-Timestamp': ts(i + 1), 'X-Size': str(size),
                'X-Content-Type': ctype, 'X-Etag': etag})
        # A deleted row is never listed.
        do('container', 'PUT', '/sda1/1/a/c/gone', headers={
            'X-Timestamp': ts(30), 'X-Size': '1', 'X-Content-Type': 'a/b', 'X-Etag': 'x'})
        do('container', 'DELETE', '/sda1/1/a/c/gone', headers={'X-Timestamp': ts(31)})
        do('container', 'PUT', '/sda1/1/a/empty', headers={'X-Timestamp': ts(0)})

        do('account', 'PUT', '/sda1/1/a', headers={'X-Timestamp': ts(0)})
        for i, (name, count, used) in enumerate(CONTAINERS):
            do('account', 'PUT', '/sda1/1/a/' + name, headers={
                'X-Timestamp': ts(i + 1), 'X-Put-Timestamp': ts(i + 1),
                'X-Delete-Timestamp': '0', 'X-Object-Count': str(count),
                'X-Bytes-Used': str(used)})
        do('account', 'PUT', '/sda1/1/empty', headers={'X-Timestamp': ts(0)})

        for query, headers in CONTAINER_QUERIES:
            do('container', 'GET', '/sda1/1/a/c', query, headers, record=True)
        for query, headers in [('', {}), ('format=json', {}), ('format=xml', {})]:
            do('container', 'GET', '/sda1/1/a/empty', query, headers, record=True)
        for query, headers in ACCOUNT_QUERIES:
            do('account', 'GET', '/sda1/1/a', query, headers, record=True)
        for query, headers in [('', {}), ('format=json', {}), ('format=xml', {})]:
            do('account', 'GET', '/sda1/1/empty', query, headers, record=True)
        json.dump({'setup': setup, 'cases': cases}, sys.stdout, indent=1,
                  sort_keys=True, ensure_ascii=True)
        sys.stdout.write('\n')
    finally:
        shutil.rmtree(tmp)


if __name__ == '__main__':
    main()
