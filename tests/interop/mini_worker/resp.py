"""The smallest Redis client the mini worker needs: RESP2 commands over one
TCP connection (no pipelining, no AUTH beyond a password given in the URL)."""
import socket
from urllib.parse import urlparse


class RedisError(Exception):
    pass


class Redis:
    def __init__(self, url):
        u = urlparse(url)
        if u.scheme != "redis":
            raise ValueError("redis url must start with redis://, got %r" % url)
        self._sock = socket.create_connection((u.hostname or "127.0.0.1", u.port or 6379), timeout=30)
        self._in = self._sock.makefile("rb")
        if u.password:
            self.command("AUTH", u.password)
        if u.path and u.path != "/":
            self.command("SELECT", u.path.lstrip("/"))

    def command(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            b = a if isinstance(a, bytes) else str(a).encode("utf-8", "surrogateescape")
            out.append(b"$%d\r\n%s\r\n" % (len(b), b))
        self._sock.sendall(b"".join(out))
        return self._reply()

    def _reply(self):
        line = self._in.readline()
        if not line.endswith(b"\r\n"):
            raise RedisError("connection closed")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RedisError(rest.decode(errors="replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self._in.read(n + 2)
            return data[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise RedisError("unexpected reply %r" % line[:40])

    def close(self):
        self._sock.close()
