#!/usr/bin/env python3
"""Writes fuzz/corpus/<target>/ seed files from the protocol's worked examples
(§7 of the protocol document, wire/worked_examples_test.cc) and small valid
inputs of each parser. Run from anywhere; rerun after changing a layout."""
import base64
import os
import shutil
import struct
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(os.path.dirname(HERE), "corpus")


def h(text):
    return bytes.fromhex(text.replace(" ", "").replace("\n", ""))


# Worked examples: command frames the SDK sends and answers the chip gives.
PING = h("AA 00 F7 00 04 00 01 02 03 E1 09")
PING_ANSWER = h("55 00 00 00 04 00 01 02 03 22 32")
SIGN = h("AA 00 C8 00 2A 02 08 01 01 00 00 00 20 " + " ".join("%02X" % i for i in range(32)) +
         " 00 00 10 EE")
CHALLENGE16 = h("AA 00 C7 00 02 00 10 1F D7")
LIST = h("AA 00 15 00 01 01 DC 56")
LIST_FROM = h("AA 00 15 00 03 00 10 00 85 46")
STATUS = h("AA 00 F2 00 00 B9 EB")
CREATE = h("AA 00 10 00 13 01 01 03 02 EE EE 0E EE EE 0E EE EE 0E 00 60 00 00 00 00 B0 4A")
IMPORT = h("AA 00 CA 00 54 01 0A 10 00 01 01 00 0A 03 00 20 00 00 00 01 0A FF 00 00 40 "
           "CB F8 9D 48 58 E3 6F 77 4A 74 62 1C C2 B7 C2 66 EA 7D 6D 19 56 9F 2A FC 52 "
           "3C 01 AE 7F 75 5B 7A 81 D1 06 B7 AC F6 15 8E 91 4D F1 AD 69 EA 85 CF 2D 39 "
           "34 07 7A AB 2C 78 E6 83 54 C5 66 10 6F 78 AE 8C")
LOGIN = h("AA 00 C2 00 4A 01 0A 10 01 00 00 00 00 00 40 "
          "A7 F1 5C F3 FE A0 90 AE C5 B9 2D 5A B8 17 38 BE 14 DA 8E D1 AE 89 84 28 70 C7 97 37 "
          "65 61 51 29 95 70 E9 7C D1 42 FC AA 71 A7 8E CF FE 6B 36 0F CE 0B B9 6E 0C C8 20 A5 "
          "65 66 A4 3F 1A 02 5A E5 FE 8C")
RESET = h("AA 00 C2 00 01 03 64 23")
NOT_FOUND = h("55 00 04 00 00 4D CD")
DENIED = h("55 20 01 00 00 56 0C")
COMMANDS = [PING, SIGN, CHALLENGE16, LIST, LIST_FROM, STATUS, CREATE, IMPORT, LOGIN, RESET]
ANSWERS = [PING_ANSWER, NOT_FOUND, DENIED]


def payload(frame):
    return frame[5:-2]


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    for i, f in enumerate(COMMANDS + ANSWERS):
        write("frame_codec", "example%02d" % i, f)
    # Layout targets: a selector byte, then a payload.
    write("admin_layout", "challenge", b"\x00" + payload(CHALLENGE16))
    write("admin_layout", "login", b"\x01" + payload(LOGIN))
    write("admin_layout", "reset", b"\x01" + payload(RESET))
    write("admin_layout", "lifecycle", b"\x02\x05")
    write("key_layout", "descriptor", b"\x00" + h("03 00 20 00 00 00 01 0A FF 00") + b"\x00" * 64)
    write("key_layout", "import", b"\x01" + payload(IMPORT))
    write("key_layout", "sign", b"\x02" + payload(SIGN))
    write("key_layout", "ecdh", b"\x03\x01\x01" + b"\x04" + b"\x11" * 64)
    write("object_layout", "create", b"\x00" + payload(CREATE))
    write("object_layout", "id", b"\x01\x01\x01")
    write("object_layout", "read", b"\x02\x01\x01\x00\x00\x00\x10")
    write("object_layout", "write", b"\x03\x01\x01\x00\x00\x00\x04abcd")
    write("object_layout", "list", b"\x04" + payload(LIST_FROM))
    write("object_layout", "ids", b"\x05\x00\x02\x01\x01\x10\x00")
    write("object_layout", "record", b"\x06" + payload(CREATE) + b"\x00" * 8)
    write("status_layout", "zeros", b"\x00" * 93)
    write("certificate_layout", "header", b"\x01" + b"\x03\x00\x00\x20" + b"\x00" * 20)
    # The chip: flags, then [kind][len u16][bytes]; framed chunks carry code + payload.
    chip = bytearray(b"\x00")
    for f in COMMANDS:
        body = f[2:3] + payload(f)
        chip += b"\x01" + struct.pack(">H", len(body)) + body
    write("chip", "examples", bytes(chip))
    write("chip", "raw_ping", b"\x00\x00" + struct.pack(">H", len(PING)) + PING)
    write("chip", "admin_create", b"\x01\x01" + struct.pack(">H", len(payload(CREATE)) + 1) +
          b"\x10" + payload(CREATE))
    # The device over a fuzzed bus: 4 selectors, then what the chip answers
    # (the sync byte after a few busy polls, then the rest of the answer).
    status_answer = bytes([0x55]) + h("00 00 00 5D") + b"\x00" * 95
    write("device_bus", "status", b"\x00\x00\x00\x00" + b"\xCC" * 12 + status_answer * 4)
    write("device_bus", "ping", b"\x01\x01\x01\x01" + (b"\xCC" * 15 + PING_ANSWER[:1]) + PING_ANSWER[1:])
    # The simulator daemon: a batch request (magic, version, type, length,
    # then ops: select, transfer(ping), deselect).
    def request(ops):
        body = b""
        for op in ops:
            if isinstance(op, bytes):
                body += b"\x03" + struct.pack(">I", len(op)) + op
            else:
                body += bytes([op])
        return b"MQ\x01\x01" + struct.pack(">I", len(body)) + body

    SEL, DESEL = 1, 2
    first = [SEL, PING, DESEL] + [SEL, b"\xCC", DESEL] * 8
    rest = [SEL, b"\xCC" * 4, DESEL, SEL, b"\xCC" * 6, DESEL]
    write("sim_daemon", "ping", request(first) + request(rest))
    status = [SEL, STATUS, DESEL] + [SEL, b"\xCC", DESEL] * 4 + [SEL, b"\xCC" * 4, DESEL,
                                                                 SEL, b"\xCC" * 95, DESEL]
    write("sim_daemon", "status", request(status))
    # URIs.
    for i, u in enumerate([b"maxq1061:id=0x0101", b"maxq1061:id=0x0201;type=cert",
                           b"maxq1061:id=257;type=key", b"MAXQ1061:ID=0x1001"]):
        write("uri", "uri%d" % i, u)
    # Broker frames: selector, then a message.
    write("broker_protocol", "header", b"\x00MQ\x01\x01\x00\x0d")
    write("broker_protocol", "command", b"\x01\x00\x04" + PING)
    write("broker_protocol", "error", b"\x02\x03" + b"\x00\x05nope!")
    # Key references: the DER body and the PEM file the provider writes.
    point = b"\x04" + bytes.fromhex(
        "6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"
        "4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5")  # P-256 generator
    fields = b"MQKR\x01" + bytes(range(24)) + b"\x01\x01\x00" + struct.pack(">H", len(point)) + point
    octets = b"\x04" + bytes([len(fields)]) + fields
    der = b"\x30\x81" + bytes([len(octets)]) + octets if len(octets) >= 0x80 else b"\x30" + bytes([len(octets)]) + octets
    write("key_reference_der", "reference", der)
    b64 = base64.b64encode(der).decode()
    pem = ("-----BEGIN MAXQ1061 KEY REFERENCE-----\n" +
           "".join(b64[i:i + 64] + "\n" for i in range(0, len(b64), 64)) +
           "-----END MAXQ1061 KEY REFERENCE-----\n").encode()
    write("key_reference_pem", "reference", b"\x10" + pem)
    write("key_reference_pem", "text_then_reference", b"\x03" + b"some text\n" + pem)
    write("key_reference_pem", "other_block", b"\x07-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    # A real EC certificate for the DER walk (openssl, when present).
    if shutil.which("openssl"):
        with tempfile.TemporaryDirectory() as d:
            for curve in ("P-256", "P-384"):
                key, crt = os.path.join(d, "k.pem"), os.path.join(d, "c.der")
                subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                "ec_paramgen_curve:" + curve, "-nodes", "-keyout", key,
                                "-subj", "/CN=fuzz", "-days", "1", "-outform", "DER", "-out", crt],
                               check=True, capture_output=True)
                with open(crt, "rb") as f:
                    write("certificate_layout", "cert_" + curve, b"\x00" + f.read())


if __name__ == "__main__":
    main()
