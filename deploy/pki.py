"""Certificates for a local floor over TLS, made with `cryptography`: a CA, a server certificate
for 127.0.0.1 and localhost (the broker's and the workers' web servers'), a client certificate,
and a second, untrusted CA with its own client (for tests of what is refused).

Used by `floorwatch kafka start --secure`, `floorwatch up --secure` and the TLS tests; a real
deployment brings certificates from its own CA. Keys are written unencrypted, mode 0600."""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_Key = ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class LocalPki:
    ca: Path  # the CA both sides trust
    broker_keystore: Path  # broker key (PKCS#8) + certificate, for ssl.keystore.type=PEM
    server_cert: Path  # the same certificate and key apart, for web servers
    server_key: Path
    client_cert: Path
    client_key: Path
    rogue_ca: Path  # a CA nobody trusts
    rogue_client_cert: Path  # a client certificate signed by it
    rogue_client_key: Path


def make_pki(folder: Path) -> LocalPki:
    folder.mkdir(parents=True, exist_ok=True)
    ca_key, ca_cert = _ca("floorwatch test CA")
    rogue_key, rogue_cert = _ca("someone else's CA")
    broker_key, broker_cert = _leaf("127.0.0.1", ca_key, ca_cert, server=True)
    client_key, client_cert = _leaf("floorwatch-worker", ca_key, ca_cert, server=False)
    rogue_client_key, rogue_client_cert = _leaf("floorwatch-worker", rogue_key, rogue_cert, server=False)
    write = _writer(folder)
    return LocalPki(
        ca=write("ca.pem", _pem(ca_cert)),
        broker_keystore=write("broker-keystore.pem", _key_pem(broker_key) + _pem(broker_cert)),
        server_cert=write("server.pem", _pem(broker_cert)),
        server_key=write("server-key.pem", _key_pem(broker_key)),
        client_cert=write("client.pem", _pem(client_cert)),
        client_key=write("client-key.pem", _key_pem(client_key)),
        rogue_ca=write("rogue-ca.pem", _pem(rogue_cert)),
        rogue_client_cert=write("rogue-client.pem", _pem(rogue_client_cert)),
        rogue_client_key=write("rogue-client-key.pem", _key_pem(rogue_client_key)),
    )


def _writer(folder: Path):
    def write(name: str, data: bytes) -> Path:
        path = folder / name
        path.write_bytes(data)
        path.chmod(0o600)
        return path

    return write


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(subject: str, issuer: x509.Name, public_key) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
    )


def _ca(common_name: str) -> tuple[_Key, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        _builder(common_name, _name(common_name), key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _leaf(common_name: str, ca_key: _Key, ca_cert: x509.Certificate, *, server: bool) -> tuple[_Key, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    builder = (
        _builder(common_name, ca_cert.subject, key.public_key())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
    return key, builder.sign(ca_key, hashes.SHA256())


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: _Key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
