"""Settings come from the environment; secrets missing from it are generated once into the
data directory, with a warning that production must set them."""

import os
import stat
import subprocess
import sys


def python(data_dir, script, **env):
    """Run `script` in a fresh interpreter with only these Hearth settings in its environment."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("HEARTH_") and key != "DATABASE_URL"
    }
    environment.update({"HEARTH_DATA_DIR": str(data_dir), **env})
    return subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
    )


def load_settings(data_dir, **env):
    script = (
        "import hearth.settings as s; "
        "print(s.SECRET_KEY); print(s.HEARTH_KEY_ENCRYPTION_KEY); print(s.DEBUG); "
        "print(s.DATABASES['default']['ENGINE']); print(s.DATABASES['default']['NAME'])"
    )
    result = python(data_dir, script, **env)
    return result.stdout.splitlines(), result.stderr


def test_secrets_are_generated_once_into_the_data_directory(tmp_path):
    (secret, kek, debug, engine, name), stderr = load_settings(tmp_path)

    assert (tmp_path / "secret_key").read_text().strip() == secret
    assert (tmp_path / "key_encryption_key").read_text().strip() == kek
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert "Production installs must set HEARTH_SECRET_KEY" in stderr
    assert "Production installs must set HEARTH_KEY_ENCRYPTION_KEY" in stderr
    assert debug == "False"
    assert engine == "hearth.core.db.sqlite3"
    assert name == str(tmp_path / "hearth.sqlite3")

    (again, again_kek, *_rest), stderr_again = load_settings(tmp_path)
    assert (again, again_kek) == (secret, kek)
    assert "Production installs must set" not in stderr_again


def test_secrets_and_database_from_the_environment_win(tmp_path):
    (secret, kek, debug, engine, name), stderr = load_settings(
        tmp_path,
        HEARTH_SECRET_KEY="from-env",
        HEARTH_KEY_ENCRYPTION_KEY="kek-from-env",
        HEARTH_BLIND_INDEX_KEY="index-key-from-env",
        HEARTH_DEBUG="true",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/hearth_example",
    )

    assert (secret, kek, debug) == ("from-env", "kek-from-env", "True")
    assert engine == "hearth.core.db.postgresql"
    assert name == "hearth_example"
    assert not (tmp_path / "secret_key").exists()
    assert not (tmp_path / "blind_index_key").exists()
    assert "Production installs must set" not in stderr


def run_python(data_dir, script, **env):
    return python(data_dir, script, **env).stdout.split()


DATABASE = (
    "import hearth.settings as s; d = s.DATABASES['default']; o = d.get('OPTIONS', {}); "
    "print(d['CONN_MAX_AGE'], o.get('server_side_binding'), o.get('prepare_threshold'))"
)
POSTGRES = "postgres://postgres@127.0.0.1:5432/hearth_example"


def test_connections_are_kept_between_requests_on_both_databases(tmp_path):
    assert run_python(tmp_path, DATABASE)[0] == "60"
    assert run_python(tmp_path, DATABASE, DATABASE_URL=POSTGRES)[0] == "60"


def test_postgresql_prepares_repeated_statements_unless_turned_off(tmp_path):
    assert run_python(tmp_path, DATABASE, DATABASE_URL=POSTGRES)[1:] == ["True", "5"]
    assert run_python(tmp_path, DATABASE, DATABASE_URL=POSTGRES, HEARTH_PG_PREPARE="false")[1:] == [
        "None",
        "None",
    ]
    # SQLite has nothing to prepare.
    assert run_python(tmp_path, DATABASE)[1:] == ["None", "None"]


def test_the_wsgi_application_freezes_what_it_loaded_out_of_the_collectors_way(tmp_path):
    [frozen] = run_python(tmp_path, "import gc, hearth.wsgi; print(gc.get_freeze_count())")

    assert int(frozen) > 10_000
