"""Settings: file plus environment, and a one-line error naming the key for anything wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.settings import Settings, SettingsError, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "gateway.toml"
    path.write_text(text)
    return path


def test_defaults_without_a_file_are_the_documented_ones(tmp_path, monkeypatch):
    monkeypatch.setattr("gateway.settings.DEFAULT_CONFIG_PATH", tmp_path / "absent.toml")
    s = load_settings(environ={})
    assert s.http.port == 80
    assert s.thinknx.port == 5051
    assert s.radio.kind == "virtual"
    assert s.database_url == "sqlite:////var/lib/gateway/gateway.db"


def test_file_values_are_read(tmp_path):
    path = write(tmp_path, '[http]\nport = 8080\n[radio]\nkind = "znp"\npath = "/dev/ttyUSB0"\n')
    s = load_settings(path, environ={})
    assert (s.http.port, s.radio.kind, s.radio.path) == (8080, "znp", "/dev/ttyUSB0")


def test_environment_overrides_the_file(tmp_path):
    path = write(tmp_path, "[http]\nport = 8080\n")
    s = load_settings(
        path,
        environ={
            "GATEWAY_HTTP_PORT": "9090",
            "GATEWAY_STATE_DIR": "/srv/gw",
            "GATEWAY_KNX_ROUTE_BACK": "yes",
        },
    )
    assert s.http.port == 9090
    assert s.gateway.state_dir == Path("/srv/gw")
    assert s.knx.route_back is True
    assert s.database_url == "sqlite:////srv/gw/gateway.db"


def test_config_path_can_come_from_the_environment(tmp_path):
    path = write(tmp_path, "[thinknx]\nport = 6000\n")
    assert load_settings(environ={"GATEWAY_CONFIG": str(path)}).thinknx.port == 6000


@pytest.mark.parametrize(
    "text,env,message",
    [
        ("[http]\nport = 0\n", {}, "http.port: must be between 1 and 65535, got 0"),
        ('[http]\nport = "80"\n', {}, "http.port: must be an integer"),
        ("", {"GATEWAY_HTTP_PORT": "eighty"}, "http.port: must be a number"),
        (
            '[radio]\nkind = "ezsp"\n',
            {},
            "radio.kind: must be one of znp, deconz, virtual, virtual-deconz, none",
        ),
        ("[radio]\nbaud = 1\n", {}, "radio.baud: unknown setting"),
        ("[zigbee]\n", {}, "zigbee: unknown section"),
        ('[knx]\nindividual_address = "1.1"\n', {}, "knx.individual_address: must look like"),
        ('[knx]\nlocal_ip = "nonsense"\n', {}, "knx.local_ip: must be an IP address"),
        ('[http]\nhost = "everywhere"\n', {}, "http.host: must be an IP address"),
        ("", {"GATEWAY_THINKNX_ENABLED": "maybe"}, "thinknx.enabled: must be true or false"),
        ("[http\n", {}, "not valid TOML"),
        ("http = 5\n", {}, "http: must be a table"),
    ],
)
def test_a_bad_setting_fails_with_one_line_naming_the_key(tmp_path, text, env, message):
    path = write(tmp_path, text)
    with pytest.raises(SettingsError) as exc:
        load_settings(path, environ=env)
    assert message in str(exc.value)
    assert "\n" not in str(exc.value)


def test_a_missing_explicit_file_is_an_error(tmp_path):
    with pytest.raises(SettingsError, match="configuration file not found"):
        load_settings(tmp_path / "absent.toml", environ={})


def test_store_url_overrides_the_sqlite_default(tmp_path, monkeypatch):
    monkeypatch.setattr("gateway.settings.DEFAULT_CONFIG_PATH", tmp_path / "absent.toml")
    s = load_settings(environ={"GATEWAY_STORE_URL": "postgresql://gw@db/gw"})
    assert s.database_url == "postgresql://gw@db/gw"
    assert isinstance(s, Settings)
