"""The configuration for running past one machine (deploy/, dbt/profiles.yml; docs/scaling.md), checked offline.

Nothing here reaches a network, a cluster or MotherDuck: the Dagster instance files go through Dagster's own
instance schema (and through the run launcher's config schema when dagster-docker / dagster-k8s are installed,
as in the deploy image), the dbt outputs through dbt's renderer and dbt-duckdb's credentials with a dummy
token, and the files that must agree with each other (names of volumes, secrets, ports, the code location
module) are compared.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import shutil
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml
from dagster._config import validate_config
from dagster._core.errors import DagsterInvalidConfigError
from dagster._core.instance.config import dagster_instance_config
from dagster._serdes.config_class import class_from_code_pointer

from pipelines.config import DBT_PROJECT_DIR, PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
LAUNCHERS = {"docker/dagster.yaml": ("dagster_docker", "DockerRunLauncher"),
             "k8s/dagster.yaml": ("dagster_k8s", "K8sRunLauncher")}  # fmt: skip
CODE_LOCATION = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["dagster"]["module_name"]


def load(relative: str) -> dict:
    return yaml.safe_load((DEPLOY / relative).read_text())


def instance_config(path: Path, tmp_path: Path) -> dict:
    """`path` loaded the way a Dagster process loads $DAGSTER_HOME/dagster.yaml, schema-checked."""
    shutil.copy(path, tmp_path / "dagster.yaml")
    config, _ = dagster_instance_config(str(tmp_path))
    return config


@pytest.mark.parametrize("path", sorted(DEPLOY.rglob("*.y*ml")), ids=lambda p: str(p.relative_to(DEPLOY)))
def test_every_deploy_yaml_parses(path):
    assert isinstance(yaml.safe_load(path.read_text()), dict)


@pytest.mark.parametrize("name", LAUNCHERS)
def test_instance_config_passes_dagsters_schema(name, tmp_path):
    config = instance_config(DEPLOY / name, tmp_path)
    launcher = config["run_launcher"]
    assert (launcher["module"], launcher["class"]) == LAUNCHERS[name]
    assert config["run_queue"]["max_concurrent_runs"] == 1  # one refresh at a time, cluster-wide
    assert set(config["storage"]) == {"postgres"}  # shared by webserver, daemon and run workers


def test_instance_schema_check_has_teeth(tmp_path):
    # A misspelt key must fail the check above, not pass silently.
    text = (DEPLOY / "docker/dagster.yaml").read_text().replace("run_queue:", "run_queu:")
    (tmp_path / "typo.yaml").write_text(text)
    with pytest.raises(DagsterInvalidConfigError, match="run_queu"):
        instance_config(tmp_path / "typo.yaml", tmp_path)


@pytest.mark.parametrize("name", LAUNCHERS)
def test_run_launcher_config_fits_the_launcher_class(name, tmp_path):
    module, _ = LAUNCHERS[name]
    for library in (module, "dagster_postgres"):
        if importlib.util.find_spec(library) is None:
            pytest.skip(
                f"{library} is not installed here (deploy/Dockerfile installs it); the instance schema is checked above"
            )
    config = instance_config(DEPLOY / name, tmp_path)
    launcher = config["run_launcher"]
    launcher_class = class_from_code_pointer(launcher["module"], launcher["class"])
    result = validate_config(launcher_class.config_type(), launcher["config"])
    assert result.success, [e.message for e in result.errors]
    from dagster_postgres.utils import pg_config

    result = validate_config(pg_config(), config["storage"]["postgres"])
    assert result.success, [e.message for e in result.errors]


def test_docker_files_agree():
    compose, instance, workspace = (
        load("docker/docker-compose.yml"),
        load("docker/dagster.yaml"),
        load("docker/workspace.yaml"),
    )
    launcher = instance["run_launcher"]["config"]
    environment = compose["x-dagster-env"]
    assert set(launcher["env_vars"]) <= set(environment), (
        "the launcher forwards a variable the daemon does not have"
    )
    assert "MOTHERDUCK_TOKEN" in launcher["env_vars"]
    # Volumes and network are named in dagster.yaml by their real (unprefixed) Docker names.
    for mount in launcher["container_kwargs"]["volumes"]:
        volume, path = mount.split(":")
        assert compose["volumes"][volume]["name"] == volume
        assert path == environment["CAPEX_HOME"]
    assert compose["networks"][launcher["network"]]["name"] == launcher["network"]
    (server,) = [entry["grpc_server"] for entry in workspace["load_from"]]
    assert server["host"] in compose["services"]
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert f"EXPOSE {server['port']}" in dockerfile
    assert re.search(rf'"-p", "{server["port"]}", "-m", "{re.escape(CODE_LOCATION)}"', dockerfile)
    for service in ("capex_code", "webserver", "daemon"):
        mounts = compose["services"][service]["volumes"]
        assert f"./dagster.yaml:{environment['DAGSTER_HOME']}/dagster.yaml:ro" in mounts


def test_dockerfile_installs_the_launcher_libraries_of_the_locked_dagster():
    # dagster-docker/-k8s/-postgres are released in step with dagster-dbt (1.13.x <-> 0.29.x): the image must
    # install the ones matching the locked environment, or the run worker imports a mismatched dagster.
    (pinned,) = re.findall(r"ARG DAGSTER_LIBRARIES=(\S+)", (DEPLOY / "Dockerfile").read_text())
    assert pinned == version("dagster-dbt")


def test_kubernetes_values_agree_with_the_instance_config():
    values, instance = load("k8s/values.yaml"), load("k8s/dagster.yaml")
    (deployment,) = values["dagster-user-deployments"]["deployments"]
    args = deployment.get("codeServerArgs") or deployment["dagsterApiGrpcArgs"]
    assert args[args.index("--module-name") + 1] == CODE_LOCATION
    assert (PROJECT_ROOT / (CODE_LOCATION.replace(".", "/") + ".py")).is_file()
    assert deployment["includeConfigInLaunchedRuns"]["enabled"], (
        "run pods would lack the secret and the volume"
    )
    assert values["runLauncher"]["type"] == "K8sRunLauncher" == instance["run_launcher"]["class"]
    assert (
        values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]["maxConcurrentRuns"] == 1
    )
    launcher = instance["run_launcher"]["config"]
    assert [s["name"] for s in deployment["envSecrets"]] == launcher["env_secrets"]
    env = {e["name"]: e["value"] for e in deployment["env"]}
    assert f"CAPEX_HOME={env['CAPEX_HOME']}" in launcher["env_vars"]
    (mount,), (volume,) = deployment["volumeMounts"], deployment["volumes"]
    assert mount["mountPath"] == env["CAPEX_HOME"] == launcher["volume_mounts"][0]["mount_path"]
    assert (
        volume["persistentVolumeClaim"]["claimName"]
        == launcher["volumes"][0]["persistent_volume_claim"]["claim_name"]
    )
    # Requests fit the measured peaks (docs/performance.md: under 2 GiB at 100x synthetic scale).
    resources = values["runLauncher"]["config"]["k8sRunLauncher"]["runK8sConfig"]["containerConfig"][
        "resources"
    ]
    assert resources == launcher["run_k8s_config"]["container_config"]["resources"]


# ------------------------------------------------------------------------------------- dbt profile


@pytest.fixture
def render(monkeypatch):
    """Render one output of dbt/profiles.yml as dbt does (only the target asked for) into dbt-duckdb credentials."""
    from dbt.config.profile import Profile, read_profile
    from dbt.config.renderer import ProfileRenderer
    from dbt_common.context import set_invocation_context

    raw = read_profile(str(DBT_PROJECT_DIR))["capex"]

    def rendered(target: str | None, **env: str):
        for name in (
            "MOTHERDUCK_TOKEN",
            "CAPEX_MOTHERDUCK_DATABASE",
            "CAPEX_DUCKLAKE_CATALOG",
            "CAPEX_DUCKLAKE_DATA_PATH",
        ):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        import os

        set_invocation_context(dict(os.environ))
        name, data = Profile.render_profile(raw, "capex", target, ProfileRenderer({}))
        return name, data, Profile._credentials_from_profile(data, "capex", name)

    return rendered


def known_keys() -> set[str]:
    from dbt.adapters.duckdb.credentials import DuckDBCredentials

    return {f.name for f in dataclasses.fields(DuckDBCredentials)} | {"type", "threads"}


def test_default_target_is_still_the_build_file(render):
    name, data, credentials = render(None)  # no MotherDuck token anywhere: the refresh must not need one
    assert name == "build"
    assert data["threads"] == 1
    assert credentials.path == "target/dev.duckdb" and not credentials.is_motherduck


def test_motherduck_output_renders_with_a_token_from_the_environment(render):
    _, data, credentials = render("motherduck", MOTHERDUCK_TOKEN="dummy-token-for-ci")
    assert set(data) <= known_keys()
    assert credentials.path == "md:capex" and credentials.database == "capex"
    assert credentials.is_motherduck
    assert credentials.settings["motherduck_token"] == "dummy-token-for-ci"


def test_motherduck_output_without_a_token_names_the_variable(render):
    with pytest.raises(Exception, match="MOTHERDUCK_TOKEN"):
        render("motherduck")


def test_ducklake_output_attaches_the_lake_as_the_target_database(render):
    _, data, credentials = render(
        "ducklake",
        CAPEX_DUCKLAKE_CATALOG="postgres:dbname=lake host=pg",
        CAPEX_DUCKLAKE_DATA_PATH="s3://bucket/lake/",
    )
    assert set(data) <= known_keys()
    (attachment,) = credentials.attach
    assert attachment.to_sql() == (
        "ATTACH IF NOT EXISTS 'ducklake:postgres:dbname=lake host=pg' AS capex (DATA_PATH 's3://bucket/lake/')"
    )
    assert credentials.database == "capex" and credentials._ducklake_dbs == {"capex"}
    assert {"ducklake", "httpfs", "aws"} <= set(credentials.extensions)
