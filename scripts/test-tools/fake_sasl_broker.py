#!/usr/bin/env python3
"""A fake Kafka broker for testing what a client sends during SASL authentication over TLS.

librdkafka's mock cluster has neither TLS nor SASL, so the tests point the client at this instead.

Covered: a throwaway CA and a server certificate for localhost / 127.0.0.1 (written to --dir, the CA
as ca.pem for the client to trust); TLS (Python ssl); request framing with request header v1 (v2 for
ApiVersions v3); ApiVersions v0-v3 (advertising ApiVersions 0-3, Metadata 1-4, SaslHandshake 0-1,
SaslAuthenticate 0-1); SaslHandshake v0-v1 (the --mechanism is the only one enabled);
SaslAuthenticate v0-v1 (the client's bytes recorded; accepted for OAUTHBEARER, refused with
SASL_AUTHENTICATION_FAILED for anything else, or always with --refuse); Metadata v1-v4 (this broker
as the only broker and controller, every requested topic UNKNOWN_TOPIC_OR_PART).
Not covered: SASL without SaslAuthenticate framing, SCRAM beyond the client's first message, any
other request (the connection is closed).

Prints one JSON object per line on stdout: first {"event": "listening", "port", "ca_file"}, then one
per TLS handshake, decoded request and closed connection. Runs until stdin closes.
"""
import argparse
import datetime
import ipaddress
import json
import os
import socket
import ssl
import struct
import sys
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

API_VERSIONS, METADATA, SASL_HANDSHAKE, SASL_AUTHENTICATE = 18, 3, 17, 36
SUPPORTED = [(API_VERSIONS, 0, 3), (METADATA, 1, 4), (SASL_HANDSHAKE, 0, 1), (SASL_AUTHENTICATE, 0, 1)]
NAMES = {API_VERSIONS: "ApiVersions", METADATA: "Metadata", SASL_HANDSHAKE: "SaslHandshake",
         SASL_AUTHENTICATE: "SaslAuthenticate"}
NODE_ID = 1
UNSUPPORTED_SASL_MECHANISM, SASL_AUTHENTICATION_FAILED, UNKNOWN_TOPIC_OR_PART = 33, 58, 3

print_lock = threading.Lock()


def emit(**fields):
    with print_lock:
        sys.stdout.write(json.dumps(fields, sort_keys=True) + "\n")
        sys.stdout.flush()


def write_certificates(directory):
    """A CA and a server certificate it signed, valid for localhost and 127.0.0.1 for one day."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake-sasl-broker test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = (x509.CertificateBuilder()
              .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
              .issuer_name(ca_name).public_key(server_key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
              .add_extension(x509.SubjectAlternativeName([
                  x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
              .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
              .sign(ca_key, hashes.SHA256()))
    paths = {name: os.path.join(directory, name) for name in ("ca.pem", "server.pem", "server-key.pem")}
    with open(paths["ca.pem"], "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(paths["server.pem"], "wb") as f:
        f.write(server.public_bytes(serialization.Encoding.PEM))
    with open(paths["server-key.pem"], "wb") as f:
        f.write(server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption()))
    return paths


class Reader:
    def __init__(self, data):
        self.data, self.offset = data, 0

    def take(self, count):
        if self.offset + count > len(self.data):
            raise ValueError("truncated request")
        chunk = self.data[self.offset:self.offset + count]
        self.offset += count
        return chunk

    def int8(self): return struct.unpack(">b", self.take(1))[0]
    def int16(self): return struct.unpack(">h", self.take(2))[0]
    def int32(self): return struct.unpack(">i", self.take(4))[0]

    def uvarint(self):
        value, shift = 0, 0
        while True:
            byte = self.take(1)[0]
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7

    def string(self):
        length = self.int16()
        return None if length < 0 else self.take(length).decode("utf-8", "replace")

    def bytes(self):
        length = self.int32()
        return b"" if length < 0 else self.take(length)

    def skip_tags(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.take(self.uvarint())


def string(value):
    if value is None:
        return struct.pack(">h", -1)
    encoded = value.encode()
    return struct.pack(">h", len(encoded)) + encoded


def uvarint(value):
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


class Broker:
    def __init__(self, mechanism, refuse, port):
        self.mechanism, self.refuse, self.port = mechanism, refuse, port

    def api_versions(self, version):
        flexible = version >= 3
        body = struct.pack(">h", 0)
        body += uvarint(len(SUPPORTED) + 1) if flexible else struct.pack(">i", len(SUPPORTED))
        for key, low, high in SUPPORTED:
            body += struct.pack(">hhh", key, low, high) + (uvarint(0) if flexible else b"")
        if version >= 1:
            body += struct.pack(">i", 0)
        if flexible:
            body += uvarint(0)
        return body

    def sasl_handshake(self, reader, record):
        mechanism = reader.string()
        record["mechanism"] = mechanism
        error = 0 if mechanism == self.mechanism else UNSUPPORTED_SASL_MECHANISM
        return struct.pack(">hi", error, 1) + string(self.mechanism)

    def sasl_authenticate(self, reader, version, record):
        auth_bytes = reader.bytes()
        record["auth_bytes"] = auth_bytes.decode("utf-8", "replace")
        accepted = self.mechanism == "OAUTHBEARER" and not self.refuse
        record["accepted"] = accepted
        error, message = (0, None) if accepted else (SASL_AUTHENTICATION_FAILED, "fake broker refuses this client")
        body = struct.pack(">h", error) + string(message) + struct.pack(">i", 0)
        if version >= 1:
            body += struct.pack(">q", 3_600_000 if accepted else 0)
        return body, accepted

    def metadata(self, reader, version, record):
        count = reader.int32()
        topics = [reader.string() for _ in range(max(count, 0))]
        record["topics"] = topics
        body = struct.pack(">i", 0) if version >= 3 else b""
        body += struct.pack(">i", 1) + struct.pack(">i", NODE_ID) + string("localhost") + struct.pack(">i", self.port)
        body += string(None)  # rack
        if version >= 2:
            body += string("fake-sasl-broker")
        body += struct.pack(">i", NODE_ID)
        body += struct.pack(">i", len(topics))
        for topic in topics:
            body += struct.pack(">h", UNKNOWN_TOPIC_OR_PART) + string(topic) + b"\x00" + struct.pack(">i", 0)
        return body

    def serve(self, raw, context, peer):
        try:
            connection = context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError) as error:
            emit(event="tls_failed", peer=peer, error=str(error))
            raw.close()
            return
        emit(event="tls_established", peer=peer, version=connection.version())
        try:
            self.handle_requests(connection, peer)
        except (ssl.SSLError, OSError, ValueError) as error:
            emit(event="connection_error", peer=peer, error=str(error))
        finally:
            emit(event="closed", peer=peer)
            connection.close()

    def handle_requests(self, connection, peer):
        while True:
            header = read_exactly(connection, 4)
            if header is None:
                return
            size = struct.unpack(">i", header)[0]
            payload = read_exactly(connection, size)
            if payload is None:
                return
            reader = Reader(payload)
            key, version, correlation = reader.int16(), reader.int16(), reader.int32()
            client_id = reader.string()
            if key == API_VERSIONS and version >= 3:
                reader.skip_tags()
            record = {"event": "request", "peer": peer, "api_key": key, "api_version": version,
                      "name": NAMES.get(key, str(key)), "client_id": client_id}
            keep_open = True
            if key == API_VERSIONS:
                body = self.api_versions(version)
            elif key == SASL_HANDSHAKE:
                body = self.sasl_handshake(reader, record)
            elif key == SASL_AUTHENTICATE:
                body, keep_open = self.sasl_authenticate(reader, version, record)
            elif key == METADATA and 1 <= version <= 4:
                body = self.metadata(reader, version, record)
            else:
                emit(**record)
                return
            emit(**record)
            response = struct.pack(">i", correlation) + body
            connection.sendall(struct.pack(">i", len(response)) + response)
            if not keep_open:
                return


def read_exactly(connection, count):
    data = b""
    while len(data) < count:
        chunk = connection.recv(count - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, help="where to write ca.pem and the server certificate")
    parser.add_argument("--mechanism", default="OAUTHBEARER", help="the one SASL mechanism enabled")
    parser.add_argument("--refuse", action="store_true", help="refuse every SaslAuthenticate")
    arguments = parser.parse_args()

    paths = write_certificates(arguments.dir)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(paths["server.pem"], paths["server-key.pem"])
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    broker = Broker(arguments.mechanism, arguments.refuse, port)

    def accept_loop():
        while True:
            try:
                raw, address = listener.accept()
            except OSError:
                return
            raw.settimeout(30)
            peer = "%s:%d" % address
            threading.Thread(target=broker.serve, args=(raw, context, peer), daemon=True).start()

    threading.Thread(target=accept_loop, daemon=True).start()
    emit(event="listening", port=port, ca_file=paths["ca.pem"])
    sys.stdin.read()  # until the test closes stdin (or dies)
    listener.close()


if __name__ == "__main__":
    main()
