#!/usr/bin/env python3
"""A real SMTP server for encaisse-mail's tests, on aiosmtpd (Debian: python3-aiosmtpd).

Listens on 127.0.0.1 on an ephemeral port and prints `READY <port>` once it accepts
connections. Every accepted message is stored in --dir as N.eml (the DATA bytes, as received)
and N.json (envelope, authenticated login, whether TLS was on), each written to a temporary
name then renamed, so a reader polling the directory never sees half a file.

  --starttls CERT KEY      offer STARTTLS (and require it before MAIL)
  --implicit-tls CERT KEY  TLS from the first byte (port 465 style)
  --user U --password P    require AUTH PLAIN or LOGIN with these credentials
  --token T                also accept AUTH XOAUTH2 with this bearer token (for --user)
  --reject ADDR=CODE       answer RCPT TO:<ADDR> with CODE (4xx or 5xx), e.g. busy@x=451
  --reject-sender ADDR     answer MAIL FROM:<ADDR> with 553
"""
import argparse
import asyncio
import logging
import warnings
import base64
import json
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Store:
    def __init__(self, args):
        self.args = args
        self.count = 0
        self.rejects = {}
        for r in args.reject:
            addr, code = r.rsplit("=", 1)
            self.rejects[addr.lower()] = int(code)

    # --- authentication -------------------------------------------------------------------
    def authenticator(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            ok = (auth_data.login.decode() == self.args.user
                  and auth_data.password.decode() == self.args.password)
            return AuthResult(success=ok, handled=False, auth_data=auth_data)
        return AuthResult(success=False, handled=False)

    async def auth_XOAUTH2(self, server, args):
        if len(args) < 2:
            return AuthResult(success=False, handled=False)
        try:
            raw = base64.b64decode(args[1]).decode()
        except Exception:
            return AuthResult(success=False, handled=False)
        fields = dict(f.split("=", 1) for f in raw.split("\x01") if "=" in f)
        ok = (self.args.token is not None
              and fields.get("user") == self.args.user
              and fields.get("auth") == "Bearer " + self.args.token)
        if ok:
            return AuthResult(success=True, auth_data=LoginPassword(self.args.user.encode(), b""))
        return AuthResult(success=False, handled=False)

    # --- envelope and data ----------------------------------------------------------------
    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if address.lower() in [a.lower() for a in self.args.reject_sender]:
            return f"553 5.7.1 <{address}>: Sender address rejected: not owned by user"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = self.rejects.get(address.lower())
        if code is not None:
            if code >= 500:
                return f"{code} 5.1.1 <{address}>: Recipient address rejected: User unknown"
            return f"{code} 4.2.1 <{address}>: Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        n = self.count
        login = session.login_data.decode() if isinstance(session.login_data, bytes) else session.login_data
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "login": login,
            # STARTTLS sets session.ssl; implicit TLS shows on the transport.
            "tls": session.ssl is not None
            or server.transport.get_extra_info("ssl_object") is not None,
            "size": len(envelope.original_content or b""),
            "peer_port": session.peer[1] if session.peer else None,
        }
        d = self.args.dir
        for name, data in ((f"{n}.eml", envelope.original_content or b""),
                           (f"{n}.json", json.dumps(meta).encode())):
            tmp = os.path.join(d, f".{name}.tmp")
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, os.path.join(d, name))
        return f"250 2.0.0 Ok: queued as TEST{n:05d}"


def tls_context(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


async def main():
    # AUTH without TLS is deliberate here (the plain-text tests); keep the test output clean.
    warnings.filterwarnings("ignore")
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--implicit-tls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--token")
    p.add_argument("--reject", action="append", default=[])
    p.add_argument("--reject-sender", action="append", default=[])
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    store = Store(args)
    loop = asyncio.get_running_loop()

    starttls_ctx = tls_context(*args.starttls) if args.starttls else None
    implicit_ctx = tls_context(*args.implicit_tls) if args.implicit_tls else None
    auth = args.user is not None

    def factory():
        return SMTP(
            store,
            hostname="smtp.test",
            tls_context=starttls_ctx,
            require_starttls=starttls_ctx is not None,
            authenticator=store.authenticator if auth else None,
            auth_required=auth,
            # Implicit TLS is TLS too, but aiosmtpd only counts STARTTLS; plain tests need AUTH.
            auth_require_tls=False,
            data_size_limit=64 * 1024 * 1024,
            loop=loop,
        )

    server = await loop.create_server(factory, "127.0.0.1", 0, ssl=implicit_ctx)
    port = server.sockets[0].getsockname()[1]
    print(f"READY {port}", flush=True)
    # Stop when the test (our parent) closes our stdin.
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    await reader.read()
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
