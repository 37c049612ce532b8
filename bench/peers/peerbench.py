#!/usr/bin/env python3
"""One load generator for botgrid, ejabberd and Matrix Synapse (bench/peers/).

The same code sends, receives and times every server; only a small driver per server
knows its protocol. Everything is stdlib asyncio (plus uvloop when installed): a
minimal keep-alive HTTP/1.1 client and server and a minimal XMPP stream reader, so
that the generator's cost per message is as small as Python allows and is the same
for every server.

Subcommands (each prints JSON, one object per line):

  launch --ready URL [--post BODY] [--ok-status 200] [--pidfile F] [--log F] -- CMD...
      Starts CMD (detached; it keeps running), polls URL every 2 ms and prints
      {"pid", "startup_ms"}: from just before exec to the first answer with that status.
  rss --pid PID [--idle 5]
      Sleeps, then prints {"pid", "vmrss_kb"} from /proc/PID/status.
  botgrid-world --out FILE [--sizes "10 100 1000"]
      Writes the world.json for `botgrid admin seed` (bots, one group per size).
  run --server botgrid|ejabberd|synapse|ceiling [options]
      Sets up users and groups, then runs the scenarios (1:1, groups); one JSON line
      per run of a scenario.
"""

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import urllib.parse
import xml.etree.ElementTree as ET

try:
    import uvloop  # type: ignore
except ImportError:  # pragma: no cover
    uvloop = None

now = time.perf_counter


# --------------------------------------------------------------------------- HTTP


class HttpConn(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection; one request at a time."""

    def __init__(self):
        self.buf = bytearray()
        self.waiter = None
        self.transport = None
        self.closed = False

    def connection_made(self, transport):
        self.transport = transport

    def connection_lost(self, exc):
        self.closed = True
        if self.waiter and not self.waiter.done():
            self.waiter.set_exception(ConnectionError(f"connection lost: {exc}"))

    def data_received(self, data):
        self.buf += data
        if self.waiter is not None and not self.waiter.done():
            r = parse_response(self.buf)
            if r is not None:
                self.waiter.set_result(r)


def parse_response(buf):
    """(status, body) of a complete response at the start of buf (removed), or None."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buf[:end]).lower()
    status = int(head[9:12])
    start = end + 4
    i = head.find(b"content-length:")
    if i >= 0:
        n = int(head[i + 15 : head.find(b"\r\n", i) if head.find(b"\r\n", i) > 0 else None])
        if len(buf) < start + n:
            return None
        body = bytes(buf[start : start + n])
        del buf[: start + n]
        return status, body
    if b"transfer-encoding: chunked" in head:
        body = bytearray()
        pos = start
        while True:
            eol = buf.find(b"\r\n", pos)
            if eol < 0:
                return None
            size = int(bytes(buf[pos:eol]).split(b";")[0], 16)
            if len(buf) < eol + 2 + size + 2:
                return None
            body += buf[eol + 2 : eol + 2 + size]
            pos = eol + 2 + size + 2
            if size == 0:
                del buf[:pos]
                return status, bytes(body)
    # No length: the body ends when the connection closes (not used by these servers).
    body = bytes(buf[start:])
    del buf[:]
    return status, body


class Http:
    """A keep-alive connection that reconnects when the server closes it."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.conn = None

    async def _connect(self):
        loop = asyncio.get_running_loop()
        _, self.conn = await loop.create_connection(HttpConn, self.host, self.port)

    async def raw(self, data, timeout=120):
        for attempt in range(3):
            if self.conn is None or self.conn.closed:
                await self._connect()
            c = c0 = self.conn
            c.waiter = asyncio.get_running_loop().create_future()
            r = parse_response(c.buf) if c.buf else None
            if r is not None:
                raise RuntimeError("unexpected data before request")
            c.transport.write(data)
            try:
                return await asyncio.wait_for(c.waiter, timeout)
            except ConnectionError:
                if attempt == 2:
                    raise
                self.conn = None
            finally:
                c0.waiter = None

    async def call(self, method, path, body=b"", headers=(), timeout=120):
        return await self.raw(request(method, path, body, headers), timeout)

    def close(self):
        if self.conn and self.conn.transport:
            self.conn.transport.close()


def request(method, path, body=b"", headers=()):
    if isinstance(body, str):
        body = body.encode()
    h = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n"
    h += "".join(f"{k}: {v}\r\n" for k, v in headers)
    return (h + "\r\n").encode() + body


class CallbackServer(asyncio.Protocol):
    """Receives callback POSTs (HTTP/1.1, keep-alive); hands (path, body) to on_post."""

    on_post = None
    OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"

    connections = 0

    def connection_made(self, transport):
        self.transport = transport
        self.buf = bytearray()
        CallbackServer.connections += 1

    def data_received(self, data):
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buf[:end])
            low = head.lower()
            i = low.find(b"content-length:")
            n = int(low[i + 15 : low.find(b"\r\n", i) if low.find(b"\r\n", i) > 0 else None]) if i >= 0 else 0
            if len(self.buf) < end + 4 + n:
                return
            body = bytes(self.buf[end + 4 : end + 4 + n])
            del self.buf[: end + 4 + n]
            path = head.split(b" ", 2)[1]
            at = now()
            self.transport.write(self.OK)
            CallbackServer.on_post(path, body, at)


def form_field(body, name):
    key = name.encode() + b"="
    for part in body.split(b"&"):
        if part.startswith(key):
            return urllib.parse.unquote_plus(part[len(key) :].decode())
    return None


# --------------------------------------------------------------------------- XMPP


class XmppStream(asyncio.Protocol):
    """Reads an XMPP stream; calls on_stanza(element, at) for each top-level element."""

    def __init__(self, on_stanza):
        self.on_stanza = on_stanza
        self.transport = None
        self.header = asyncio.get_event_loop().create_future()
        self.reset()

    def reset(self):
        self.parser = ET.XMLPullParser(events=("start", "end"))
        self.depth = 0
        self.root = None

    def connection_made(self, transport):
        self.transport = transport

    def connection_lost(self, exc):
        if not self.header.done():
            self.header.set_exception(ConnectionError(str(exc)))

    def data_received(self, data):
        at = now()
        self.parser.feed(data)
        for ev, el in self.parser.read_events():
            if ev == "start":
                self.depth += 1
                if self.depth == 1:
                    self.root = el
                    if not self.header.done():
                        self.header.set_result(el)
            else:
                self.depth -= 1
                if self.depth == 1:
                    self.on_stanza(el, at)
                    self.root.remove(el)

    def send(self, text):
        self.transport.write(text.encode() if isinstance(text, str) else text)


class XmppWaiter:
    """Collects stanzas; lets a coroutine wait for one that matches."""

    def __init__(self):
        self.waiting = []  # (predicate, future)
        self.handler = None

    def __call__(self, el, at):
        for i, (pred, fut) in enumerate(self.waiting):
            if pred(el):
                self.waiting.pop(i)
                if not fut.done():
                    fut.set_result(el)
                return
        if self.handler:
            self.handler(el, at)

    async def wait(self, pred, timeout=30):
        fut = asyncio.get_running_loop().create_future()
        self.waiting.append((pred, fut))
        return await asyncio.wait_for(fut, timeout)


def local(tag):
    return tag.rsplit("}", 1)[-1]


async def xmpp_client(host, port, domain, user, password, resource, handler):
    """Logs in (SASL PLAIN, no TLS: loopback), binds, sends presence."""
    loop = asyncio.get_running_loop()
    w = XmppWaiter()
    _, s = await loop.create_connection(lambda: XmppStream(w), host, port)
    opening = (
        f"<?xml version='1.0'?><stream:stream to='{domain}' xmlns='jabber:client' "
        "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"
    )
    s.send(opening)
    await w.wait(lambda e: local(e.tag) == "features")
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
    s.send(f"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{token}</auth>")
    r = await w.wait(lambda e: local(e.tag) in ("success", "failure"))
    if local(r.tag) != "success":
        raise RuntimeError(f"XMPP login of {user} failed")
    s.reset()
    s.send(opening)
    await w.wait(lambda e: local(e.tag) == "features")
    s.send(
        "<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
        f"<resource>{resource}</resource></bind></iq>"
    )
    await w.wait(lambda e: e.get("id") == "bind1")
    s.send("<iq type='set' id='sess1'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>")
    await w.wait(lambda e: e.get("id") == "sess1")
    w.handler = handler
    s.send("<presence/>")
    return s


async def xmpp_component(host, port, domain, secret, handler):
    """Connects an external component (XEP-0114)."""
    loop = asyncio.get_running_loop()
    w = XmppWaiter()
    _, s = await loop.create_connection(lambda: XmppStream(w), host, port)
    s.send(
        f"<?xml version='1.0'?><stream:stream to='{domain}' xmlns='jabber:component:accept' "
        "xmlns:stream='http://etherx.jabber.org/streams'>"
    )
    header = await asyncio.wait_for(s.header, 30)
    digest = hashlib.sha1((header.get("id") + secret).encode()).hexdigest()
    s.send(f"<handshake>{digest}</handshake>")
    await w.wait(lambda e: local(e.tag) == "handshake")
    w.handler = handler
    return s, w


# --------------------------------------------------------------------------- timing


class Tracker:
    """Per-message send times and arrivals; a message is delivered when `need` arrived."""

    def __init__(self):
        self.sent = {}
        self.need = {}
        self.count = {}
        self.done = {}
        self.events = {}
        self.dupes = 0

    def expect(self, key, need, event=False):
        self.need[key] = need
        self.count[key] = 0
        if event:
            self.events[key] = asyncio.Event()

    def arrived(self, key, at):
        c = self.count.get(key)
        if c is None:
            return
        c += 1
        self.count[key] = c
        if c == self.need[key]:
            self.done[key] = at
            ev = self.events.get(key)
            if ev:
                ev.set()
        elif c > self.need[key]:
            self.dupes += 1


def pct(vals, q):
    if not vals:
        return None
    v = sorted(vals)
    return v[min(len(v) - 1, int(round((len(v) - 1) * q)))]


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def summary(tracker, keys, t0, t_sent_last, ok, fail, extra):
    """Figures of one run. `extra` may hold cpu0: the generator's CPU time at t0."""
    cpu0 = extra.pop("cpu0", None)
    lat = [(tracker.done[k] - tracker.sent[k]) * 1000 for k in keys if k in tracker.done and k in tracker.sent]
    delivered = len(lat)
    last = max((tracker.done[k] for k in keys if k in tracker.done), default=None)
    out = {
        "messages": len(keys),
        "ok": ok,
        "fail": fail,
        "sent_per_sec": round(ok / (t_sent_last - t0), 1) if t_sent_last > t0 else None,
        "delivered": delivered,
        "lost": len(keys) - delivered,
        "delivered_per_sec": round(delivered / (last - t0), 1) if last and last > t0 else None,
        "latency_p50_ms": round(pct(lat, 0.5), 2) if lat else None,
        "latency_p99_ms": round(pct(lat, 0.99), 2) if lat else None,
        "latency_max_ms": round(max(lat), 2) if lat else None,
    }
    if cpu0 is not None and last:
        # The generator's share of its core from the first send to the last receipt:
        # near 100 % means the generator, not the server, set the pace.
        out["generator_cpu_pct"] = round(100 * (cpu_seconds() - cpu0) / max(now() - t0, 1e-9), 1)
    out.update(extra)
    return out


# --------------------------------------------------------------------------- drivers


class Driver:
    """What a server must provide. Requests are raw HTTP/1.1 bytes."""

    name = "?"

    def __init__(self, a):
        self.a = a
        self.host = "127.0.0.1"

    def http(self):
        return Http(self.host, self.port)

    async def setup(self, members_max, sizes):
        pass

    async def start_im_receiver(self, tracker):
        pass

    async def stop_im_receiver(self):
        pass

    def on_reply(self, key, at):
        pass

    def im_request(self, i, text):
        raise NotImplementedError

    def im_ok(self, status, body):
        return status == 200

    async def start_group(self, size, tracker):
        """Makes the group of `size` members ready; returns how many receivers observe."""
        raise NotImplementedError

    def group_request(self, size, i, text):
        raise NotImplementedError

    def group_ok(self, status, body):
        return status == 200

    async def stop_group(self, size):
        pass

    # Group admin operations: `start_admin(k)` prepares a group of k members (not timed)
    # and returns the phases to time, each a list of prepared requests (one per member)
    # and the concurrency the server can take them at.
    async def start_admin(self, k):
        raise NotImplementedError

    def admin_ok(self, phase, status, body):
        return status == 200

    async def close(self):
        pass


class Ceiling(Driver):
    """A bare HTTP server (bench's `baseline`): the most sends/s this generator makes."""

    name = "ceiling"

    def __init__(self, a):
        super().__init__(a)
        self.port = a.port

    def im_request(self, i, text):
        body = "action=im&apikey=x&botname=Bench%20A&secret=x&slname=Bench%20B&message=" + urllib.parse.quote(text)
        return request("POST", "/api/bot.html", body, [("Content-Type", "application/x-www-form-urlencoded")])

    def im_ok(self, status, body):
        return b"result=OK" in body

    async def start_im_receiver(self, tracker):
        self.tracker = tracker

    def on_reply(self, key, at):
        # Nothing is delivered: a message counts as delivered when its reply arrives.
        self.tracker.arrived(key, at)


BG_KEY = "bgk_peerbench_developer_key_0001"


def bg_token(name):
    return "bgt_peerbench_" + hashlib.sha1(name.encode()).hexdigest()[:24]


def bg_member(i):
    return f"Bench Member{i}"


def botgrid_world(members, sizes, admin=0):
    """Bots with API tokens (no slow hashing), one group per size whose founder is the
    sender and whose other members are Bench Member1.., and for the admin scenario a
    group of `admin` members with a custom role."""
    names = ["Bench Alice", "Bench Bob", "Bench Sender"] + [bg_member(i) for i in range(1, max(members, admin + 1))]
    groups = [
        {"name": f"Bench Group{size}", "founder": "Bench Sender",
         "members": [{"name": bg_member(i)} for i in range(1, size)]}
        for size in sizes
    ]
    if admin:
        groups.append({"name": "Bench Admin", "founder": "Bench Sender",
                       "roles": [{"name": "Greeters", "title": "Greeter", "powers": "JoinChat,ReceiveNotices"}],
                       "members": [{"name": bg_member(i)} for i in range(1, admin + 1)]})
    return {
        "developers": [{"name": "peerbench", "api_key": BG_KEY}],
        "avatars": [{"name": n, "bot": True, "token": bg_token(n)} for n in names],
        "groups": groups,
    }


class Botgrid(Driver):
    """SmartBots HTTP API: `im` and `send_group_im`; delivery by get_events or callbacks."""

    name = "botgrid"

    def __init__(self, a):
        super().__init__(a)
        self.port = a.port
        self.path = "/api/bot.html"
        self.ctype = [("Content-Type", "application/x-www-form-urlencoded")]
        self.groups = {}

    def form(self, bot, params):
        p = {"apikey": BG_KEY, "botname": bot, "secret": bg_token(bot)}
        p.update(params)
        return urllib.parse.urlencode(p)

    async def call(self, h, bot, **params):
        status, body = await h.call("POST", self.path, self.form(bot, params), self.ctype)
        return body.decode()

    async def setup(self, members_max, sizes):
        """Logs every bot in (the world was seeded with `botgrid admin seed`)."""
        bots = ["Bench Alice", "Bench Bob", "Bench Sender"] + [bg_member(i) for i in range(1, members_max)]
        await gather_limited([self.login(b) for b in bots], 32)
        h = self.http()
        r = await self.call(h, "Bench Sender", action="listgroups")
        for size in sizes:
            self.groups[size] = find_group(r, f"Bench Group{size}")
            if self.groups[size] is None:
                raise RuntimeError(f"group of {size} not seeded: {r}")
        h.close()

    async def login(self, bot):
        h = self.http()
        ok(await self.call(h, bot, action="login"), f"login {bot}")
        for _ in range(200):
            if "status=ONLINE" in await self.call(h, bot, action="status"):
                break
            await asyncio.sleep(0.05)
        h.close()

    async def start_im_receiver(self, tracker):
        h = self.http()
        r = json.loads(await self.call(h, "Bench Bob", action="get_events", dataType="json"))
        after = r["next"]

        async def poll():
            nonlocal after
            while True:
                st, body = await h.call(
                    "POST", self.path,
                    self.form("Bench Bob", {"action": "get_events", "dataType": "json", "after": after,
                                            "wait": "25", "limit": "500", "events": "instant_message"}),
                    self.ctype, timeout=60)
                at = now()
                r = json.loads(body)
                after = r["next"]
                for e in r["events"]:
                    tracker.arrived(e.get("message"), at)

        self.poller = asyncio.ensure_future(poll())
        self.poll_conn = h

    def im_request(self, i, text):
        return request("POST", self.path, self.form("Bench Alice", {"action": "im", "slname": "Bench Bob", "message": text}), self.ctype)

    def im_ok(self, status, body):
        return b"result=OK" in body

    async def stop_im_receiver(self):
        self.poller.cancel()
        self.poll_conn.close()

    async def start_group(self, size, tracker):
        """Every member registers a callback (group_message) with one receiver here."""
        if not hasattr(self, "receiver"):
            loop = asyncio.get_running_loop()

            def on_post(path, body, at):
                tracker_ref[0].arrived(form_field(body, "message"), at)

            tracker_ref = [tracker]
            CallbackServer.on_post = staticmethod(on_post)
            self.receiver = await loop.create_server(CallbackServer, "127.0.0.1", 0, backlog=4096)
            self.rport = self.receiver.sockets[0].getsockname()[1]
            self.tracker_ref = tracker_ref
            self.hooked = set()
        self.tracker_ref[0] = tracker
        members = [bg_member(i) for i in range(1, size)]

        async def hook(m):
            hh = self.http()
            try:
                ok(await self.call(hh, m, action="set_http_callback",
                                   url=f"http://127.0.0.1:{self.rport}/{m.replace(' ', '_')}",
                                   events="group_message"), f"callback {m}")
            finally:
                hh.close()

        await gather_limited([hook(m) for m in members if m not in self.hooked], 32)
        self.hooked.update(members)
        return len(members)

    def group_request(self, size, i, text):
        return request("POST", self.path, self.form("Bench Sender", {"action": "send_group_im", "groupuuid": self.groups[size], "message": text}), self.ctype)

    async def start_admin(self, k, run):
        h = self.http()
        group = find_group(await self.call(h, "Bench Sender", action="listgroups"), f"Bench Admin{run}")
        if group is None:
            raise RuntimeError(f"Bench Admin{run} not seeded")
        roles = form_field(
            (await self.call(h, "Bench Sender", action="list_group_roles", groupuuid=group)).encode(), "roles") or ""
        role = next((line[:36] for line in roles.splitlines() if line.endswith(";Greeters")), None)
        if role is None:
            raise RuntimeError(f"no Greeters role in Bench Admin{run}: {roles!r}")
        h.close()

        async def key(name):
            hh = self.http()
            try:
                return form_field((await self.call(hh, "Bench Sender", action="name2key", name=name)).encode(), "key")
            finally:
                hh.close()

        keys = await gather_limited([key(bg_member(i)) for i in range(1, k + 1)], 32)
        if not all(keys):
            raise RuntimeError("name2key failed for an admin member")

        def req(params):
            return request("POST", self.path, self.form("Bench Sender", params), self.ctype)

        c = self.a.concurrency
        return [
            ("role change", [req({"action": "setrole", "groupuuid": group, "roleuuid": role, "member": m}) for m in keys], c),
            ("eject", [req({"action": "group_eject", "groupuuid": group, "avatar": m}) for m in keys], c),
            ("invite", [req({"action": "group_invite", "groupuuid": group, "avatar": m,
                             "roleuuid": "00000000-0000-0000-0000-000000000000"}) for m in keys], c),
        ]

    def admin_ok(self, phase, status, body):
        return b"result=OK" in body

    def group_ok(self, status, body):
        return b"result=OK" in body


def find_group(reply, name):
    groups = dict(urllib.parse.parse_qsl(reply)).get("groups", "")
    for line in groups.splitlines():
        uuid, _, gname = line.partition(";")
        if gname == name:
            return uuid
    return None


def ok(reply, what):
    if "result=OK" not in reply:
        raise RuntimeError(f"{what}: {reply}")


class Ejabberd(Driver):
    """mod_http_api send_message; receivers: c2s client (1:1), a component in a MUC (groups)."""

    name = "ejabberd"

    def __init__(self, a):
        super().__init__(a)
        self.port = a.port
        self.c2s = a.c2s_port
        self.comp = a.component_port
        self.json = [("Content-Type", "application/json")]
        self.occupants = {}
        self.component = None

    async def api(self, h, command, args):
        st, body = await h.call("POST", f"/api/{command}", json.dumps(args), self.json)
        if st != 200:
            raise RuntimeError(f"ejabberd {command} {args}: {st} {body[:300]!r}")
        return json.loads(body) if body else None

    async def setup(self, members_max, sizes):
        h = self.http()
        for u in ("alice", "bob"):
            st, body = await h.call("POST", "/api/register", json.dumps({"user": u, "host": "localhost", "password": "pw"}), self.json)
            if st != 200 and b"already" not in body:
                raise RuntimeError(f"register {u}: {st} {body!r}")
        for size in sizes:
            await self.api(h, "create_room_with_opts", {
                "name": f"group{size}", "service": "conference.localhost", "host": "localhost",
                "options": [{"name": "max_users", "value": str(max(size + 10, 200))},
                            {"name": "persistent", "value": "true"}]})
        h.close()

    async def start_im_receiver(self, tracker):
        def on(el, at):
            if local(el.tag) == "message":
                b = el.find("{jabber:client}body")
                if b is not None:
                    tracker.arrived(b.text, at)

        self.bob = await xmpp_client(self.host, self.c2s, "localhost", "bob", "pw", "bench", on)
        # A round trip, so the session is surely available before sending starts.
        await asyncio.sleep(0.2)

    async def stop_im_receiver(self):
        self.bob.transport.close()

    def im_request(self, i, text):
        body = json.dumps({"type": "chat", "from": "alice@localhost", "to": "bob@localhost", "subject": "", "body": text})
        return request("POST", "/api/send_message", body, self.json)

    async def start_group(self, size, tracker):
        room = f"group{size}@conference.localhost"
        self.tracker = tracker
        if self.component is None:
            joined = {}

            def on(el, at):
                tag = local(el.tag)
                if tag == "message":
                    b = el.find("{jabber:component:accept}body")
                    # The room echoes each message to its sender too: not a member's copy.
                    if b is not None and not el.get("to", "").startswith("sender@"):
                        self.tracker.arrived(b.text, at)
                elif tag == "presence" and el.get("type") != "unavailable":
                    frm = el.get("from", "")
                    to = el.get("to", "")
                    if frm.split("/")[0] in self.rooms_joining and frm.split("/", 1)[-1] == to.split("@")[0]:
                        joined.setdefault(frm.split("/")[0], set()).add(to)

            self.rooms_joining = set()
            self.joined = joined
            self.component, _ = await xmpp_component(self.host, self.comp, "bench.localhost", "benchsecret", on)
        self.rooms_joining.add(room)
        who = ["sender"] + [f"m{i}" for i in range(1, size)]
        x = "<x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/></x>"
        for k in range(0, len(who), 100):
            self.component.send("".join(
                f"<presence from='{u}@bench.localhost/r' to='{room}/{u}'>{x}</presence>" for u in who[k:k + 100]))
            await asyncio.sleep(0)
        for _ in range(6000):
            if len(self.joined.get(room, ())) >= len(who):
                break
            await asyncio.sleep(0.01)
        else:
            raise RuntimeError(f"only {len(self.joined.get(room, ()))} of {len(who)} joined {room}")
        return size - 1  # the sender's own echo is not counted

    def group_request(self, size, i, text):
        body = json.dumps({"type": "groupchat", "from": "sender@bench.localhost/r",
                           "to": f"group{size}@conference.localhost", "subject": "", "body": text})
        return request("POST", "/api/send_message", body, self.json)

    async def start_admin(self, k, run):
        """XMPP has no pending invitations or custom roles: a role change is the `admin`
        affiliation, an eject removes the affiliation (`none`), an invite makes the user
        a member again (what a mediated invitation does in a members-only room)."""
        room = f"admin{run}"
        h = self.http()
        await self.api(h, "create_room_with_opts", {
            "name": room, "service": "conference.localhost", "host": "localhost",
            "options": [{"name": "members_only", "value": "true"}, {"name": "persistent", "value": "true"},
                        {"name": "max_users", "value": str(k + 10)}]})
        h.close()
        users = [f"m{i}@localhost" for i in range(1, k + 1)]

        def req(user, aff):
            return request("POST", "/api/set_room_affiliation", json.dumps(
                {"name": room, "service": "conference.localhost", "jid": user, "affiliation": aff}), self.json)

        async def member(user):
            hh = self.http()
            try:
                st, body = await hh.raw(req(user, "member"))
                if st != 200:
                    raise RuntimeError(f"ejabberd affiliation {user}: {st} {body[:200]!r}")
            finally:
                hh.close()

        await gather_limited([member(u) for u in users], 16)
        c = self.a.concurrency
        return [
            ("role change", [req(u, "admin") for u in users], c),
            ("eject", [req(u, "none") for u in users], c),
            ("invite", [req(u, "member") for u in users], c),
        ]

    def admin_ok(self, phase, status, body):
        return status == 200 and body.strip() in (b"0", b"")

    async def stop_group(self, size):
        room = f"group{size}@conference.localhost"
        who = ["sender"] + [f"m{i}" for i in range(1, size)]
        self.component.send("".join(
            f"<presence type='unavailable' from='{u}@bench.localhost/r' to='{room}/{u}'/>" for u in who))
        self.rooms_joining.discard(room)
        self.joined.pop(room, None)


class Synapse(Driver):
    """Client-Server API: PUT send; /sync long poll as each observed member."""

    name = "synapse"

    def __init__(self, a):
        super().__init__(a)
        self.port = a.port
        self.secret = a.shared_secret
        self.tokens = {}
        self.rooms = {}
        self.syncers = []

    async def register(self, h, user):
        st, body = await h.call("GET", "/_synapse/admin/v1/register")
        nonce = json.loads(body)["nonce"]
        mac = hmac.new(self.secret.encode(), digestmod=hashlib.sha1)
        mac.update(b"\x00".join([nonce.encode(), user.encode(), b"pw", b"notadmin"]))
        st, body = await h.call("POST", "/_synapse/admin/v1/register", json.dumps(
            {"nonce": nonce, "username": user, "password": "pw", "admin": False, "mac": mac.hexdigest()}),
            [("Content-Type", "application/json")])
        if st != 200:
            raise RuntimeError(f"register {user}: {st} {body!r}")
        self.tokens[user] = json.loads(body)["access_token"]

    def auth(self, user):
        return [("Authorization", "Bearer " + self.tokens[user]), ("Content-Type", "application/json")]

    async def mx(self, h, user, method, path, obj=None, timeout=120):
        st, body = await h.call(method, path, json.dumps(obj) if obj is not None else b"", self.auth(user), timeout)
        if st != 200:
            raise RuntimeError(f"{user} {method} {path}: {st} {body[:300]!r}")
        return json.loads(body)

    async def setup(self, members_max, sizes):
        users = ["alice", "bob", "sender"] + [f"m{i}" for i in range(1, members_max)]

        async def reg(u):
            h = self.http()
            try:
                await self.register(h, u)
            finally:
                h.close()

        await gather_limited([reg(u) for u in users], 8)
        h = self.http()
        r = await self.mx(h, "alice", "POST", "/_matrix/client/v3/createRoom",
                          {"preset": "trusted_private_chat", "invite": ["@bob:localhost"], "is_direct": True})
        self.dm = r["room_id"]
        await self.mx(h, "bob", "POST", f"/_matrix/client/v3/join/{q(self.dm)}", {})
        for size in sizes:
            r = await self.mx(h, "sender", "POST", "/_matrix/client/v3/createRoom",
                              {"preset": "public_chat", "name": f"group{size}"})
            room = r["room_id"]
            self.rooms[size] = room

            async def join(u):
                hh = self.http()
                try:
                    await self.mx(hh, u, "POST", f"/_matrix/client/v3/join/{q(room)}", {})
                finally:
                    hh.close()

            await gather_limited([join(f"m{i}") for i in range(1, size)], 4)
        h.close()

    async def syncer(self, user, tracker_ref, ready):
        h = self.http()
        try:
            await self._sync(h, user, tracker_ref, ready)
        finally:
            h.close()

    async def _sync(self, h, user, tracker_ref, ready):
        flt = q(json.dumps({"room": {"timeline": {"limit": 1000}, "state": {"lazy_load_members": True},
                                     "ephemeral": {"types": []}, "account_data": {"types": []}},
                            "presence": {"types": []}, "account_data": {"types": []}}))
        st, body = await h.call("GET", f"/_matrix/client/v3/sync?filter={flt}&timeout=0", b"", self.auth(user))
        since = json.loads(body)["next_batch"]
        ready.set_result(None) if not ready.done() else None
        while True:
            st, body = await h.call("GET", f"/_matrix/client/v3/sync?filter={flt}&since={since}&timeout=30000",
                                    b"", self.auth(user), timeout=90)
            at = now()
            if st != 200:
                await asyncio.sleep(0.1)
                continue
            r = json.loads(body)
            since = r["next_batch"]
            for room in r.get("rooms", {}).get("join", {}).values():
                tl = room.get("timeline", {})
                if tl.get("limited"):
                    tracker_ref[0].limited = getattr(tracker_ref[0], "limited", 0) + 1
                for e in tl.get("events", []):
                    if e.get("type") == "m.room.message":
                        tracker_ref[0].arrived(e["content"].get("body"), at)

    async def start_syncers(self, users, tracker):
        self.tref = [tracker]
        readies = []
        for u in users:
            ready = asyncio.get_running_loop().create_future()
            readies.append(ready)
            self.syncers.append(asyncio.ensure_future(self.syncer(u, self.tref, ready)))
        await asyncio.gather(*readies)

    async def stop_syncers(self):
        for t in self.syncers:
            t.cancel()
        self.syncers = []

    async def start_im_receiver(self, tracker):
        await self.start_syncers(["bob"], tracker)

    async def stop_im_receiver(self):
        await self.stop_syncers()

    def im_request(self, i, text):
        path = f"/_matrix/client/v3/rooms/{q(self.dm)}/send/m.room.message/im{i}-{time.time_ns()}"
        return request("PUT", path, json.dumps({"msgtype": "m.text", "body": text}), self.auth("alice"))

    async def start_group(self, size, tracker):
        n = min(size - 1, self.a.synapse_syncers)
        await self.start_syncers([f"m{i}" for i in range(1, n + 1)], tracker)
        return n

    async def stop_group(self, size):
        await self.stop_syncers()

    def group_request(self, size, i, text):
        path = f"/_matrix/client/v3/rooms/{q(self.rooms[size])}/send/m.room.message/g{size}-{i}-{time.time_ns()}"
        return request("PUT", path, json.dumps({"msgtype": "m.text", "body": text}), self.auth("sender"))

    async def start_admin(self, k, run):
        """A role change is a power level: Matrix keeps every user's level in one state
        event, so each change sends the whole map, one after another (sent at once they
        would overwrite each other). Ejects are kicks; invites are invites."""
        h = self.http()
        r = await self.mx(h, "sender", "POST", "/_matrix/client/v3/createRoom",
                          {"preset": "public_chat", "name": f"admin{run}"})
        room = r["room_id"]
        users = [f"m{i}" for i in range(1, k + 1)]

        async def join(u):
            hh = self.http()
            try:
                await self.mx(hh, u, "POST", f"/_matrix/client/v3/join/{q(room)}", {})
            finally:
                hh.close()

        await gather_limited([join(u) for u in users], 4)
        levels = await self.mx(h, "sender", "GET", f"/_matrix/client/v3/rooms/{q(room)}/state/m.room.power_levels")
        h.close()
        roles = []
        for u in users:
            levels.setdefault("users", {})[f"@{u}:localhost"] = 50
            roles.append(request("PUT", f"/_matrix/client/v3/rooms/{q(room)}/state/m.room.power_levels/",
                                 json.dumps(levels), self.auth("sender")))

        def member_op(op, u):
            return request("POST", f"/_matrix/client/v3/rooms/{q(room)}/{op}",
                           json.dumps({"user_id": f"@{u}:localhost"}), self.auth("sender"))

        c = self.a.concurrency
        return [
            ("role change", roles, 1),
            ("eject", [member_op("kick", u) for u in users], c),
            ("invite", [member_op("invite", u) for u in users], c),
        ]


def q(s):
    return urllib.parse.quote(s, safe="")


async def gather_limited(coros, limit):
    sem = asyncio.Semaphore(limit)

    async def one(c):
        async with sem:
            return await c

    return await asyncio.gather(*(one(c) for c in coros))


# --------------------------------------------------------------------------- scenarios


async def scenario_im(d, a, run, n, warm):
    """User A sends n messages to B over `concurrency` connections."""
    tracker = Tracker()
    await d.start_im_receiver(tracker)
    tag = f"im-r{run}-"
    keys = [f"{tag}{i}" for i in range(n + warm)]
    for k in keys:
        tracker.expect(k, 1)
    reqs = [d.im_request(i, k) for i, k in enumerate(keys)]
    counters = {"next": 0, "ok": 0, "fail": 0, "last": 0.0}
    conns = [d.http() for _ in range(a.concurrency)]

    async def worker(h, upto, count):
        while counters["next"] < upto:
            if count and a.im_budget and now() - t0 > a.im_budget:
                break
            i = counters["next"]
            counters["next"] += 1
            tracker.sent[keys[i]] = now()
            try:
                st, body = await h.raw(reqs[i])
                good = d.im_ok(st, body)
                d.on_reply(keys[i], now())
            except Exception as e:  # noqa: BLE001
                good = False
                if counters["fail"] < 3:
                    print(f"{d.name}: im error: {e}", file=sys.stderr)
            if count:
                counters["ok" if good else "fail"] += 1
                counters["last"] = now()
            elif not good and counters["fail"] < 3:
                counters["fail"] += 0

    # Warm-up (not measured): opens the connections and warms the server's caches.
    t0 = now()
    await asyncio.gather(*(worker(h, warm, False) for h in conns))
    await wait_delivered(tracker, keys[:warm], a.timeout)
    t0 = now()
    cpu0 = cpu_seconds()
    await asyncio.gather(*(worker(h, warm + n, True) for h in conns))
    sent = [k for k in keys[warm:] if k in tracker.sent]
    await wait_delivered(tracker, sent, a.timeout)
    for h in conns:
        h.close()
    await d.stop_im_receiver()
    return summary(tracker, sent, t0, counters["last"], counters["ok"], counters["fail"],
                   {"cpu0": cpu0, "concurrency": a.concurrency, "planned": n, "budget_s": a.im_budget, "dupes": tracker.dupes,
                    "sync_limited": getattr(tracker, "limited", 0)})


async def wait_delivered(tracker, keys, timeout):
    deadline = now() + timeout
    while now() < deadline:
        if all(k in tracker.done for k in keys):
            return True
        await asyncio.sleep(0.005)
    return False


async def scenario_group(d, a, size, run, m):
    """The sender posts m messages to a group of `size`; at most `window` undelivered."""
    tracker = Tracker()
    t_setup = now()
    observed = await d.start_group(size, tracker)
    setup_s = now() - t_setup
    tag = f"g{size}-r{run}-"
    keys = [f"{tag}{i}" for i in range(m)]
    for k in keys:
        tracker.expect(k, observed, event=True)
    counters = {"next": 0, "ok": 0, "fail": 0, "last": 0.0}
    conns = [d.http() for _ in range(a.window)]

    async def worker(h):
        while counters["next"] < m:
            if a.group_budget and now() - t0 > a.group_budget:
                break
            i = counters["next"]
            counters["next"] += 1
            k = keys[i]
            data = d.group_request(size, i, k)
            tracker.sent[k] = now()
            try:
                st, body = await h.raw(data)
                good = d.group_ok(st, body)
                if not good and counters["fail"] < 3:
                    print(f"{d.name}: group send failed: {st} {body[:200]!r}", file=sys.stderr)
            except Exception as e:  # noqa: BLE001
                good = False
                print(f"{d.name}: group send error: {e}", file=sys.stderr)
            counters["ok" if good else "fail"] += 1
            counters["last"] = now()
            if good:
                try:
                    await asyncio.wait_for(tracker.events[k].wait(), a.timeout)
                except asyncio.TimeoutError:
                    pass

    t0 = now()
    cpu0 = cpu_seconds()
    conns0 = CallbackServer.connections
    await asyncio.gather(*(worker(h) for h in conns))
    for h in conns:
        h.close()
    await d.stop_group(size)
    keys = [k for k in keys if k in tracker.sent]
    partial = sum(1 for k in keys if 0 < tracker.count[k] < observed)
    return summary(tracker, keys, t0, counters["last"], counters["ok"], counters["fail"],
                   {"cpu0": cpu0, "members": size, "observed_receivers": observed, "window": a.window,
                    "callback_connections": CallbackServer.connections - conns0,
                    "planned": m, "budget_s": a.group_budget,
                    "setup_s": round(setup_s, 2), "partial": partial, "dupes": tracker.dupes,
                    "sync_limited": getattr(tracker, "limited", 0)})


async def scenario_admin(d, a, run, k):
    """The group's owner changes the role of, ejects, then invites back each of k members,
    phase after phase, each phase as fast as the server takes it."""
    phases = await d.start_admin(k, run)
    out = []
    for name, reqs, conc in phases:
        counters = {"next": 0, "ok": 0, "fail": 0}
        conns = [d.http() for _ in range(max(1, min(conc, len(reqs))))]

        async def worker(h):
            while counters["next"] < len(reqs):
                i = counters["next"]
                counters["next"] += 1
                try:
                    st, body = await h.raw(reqs[i])
                    good = d.admin_ok(name, st, body)
                    if not good and counters["fail"] < 3:
                        print(f"{d.name}: {name} failed: {st} {body[:200]!r}", file=sys.stderr)
                except Exception as e:  # noqa: BLE001
                    good = False
                    print(f"{d.name}: {name} error: {e}", file=sys.stderr)
                counters["ok" if good else "fail"] += 1

        t0 = now()
        await asyncio.gather(*(worker(h) for h in conns))
        took = now() - t0
        for h in conns:
            h.close()
        out.append({"name": name, "ops": len(reqs), "ok": counters["ok"], "fail": counters["fail"],
                    "seconds": round(took, 3), "per_sec": round(counters["ok"] / took, 1) if took else None,
                    "concurrency": len(conns)})
    total = sum(p["seconds"] for p in out)
    return {"members": k, "phases": out, "fail": sum(p["fail"] for p in out),
            "per_sec": round(sum(p["ok"] for p in out) / total, 1) if total else None}


async def run(a):
    d = {"botgrid": Botgrid, "ejabberd": Ejabberd, "synapse": Synapse, "ceiling": Ceiling}[a.server](a)
    sizes = [int(s) for s in a.sizes.split()] if a.sizes else []
    t = now()
    if a.server != "ceiling":
        await d.setup(max(sizes + [2, a.admin + 1]), sizes)
    emit(a, {"scenario": "setup", "seconds": round(now() - t, 2)})
    for r in range(1, a.runs + 1):
        if a.n:
            res = await scenario_im(d, a, r, a.n, a.warmup)
            emit(a, {"scenario": "im", "run": r, "result": res})
    if a.server == "ceiling":
        return
    for size in sizes:
        for r in range(1, a.runs + 1):
            res = await scenario_group(d, a, size, r, a.m)
            emit(a, {"scenario": "group", "run": r, "result": res})
    if a.admin:
        for r in range(1, a.runs + 1):
            res = await scenario_admin(d, a, r, a.admin)
            emit(a, {"scenario": "admin", "run": r, "result": res})
    await d.close()


def emit(a, obj):
    obj = {"target": a.label or a.server, **obj}
    line = json.dumps(obj)
    print(line, flush=True)
    if a.out:
        with open(a.out, "a") as f:
            f.write(line + "\n")


# --------------------------------------------------------------------------- tools


def launch(a):
    log = open(a.log or os.devnull, "ab")
    u = urllib.parse.urlsplit(a.ready)
    host, port, path = u.hostname, u.port, u.path or "/"
    import socket

    data = request("POST" if a.post is not None else "GET", path, a.post or b"",
                   [("Content-Type", a.content_type)] if a.post is not None else ())
    try:
        socket.create_connection((host, port), timeout=1).close()
        print(json.dumps({"error": f"something already listens on port {port}"}))
        sys.exit(1)
    except OSError:
        pass
    t0 = time.monotonic()
    p = subprocess.Popen(a.cmd, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = t0 + a.timeout
    while time.monotonic() < deadline:
        if p.poll() is not None:
            print(json.dumps({"pid": p.pid, "error": f"exited with {p.returncode}"}))
            sys.exit(1)
        try:
            with socket.create_connection((host, port), timeout=1) as s:
                s.sendall(data)
                buf = bytearray()
                r = None
                while r is None:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    buf += chunk
                    r = parse_response(buf)
                if r is not None and r[0] == a.ok_status:
                    ms = (time.monotonic() - t0) * 1000
                    if a.pidfile:
                        with open(a.pidfile, "w") as f:
                            f.write(str(p.pid))
                    print(json.dumps({"pid": p.pid, "startup_ms": round(ms, 1)}))
                    return
        except OSError:
            pass
        time.sleep(0.002)
    p.kill()
    print(json.dumps({"pid": p.pid, "error": "not ready in time"}))
    sys.exit(1)


def rss(a):
    time.sleep(a.idle)
    with open(f"/proc/{a.pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                print(json.dumps({"pid": a.pid, "vmrss_kb": int(line.split()[1])}))
                return


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd_name", required=True)
    l = sub.add_parser("launch")
    l.add_argument("--ready", required=True)
    l.add_argument("--post")
    l.add_argument("--content-type", default="application/x-www-form-urlencoded")
    l.add_argument("--ok-status", type=int, default=200)
    l.add_argument("--pidfile")
    l.add_argument("--log")
    l.add_argument("--timeout", type=float, default=180)
    l.add_argument("cmd", nargs=argparse.REMAINDER)
    s = sub.add_parser("rss")
    s.add_argument("--pid", type=int, required=True)
    s.add_argument("--idle", type=float, default=5)
    w = sub.add_parser("botgrid-world")
    w.add_argument("--out", required=True)
    w.add_argument("--sizes", default="10 100 1000")
    w.add_argument("--admin", type=int, default=0)
    w.add_argument("--runs", type=int, default=3)
    r = sub.add_parser("run")
    r.add_argument("--server", required=True, choices=["botgrid", "ejabberd", "synapse", "ceiling"])
    r.add_argument("--label")
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--c2s-port", type=int)
    r.add_argument("--component-port", type=int)
    r.add_argument("--shared-secret")
    r.add_argument("--runs", type=int, default=3)
    r.add_argument("--n", type=int, default=5000)
    r.add_argument("--warmup", type=int, default=200)
    r.add_argument("--concurrency", type=int, default=64)
    r.add_argument("--m", type=int, default=200)
    r.add_argument("--sizes", default="10 100 1000")
    r.add_argument("--window", type=int, default=4)
    r.add_argument("--synapse-syncers", type=int, default=100)
    r.add_argument("--admin", type=int, default=0,
                   help="members of the group for the admin-operations scenario (0: skip it)")
    r.add_argument("--timeout", type=float, default=120,
                   help="seconds to wait for a message's delivery before counting it lost")
    r.add_argument("--im-budget", type=float, default=0,
                   help="stop sending 1:1 messages after this many seconds (0: send all)")
    r.add_argument("--group-budget", type=float, default=0,
                   help="stop sending group messages after this many seconds (0: send all)")
    r.add_argument("--out")
    a = p.parse_args()
    if a.cmd_name == "launch":
        if a.cmd and a.cmd[0] == "--":
            a.cmd = a.cmd[1:]
        launch(a)
    elif a.cmd_name == "rss":
        rss(a)
    elif a.cmd_name == "botgrid-world":
        with open(a.out, "w") as f:
            sizes = [int(x) for x in a.sizes.split()]
            world = botgrid_world(max(sizes + [2]), sizes, a.admin)
            if a.admin:
                admin = world["groups"].pop()
                for k in range(1, a.runs + 1):
                    world["groups"].append(dict(admin, name=f"Bench Admin{k}"))
            json.dump(world, f)
    else:
        if uvloop:
            uvloop.install()
        asyncio.run(run(a))


if __name__ == "__main__":
    main()
