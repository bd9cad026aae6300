"""Certificates for a local floor over TLS, made with `cryptography`: a CA, a server certificate
for 127.0.0.1 and localhost (the broker's and the workers' web servers'), a client certificate,
and a second, untrusted CA with its own client (for tests of what is refused).

Used by `floorwatch kafka start --secure`, `floorwatch up --secure` and the TLS tests; a real
deployment brings certificates from its own CA. Keys are written unencrypted, mode 0600."""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Sequence
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

    @classmethod
    def at(cls, folder: Path) -> LocalPki:
        """Where make_pki(folder) writes each file."""
        return cls(**{name: folder / file for name, file in FILES.items()})


FILES = {
    "ca": "ca.pem",
    "broker_keystore": "broker-keystore.pem",
    "server_cert": "server.pem",
    "server_key": "server-key.pem",
    "client_cert": "client.pem",
    "client_key": "client-key.pem",
    "rogue_ca": "rogue-ca.pem",
    "rogue_client_cert": "rogue-client.pem",
    "rogue_client_key": "rogue-client-key.pem",
}


LOCAL_HOSTS = ("127.0.0.1", "localhost")


def make_pki(folder: Path, valid_days: int = 2, hosts: Sequence[str] = LOCAL_HOSTS) -> LocalPki:
    """`hosts`: the addresses and names the server certificate is valid for."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_key, ca_cert = _ca("floorwatch local CA", valid_days)
    rogue_key, rogue_cert = _ca("someone else's CA", valid_days)
    broker_key, broker_cert = _leaf(hosts[0], ca_key, ca_cert, server=True, valid_days=valid_days, hosts=hosts)
    client_key, client_cert = _leaf("floorwatch-worker", ca_key, ca_cert, server=False, valid_days=valid_days)
    rogue_client_key, rogue_client_cert = _leaf(
        "floorwatch-worker", rogue_key, rogue_cert, server=False, valid_days=valid_days
    )
    contents = {
        "ca": _pem(ca_cert),
        "broker_keystore": _key_pem(broker_key) + _pem(broker_cert),
        "server_cert": _pem(broker_cert),
        "server_key": _key_pem(broker_key),
        "client_cert": _pem(client_cert),
        "client_key": _key_pem(client_key),
        "rogue_ca": _pem(rogue_cert),
        "rogue_client_cert": _pem(rogue_client_cert),
        "rogue_client_key": _key_pem(rogue_client_key),
    }
    pki = LocalPki.at(folder)
    for name, data in contents.items():
        path: Path = getattr(pki, name)
        path.write_bytes(data)
        path.chmod(0o600)
    return pki


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(subject: str, issuer: x509.Name, public_key, valid_days: int) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=valid_days))
    )


def _ca(common_name: str, valid_days: int) -> tuple[_Key, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        _builder(common_name, _name(common_name), key.public_key(), valid_days)
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


def _leaf(
    common_name: str,
    ca_key: _Key,
    ca_cert: x509.Certificate,
    *,
    server: bool,
    valid_days: int,
    hosts: Sequence[str] = (),
) -> tuple[_Key, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    builder = (
        _builder(common_name, ca_cert.subject, key.public_key(), valid_days)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([_general_name(host) for host in hosts]),
            critical=False,
        )
    return key, builder.sign(ca_key, hashes.SHA256())


def _general_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: _Key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
