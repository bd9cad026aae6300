"""Per-agent labels as the operator's privacy mode allows (docs/privacy.md)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from floorwatch.streams.settings import PrivacyMode


@dataclass(frozen=True)
class AgentLabeller:
    mode: PrivacyMode
    key: bytes = b""
    min_group_size: int = 5

    @property
    def per_agent_allowed(self) -> bool:
        return self.mode is not PrivacyMode.OFF

    def agent_key(self, agent_id: str) -> str:
        """The label published for an agent; never call it when per-agent detail is off."""
        if self.mode is PrivacyMode.NAMED:
            return agent_id
        if self.mode is PrivacyMode.PSEUDONYMOUS:
            # Keyed, so nobody without the key can test a guessed id against the label.
            return "p-" + hmac.new(self.key, agent_id.encode(), hashlib.sha256).hexdigest()[:16]
        raise PermissionError("per-agent detail is off (FLOORWATCH_PRIVACY=off)")

    def group_publishable(self, members: int) -> bool:
        """With per-agent detail off, small groups would identify people: hold them back."""
        return self.mode is not PrivacyMode.OFF or members >= self.min_group_size
