"""A real SMTP server on loopback for pantau-notify's tests (Debian's
python3-aiosmtpd).

    /usr/bin/python3 smtp_server.py DIR [DELAY]

listens on 127.0.0.1 on a free port (taking DELAY seconds, default 0, to
accept each message: a slow server) and writes the port to DIR/port once it
listens. Every message that arrives is written as DIR/NNNN.json: the
envelope, the peer's port (one per connection) and the message as Python's
own email parser reads it (headers, and each part's decoded text), beside
DIR/NNNN.eml, the bytes received. Each file appears whole (written aside,
then renamed), before the server answers 250.

A recipient whose local part starts with `reject-` is refused with 550, one
starting with `busy-` with 451. The server stops by itself after five
minutes, so a test that dies cannot leave it behind for long.
"""

import asyncio
import email
import email.policy
import json
import os
import sys

from aiosmtpd.smtp import SMTP


def write(path, data):
    with open(path + ".partial", "wb") as f:
        f.write(data)
    os.rename(path + ".partial", path)


class Handler:
    def __init__(self, out, delay):
        self.out = out
        self.delay = delay
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0]
        if local.startswith("reject-"):
            return "550 5.1.1 No such mailbox here"
        if local.startswith("busy-"):
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.count += 1
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        parts = []
        for part in msg.walk():
            if part.is_multipart():
                continue
            parts.append(
                {
                    "content_type": part.get_content_type(),
                    "charset": part.get_content_charset(),
                    "content": part.get_content().replace("\r\n", "\n"),
                }
            )
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "peer_port": session.peer[1],
            "headers": {
                name: str(msg[name])
                for name in ("From", "To", "Subject", "Message-ID", "Date", "Auto-Submitted")
                if msg[name] is not None
            },
            "to": [
                {"name": a.display_name, "email": a.addr_spec} for a in msg["To"].addresses
            ],
            "content_type": msg.get_content_type(),
            "parts": parts,
        }
        base = os.path.join(self.out, "%04d" % self.count)
        write(base + ".eml", raw)
        write(base + ".json", json.dumps(record, ensure_ascii=False, indent=1).encode())
        return "250 Message accepted for delivery"


async def main(out, delay):
    handler = Handler(out, delay)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="smtp.test", enable_SMTPUTF8=True),
        "127.0.0.1",
        0,
    )
    port = server.sockets[0].getsockname()[1]
    write(os.path.join(out, "port"), str(port).encode())
    try:
        await asyncio.sleep(300)
    finally:
        server.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 0.0))
