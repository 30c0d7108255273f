"""Schemathesis hooks for crates/server/tests/schemathesis.rs.

Random bytes and random inputs almost never make a transition, an upload or
a file that exists, so most answers would be refusals. These hooks make
about half of the generated requests of three operations ones the server
accepts, so the success answers are checked against the schema too:

- POST /api/cases/{id}/transitions: an action the user may take now on a
  case, with every field filled in (the test computed them);
- POST /api/cases/{id}/attachments: a small PNG or PDF for a case;
- GET /api/cases/{id}/attachments/{attachment}: a file the test uploaded.

A file answered (JPEG, PNG, WebP, PDF, XLSX) is read by `binary` below, which
refuses one whose bytes are not of the type it is served as, and hands the
schema check a string, so those answers are checked against the schema too.

The test writes what they draw from as JSON to the file named by
PANTAU_SCHEMATHESIS_DATA: {"commands": [{"case", "action", "inputs"}],
"files": [{"case", "attachment"}], "cases": [id, ...]}.
"""

import json
import os

import schemathesis
from hypothesis import strategies as st

with open(os.environ["PANTAU_SCHEMATHESIS_DATA"], encoding="utf-8") as f:
    DATA = json.load(f)

# Scans are sent as they are; schemathesis knows no PDF serializer.
schemathesis.serializer.alias("application/pdf", "application/octet-stream")

# A whole 1×1 PNG (the server decodes every photo it keeps).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082"
)


def _pdf():
    """A one-page PDF that parses (the server refuses one that only starts like a PDF)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i + 1, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


PDF = _pdf()


def either(case, strategy):
    """The generated case, or one drawn from `strategy`."""
    return st.one_of(st.just(case), strategy)


@schemathesis.hook.apply_to(path="/api/cases/{id}/transitions", method="POST")
def flatmap_case(ctx, case):
    if not DATA["commands"]:
        return st.just(case)

    def accepted(command):
        case.path_parameters = {**case.path_parameters, "id": command["case"]}
        case.body = {"action": command["action"], "inputs": dict(command["inputs"])}
        return case

    return either(case, st.sampled_from(DATA["commands"]).map(accepted))


@schemathesis.hook("flatmap_case").apply_to(path="/api/cases/{id}/attachments", method="POST")
def upload(ctx, case):
    if not DATA["cases"]:
        return st.just(case)

    def accepted(pair):
        id, (media_type, body) = pair
        case.path_parameters = {**case.path_parameters, "id": id}
        case.media_type = media_type
        case.body = body
        return case

    files = st.sampled_from([("image/png", PNG), ("application/pdf", PDF)])
    return either(case, st.tuples(st.sampled_from(DATA["cases"]), files).map(accepted))


@schemathesis.hook("flatmap_case").apply_to(
    path="/api/cases/{id}/attachments/{attachment}", method="GET"
)
def fetch(ctx, case):
    if not DATA["files"]:
        return st.just(case)

    def existing(file):
        case.path_parameters = {"id": file["case"], "attachment": file["attachment"]}
        return case

    return either(case, st.sampled_from(DATA["files"]).map(existing))


# The bytes each file type starts with (as the server checks on upload; an
# XLSX report is a ZIP archive).
MAGIC = {
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/webp": b"RIFF",
    "application/pdf": b"%PDF-",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": b"PK\x03\x04",
}


@schemathesis.deserializer(*MAGIC)
def binary(ctx, response):
    """A served file: its bytes must be of the type it is served as."""
    media_type = response.headers.get("content-type", [""])
    if isinstance(media_type, list):
        media_type = media_type[0] if media_type else ""
    media_type = media_type.split(";")[0].strip().lower()
    content = response.content
    magic = MAGIC.get(media_type)
    if magic is None or not content.startswith(magic):
        raise ValueError(f"served as {media_type!r}, but starts with {content[:8]!r}")
    return content.decode("latin-1")
