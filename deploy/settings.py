"""Where the local-infrastructure helpers keep things, read once from the environment."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DeploySettings(BaseSettings):
    """Environment variables the deploy helpers honour (all optional).

    - `FLOORWATCH_CACHE`: the jar cache root (default `$XDG_CACHE_HOME/floorwatch`).
    - `XDG_CACHE_HOME`: the user's cache root (default `~/.cache`); empty means unset.
    - `HOME`: where `~` points.
    - `FLOORWATCH_TEST_BOOTSTRAP`: integration tests use this running broker
      (`host:port[,host:port]`) instead of starting their own.
    """

    model_config = SettingsConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    floorwatch_cache: str = Field("", validation_alias="FLOORWATCH_CACHE")
    xdg_cache_home: str = Field("", validation_alias="XDG_CACHE_HOME")
    home: str = Field("", validation_alias="HOME")
    test_bootstrap: str = Field("", validation_alias="FLOORWATCH_TEST_BOOTSTRAP")

    @property
    def cache_root(self) -> Path:
        """The floorwatch cache folder; outside the repository so `git clean` never costs a refetch."""
        if self.floorwatch_cache:
            return Path(self.floorwatch_cache).expanduser()
        if self.xdg_cache_home:
            return Path(self.xdg_cache_home).expanduser() / "floorwatch"
        home = Path(self.home) if self.home else Path.home()
        return home / ".cache" / "floorwatch"
