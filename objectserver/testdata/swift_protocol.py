#!/usr/bin/python3
"""Records OpenStack Swift's storage-node protocol for protocol_test.go.

Runs Swift's object, container and account servers in process (as Swift's
unit tests do) and records status, headers and body of each request below,
in order. The Go test sends the same requests to swiftlet's servers and
compares.

    /usr/bin/python3 objectserver/testdata/swift_protocol.py > objectserver/testdata/swift_protocol.json

Recorded with Debian's Swift 2.30.1. Timestamps are fixed; tombstones are
kept (reclaim_age is huge) and reads that depend on expiry carry their own
X-Timestamp, so the recording does not depend on when it is made.
"""
import hashlib
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
from swift.obj.server import ObjectController


def ts(i):
    return '%.5f' % (1700000000 + i)


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


O, C, A = 'object', 'container', 'account'

STEPS = [
    # --- object server ---
    (O, 'PUT', '/sda1/1/a/c/o1', {'X-Timestamp': ts(0), 'Content-Type': 'text/plain',
                                   'X-Object-Meta-Color': 'blue', 'Content-Encoding': 'gzip',
                                   'X-Object-Sysmeta-S': 's', 'Content-Disposition': 'inline',
                                   'X-Delete-At': '9999999999', 'X-Other': 'x'}, 'hello'),
    (O, 'HEAD', '/sda1/1/a/c/o1', {}, None),
    (O, 'GET', '/sda1/1/a/c/o1', {}, None),
    (O, 'GET', '/sda1/1/a/c/o1', {'Range': 'bytes=1-2'}, None),
    (O, 'GET', '/sda1/1/a/c/o1', {'Range': 'bytes=-2'}, None),
    (O, 'GET', '/sda1/1/a/c/o1', {'Range': 'bytes=9-'}, None),
    (O, 'GET', '/sda1/1/a/c/o1', {'Range': 'bytes=0-0,2-3'}, None),
    (O, 'GET', '/sda1/1/a/c/o1', {'Range': 'bytes=4-1'}, None),
    (O, 'GET', '/sda1/1/a/c/o1', {'If-None-Match': '"%s"' % md5('hello')}, None),
    (O, 'HEAD', '/sda1/1/a/c/o1', {'If-None-Match': '*'}, None),
    (O, 'GET', '/sda1/1/a/c/o1', {'If-Match': '"nope"'}, None),
    (O, 'GET', '/sda1/1/a/c/o1', {'If-Match': md5('hello')}, None),
    (O, 'GET', '/sda1/1/a/c/o1', {'If-Modified-Since': 'Tue, 14 Nov 2023 22:13:20 GMT'}, None),
    (O, 'GET', '/sda1/1/a/c/o1', {'If-Modified-Since': 'Tue, 14 Nov 2023 22:13:19 GMT'}, None),
    (O, 'GET', '/sda1/1/a/c/o1', {'If-Unmodified-Since': 'Tue, 14 Nov 2023 22:13:19 GMT'}, None),
    (O, 'PUT', '/sda1/1/a/c/o1', {'X-Timestamp': ts(-1), 'Content-Type': 'a/b'}, 'x'),
    (O, 'PUT', '/sda1/1/a/c/o1', {'X-Timestamp': ts(0), 'Content-Type': 'a/b'}, 'x'),
    (O, 'PUT', '/sda1/1/a/c/o1', {'X-Timestamp': ts(1), 'Content-Type': 'a/b', 'If-None-Match': '*'}, 'x'),
    (O, 'PUT', '/sda1/1/a/c/o2', {'Content-Type': 'a/b'}, 'x'),
    (O, 'PUT', '/sda1/1/a/c/o2', {'X-Timestamp': 'x', 'Content-Type': 'a/b'}, 'x'),
    (O, 'PUT', '/sda1/1/a/c/o2', {'X-Timestamp': ts(1)}, 'x'),
    (O, 'PUT', '/sda1/1/a/c/o2', {'X-Timestamp': ts(1), 'Content-Type': 'a/b', 'ETag': md5('y')}, 'x'),
    (O, 'PUT', '/sda1/1/a/c/o2', {'X-Timestamp': ts(1), 'Content-Type': 'a/b', 'X-Delete-At': '1'}, 'x'),
    (O, 'PUT', '/sda1/1/a/c/o2', {'X-Timestamp': ts(1), 'Content-Type': 'a/b', 'X-Delete-After': 'soon'}, 'x'),
    (O, 'PUT', '/sda1/1/a/c/o2', {'X-Timestamp': ts(1), 'Content-Type': 'a/b', 'X-Object-Meta-': 'v'}, 'x'),
    (O, 'PUT', '/sda1/1/a/c/o2', {'X-Timestamp': ts(1), 'Content-Type': 'a/b', 'X-Object-Meta-K': 'v' * 257}, 'x'),
    (O, 'PUT', '/sda1/1/a/c/' + 'o' * 1025, {'X-Timestamp': ts(1), 'Content-Type': 'a/b'}, 'x'),
    (O, 'PUT', '/sda1/1/a/c/o2', {'X-Timestamp': ts(1), 'Content-Type': 'a/b', 'ETag': '"%s"' % md5('x')}, 'x'),
    (O, 'PUT', '/sdb1/1/a/c/o2', {'X-Timestamp': ts(1), 'Content-Type': 'a/b'}, 'x'),
    (O, 'POST', '/sda1/1/a/c/o1', {'X-Timestamp': ts(1), 'X-Object-Meta-New': 'n',
                                    'Content-Type': 'new/type', 'X-Object-Sysmeta-S': 'changed'}, None),
    (O, 'HEAD', '/sda1/1/a/c/o1', {}, None),
    (O, 'POST', '/sda1/1/a/c/o1', {'X-Timestamp': ts(1)}, None),
    (O, 'POST', '/sda1/1/a/c/o1', {}, None),
    (O, 'POST', '/sda1/1/a/c/none', {'X-Timestamp': ts(1)}, None),
    (O, 'POST', '/sda1/1/a/c/o1', {'X-Timestamp': ts(2), 'X-Delete-At': '1700000001'}, None),
    (O, 'DELETE', '/sda1/1/a/c/o1', {'X-Timestamp': ts(3)}, None),
    (O, 'GET', '/sda1/1/a/c/o1', {}, None),
    (O, 'HEAD', '/sda1/1/a/c/o1', {}, None),
    (O, 'GET', '/sda1/1/a/c/o1', {'If-Match': '*'}, None),
    (O, 'DELETE', '/sda1/1/a/c/o1', {'X-Timestamp': ts(4)}, None),
    (O, 'DELETE', '/sda1/1/a/c/o1', {'X-Timestamp': ts(3.5)}, None),
    (O, 'PUT', '/sda1/1/a/c/o1', {'X-Timestamp': ts(3.9), 'Content-Type': 'a/b'}, 'x'),
    (O, 'DELETE', '/sda1/1/a/c/never', {'X-Timestamp': ts(1)}, None),
    (O, 'DELETE', '/sda1/1/a/c/never', {}, None),
    (O, 'PUT', '/sda1/1/a/c/exp', {'X-Timestamp': ts(0), 'Content-Type': 'a/b',
                                    'X-Delete-At': '1700000100'}, 'x'),
    (O, 'GET', '/sda1/1/a/c/exp', {'X-Timestamp': ts(50)}, None),
    (O, 'GET', '/sda1/1/a/c/exp', {'X-Timestamp': ts(100)}, None),
    (O, 'HEAD', '/sda1/1/a/c/exp', {'X-Timestamp': ts(200)}, None),
    (O, 'DELETE', '/sda1/1/a/c/exp', {'X-Timestamp': ts(10), 'X-If-Delete-At': '1700000200'}, None),
    (O, 'DELETE', '/sda1/1/a/c/exp', {'X-Timestamp': ts(10), 'X-If-Delete-At': '1700000100'}, None),
    (O, 'GET', '/sda1/1/a/c/none', {}, None),
    (O, 'GET', '/sda1/1/a/c', {}, None),
    (O, 'GET', '/sda1/1/a/c/\xff', {}, None),
    (O, 'GET', '/sda1/1/a/c/o\x00', {}, None),
    (O, 'GET', '/sda1/1/a/c/\x00o', {}, None),
    (O, 'GET', '/sda1/../a/c/o', {}, None),
    (O, 'GET', '/sdb1/1/a/c/o', {}, None),
    (O, 'FOO', '/sda1/1/a/c/o', {}, None),
    (O, 'PUT', '/sda1/1/a/c/o3', {'X-Timestamp': ts(0), 'Content-Type': 'a/b',
                                   'X-Backend-Storage-Policy-Index': '1'}, 'x'),
    # --- container server ---
    (C, 'HEAD', '/sda1/1/a/c', {}, None),
    (C, 'GET', '/sda1/1/a/c', {}, None),
    (C, 'PUT', '/sda1/1/a/c', {'X-Timestamp': ts(0)}, None),
    (C, 'PUT', '/sda1/1/a/c', {'X-Timestamp': ts(1), 'X-Container-Meta-Color': 'blue',
                                'X-Container-Read': '.r:*', 'X-Container-Sysmeta-S': 's',
                                'X-Other': 'x'}, None),
    (C, 'HEAD', '/sda1/1/a/c', {}, None),
    (C, 'HEAD', '/sda1/1/a/c', {'Accept': 'application/json'}, None),
    (C, 'POST', '/sda1/1/a/c', {'X-Timestamp': ts(2), 'X-Container-Meta-Color': '',
                                 'X-Container-Meta-Shape': 'round'}, None),
    (C, 'HEAD', '/sda1/1/a/c', {}, None),
    (C, 'POST', '/sda1/1/a/none', {'X-Timestamp': ts(2)}, None),
    (C, 'POST', '/sda1/1/a/c', {}, None),
    (C, 'PUT', '/sda1/1/a/c/o', {'X-Timestamp': ts(3), 'X-Size': '5', 'X-Content-Type': 'text/plain',
                                  'X-Etag': md5('hello')}, None),
    (C, 'PUT', '/sda1/1/a/c/o2', {'X-Timestamp': ts(3), 'X-Size': '7', 'X-Content-Type': 'text/plain',
                                   'X-Etag': md5('x')}, None),
    (C, 'HEAD', '/sda1/1/a/c', {}, None),
    (C, 'DELETE', '/sda1/1/a/c/o2', {'X-Timestamp': ts(4)}, None),
    (C, 'PUT', '/sda1/1/a/none/o', {'X-Timestamp': ts(3), 'X-Size': '5', 'X-Content-Type': 'text/plain',
                                     'X-Etag': md5('hello')}, None),
    (C, 'DELETE', '/sda1/1/a/c', {'X-Timestamp': ts(5)}, None),
    (C, 'DELETE', '/sda1/1/a/c/o', {'X-Timestamp': ts(6)}, None),
    (C, 'HEAD', '/sda1/1/a/c', {}, None),
    (C, 'DELETE', '/sda1/1/a/c', {'X-Timestamp': ts(7)}, None),
    (C, 'HEAD', '/sda1/1/a/c', {}, None),
    (C, 'GET', '/sda1/1/a/c', {}, None),
    (C, 'DELETE', '/sda1/1/a/c', {'X-Timestamp': ts(8)}, None),
    (C, 'PUT', '/sda1/1/a/c', {'X-Timestamp': ts(6.5)}, None),
    (C, 'PUT', '/sda1/1/a/c', {'X-Timestamp': ts(9)}, None),
    (C, 'DELETE', '/sda1/1/a/c', {}, None),
    (C, 'DELETE', '/sda1/1/a/never', {'X-Timestamp': ts(9)}, None),
    (C, 'PUT', '/sdb1/1/a/c', {'X-Timestamp': ts(9)}, None),
    (C, 'PUT', '/sda1/1/a/c2', {'X-Timestamp': ts(9), 'X-Backend-Storage-Policy-Index': '5'}, None),
    (C, 'PUT', '/sda1/1/a/c2', {'X-Timestamp': ts(9), 'X-Backend-Storage-Policy-Index': 'x'}, None),
    (C, 'PUT', '/sda1/1/.expiring_objects/1700000000/1700000100-a/c/o',
        {'X-Timestamp': ts(9), 'X-Size': '0', 'X-Content-Type': 'text/plain',
         'X-Etag': md5(''), 'X-Backend-Storage-Policy-Index': '0'}, None),
    (C, 'HEAD', '/sda1/1/.expiring_objects/1700000000', {}, None),
    (C, 'GET', '/sda1/1/a/c/\xff', {}, None),
    (C, 'FOO', '/sda1/1/a/c', {}, None),
    # --- account server ---
    (A, 'HEAD', '/sda1/1/a', {}, None),
    (A, 'GET', '/sda1/1/a', {}, None),
    (A, 'PUT', '/sda1/1/a', {'X-Timestamp': ts(0)}, None),
    (A, 'PUT', '/sda1/1/a', {'X-Timestamp': ts(1), 'X-Account-Meta-Color': 'blue',
                              'X-Account-Sysmeta-S': 's', 'X-Other': 'x'}, None),
    (A, 'HEAD', '/sda1/1/a', {}, None),
    (A, 'POST', '/sda1/1/a', {'X-Timestamp': ts(2), 'X-Account-Meta-Color': '',
                               'X-Account-Meta-Shape': 'round'}, None),
    (A, 'HEAD', '/sda1/1/a', {}, None),
    (A, 'POST', '/sda1/1/none', {'X-Timestamp': ts(2)}, None),
    (A, 'PUT', '/sda1/1/a/c1', {'X-Timestamp': ts(3), 'X-Put-Timestamp': ts(3), 'X-Delete-Timestamp': '0',
                                 'X-Object-Count': '2', 'X-Bytes-Used': '12'}, None),
    (A, 'PUT', '/sda1/1/a/c2', {'X-Timestamp': ts(3), 'X-Put-Timestamp': ts(3), 'X-Delete-Timestamp': '0',
                                 'X-Object-Count': '1', 'X-Bytes-Used': '5'}, None),
    (A, 'HEAD', '/sda1/1/a', {}, None),
    (A, 'PUT', '/sda1/1/a/c2', {'X-Timestamp': ts(4), 'X-Put-Timestamp': ts(3), 'X-Delete-Timestamp': ts(4),
                                 'X-Object-Count': '0', 'X-Bytes-Used': '0'}, None),
    (A, 'HEAD', '/sda1/1/a', {}, None),
    (A, 'GET', '/sda1/1/a', {'Accept': 'application/json'}, None),
    (A, 'PUT', '/sda1/1/none/c1', {'X-Timestamp': ts(3), 'X-Put-Timestamp': ts(3), 'X-Delete-Timestamp': '0',
                                    'X-Object-Count': '2', 'X-Bytes-Used': '12'}, None),
    (A, 'PUT', '/sda1/1/.expiring_objects/1700000000', {'X-Timestamp': ts(3), 'X-Put-Timestamp': ts(3),
                                                        'X-Delete-Timestamp': '0', 'X-Object-Count': '1',
                                                        'X-Bytes-Used': '0'}, None),
    (A, 'HEAD', '/sda1/1/.expiring_objects', {}, None),
    (A, 'DELETE', '/sda1/1/a', {}, None),
    (A, 'DELETE', '/sda1/1/a', {'X-Timestamp': ts(5)}, None),
    (A, 'HEAD', '/sda1/1/a', {}, None),
    (A, 'GET', '/sda1/1/a', {}, None),
    (A, 'POST', '/sda1/1/a', {'X-Timestamp': ts(6)}, None),
    (A, 'PUT', '/sda1/1/a', {'X-Timestamp': ts(6)}, None),
    (A, 'DELETE', '/sda1/1/a', {'X-Timestamp': ts(7)}, None),
    (A, 'DELETE', '/sda1/1/never', {'X-Timestamp': ts(7)}, None),
    (A, 'PUT', '/sdb1/1/b', {'X-Timestamp': ts(7)}, None),
    (A, 'GET', '/sda1/1/a/c', {}, None),
    (A, 'GET', '/sda1/1/\xff', {}, None),
    (A, 'FOO', '/sda1/1/a', {}, None),
]


def main():
    logging.disable(logging.CRITICAL)
    tmp = tempfile.mkdtemp()
    try:
        os.makedirs(os.path.join(tmp, 'sda1'))
        conf = {'devices': tmp, 'mount_check': 'false', 'log_requests': 'false',
                'reclaim_age': str(10 ** 11)}
        logger = utils.get_logger({}, 'golden')
        apps = {O: ObjectController(conf, logger=logger),
                C: ContainerController(conf, logger=logger),
                A: AccountController(conf, logger=logger)}
        out = []
        for server, method, path, headers, body in STEPS:
            wire = quote(path.encode('utf-8') if '\xff' not in path else b'/sda1/1/a/c/\xff'
                         if server != A else b'/sda1/1/\xff')
            req = Request.blank(wire, environ={'REQUEST_METHOD': method}, headers=dict(headers))
            if body is not None:
                req.body = body.encode()
            resp = req.get_response(apps[server])
            out.append({'server': server, 'method': method, 'path': wire,
                        'headers': headers, 'body': body, 'status': resp.status_int,
                        'resp_headers': dict(resp.headers),
                        'resp_body': resp.body.decode('latin-1')})
        json.dump(out, sys.stdout, indent=1, sort_keys=True, ensure_ascii=True)
        sys.stdout.write('\n')
    finally:
        shutil.rmtree(tmp)


if __name__ == '__main__':
    main()
