"""Per-agent labels and ids as the operator's privacy mode allows (docs/privacy.md, docs/security.md)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from floorwatch.streams.settings import PrivacyMode

ID_HEX_DIGITS = 24
_SEPARATOR = "\x1f"  # cannot occur in an accepted id (control characters are rejected), so parts never blur


@dataclass(frozen=True)
class AgentLabeller:
    mode: PrivacyMode
    key: bytes = b""
    min_group_size: int = 5

    def __post_init__(self) -> None:
        if self.per_agent_allowed and not self.key:
            # Without a key every id derived from a person could be reversed by hashing guessed ids.
            raise ValueError(f"privacy {self.mode.value} needs a key (FLOORWATCH_PSEUDONYM_KEY)")

    @property
    def per_agent_allowed(self) -> bool:
        return self.mode is not PrivacyMode.OFF

    def agent_key(self, agent_id: str) -> str:
        """The label published for an agent; never call it when per-agent detail is off."""
        if self.mode is PrivacyMode.NAMED:
            return agent_id
        if self.mode is PrivacyMode.PSEUDONYMOUS:
            # Keyed, so nobody without the key can test a guessed id against the label.
            return "p-" + self._mac(agent_id)[:16]
        raise PermissionError("per-agent detail is off (FLOORWATCH_PRIVACY=off)")

    def derived_id(self, kind: str, *parts: str) -> str:
        """A stable record id (a violation, an alert) derived from its subject: keyed in every mode,
        so an id never lets anyone without the key test a guessed agent id against it."""
        # The separator keeps these messages apart from a pseudonym's (a bare id never holds one).
        return self._mac(_SEPARATOR.join((kind, *parts)))[:ID_HEX_DIGITS]

    def _mac(self, message: str) -> str:
        return hmac.new(self.key, message.encode(), hashlib.sha256).hexdigest()

    def group_publishable(self, members: int) -> bool:
        """With per-agent detail off, small groups would identify people: hold them back."""
        return self.mode is not PrivacyMode.OFF or members >= self.min_group_size
