"""Settings of `floorwatch dashboards push`, read from FLOORWATCH_* variables in the command's run()."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class GrafanaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FLOORWATCH_", frozen=True, extra="ignore")

    grafana_url: str = Field("http://127.0.0.1:3000", description="Grafana's base URL.")
    grafana_token: SecretStr = Field(
        SecretStr(""), description="A service account token (Editor; Admin to manage data sources)."
    )
    grafana_user: str = Field("", description="Basic-auth user, when no token is set.")
    grafana_password: SecretStr = Field(SecretStr(""), description="Basic-auth password, when no token is set.")
    grafana_folder_uid: str = Field("floorwatch", description="Folder the dashboards go to (created if missing).")
    grafana_folder_title: str = Field("floorwatch", description="Title of that folder.")
    grafana_prometheus_url: str = Field(
        "http://127.0.0.1:9090", description="Prometheus as Grafana's server reaches it."
    )
    grafana_timeout_seconds: float = Field(10.0, gt=0, description="Timeout of each Grafana API request.")
