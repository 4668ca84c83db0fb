"""What the object-storage cluster tests share (Dask and Ray): an S3 bucket on
moto's server, the scratch folder of each worker, and, for Ray, the hook that
every worker process runs at its start.

Workers of these tests share nothing but the bucket: each has a scratch folder
of its own (its ``TMPDIR`` and the digests folder), named by
:func:`scratch_env`. The test modules import this file by name (pytest puts
their folder on ``sys.path``); Ray's workers find it through ``PYTHONPATH``.
"""

import contextlib
import os
import signal
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: The folder where Ray's workers write what they counted and look for a
#: request to die (set by the Ray test, read by :func:`ray_worker_setup`).
CONTROL_ENV = "SKLEARN_PROBE_TEST_CONTROL"


@contextlib.contextmanager
def moto_bucket():
    """``s3://vectors-<random>`` on moto's S3 server in this process (a free
    port of 127.0.0.1); the endpoint and fake credentials in the environment,
    which worker processes started meanwhile inherit (:func:`s3_env`). A new
    bucket each time: moto keeps its buckets for the life of the process, so a
    second server (the next test module) would find the last one's."""
    import uuid

    import fsspec
    from moto.server import ThreadedMotoServer

    name = f"vectors-{uuid.uuid4().hex[:12]}"

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    saved = dict(os.environ), dict(fsspec.config.conf)
    os.environ.update(s3_env(endpoint))
    fsspec.config.conf["s3"] = {"endpoint_url": endpoint}
    fsspec.filesystem("s3", skip_instance_cache=True).mkdir(name)
    try:
        yield f"s3://{name}"
    finally:
        os.environ.clear()
        os.environ.update(saved[0])
        fsspec.config.conf.clear()
        fsspec.config.conf.update(saved[1])
        server.stop()


def s3_env(endpoint):
    """The environment that points s3fs at ``endpoint`` with fake credentials."""
    return {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        # Read by fsspec when a worker imports it: s3fs's endpoint.
        "FSSPEC_S3_ENDPOINT_URL": endpoint,
    }


def scratch_env(folder):
    """A worker's own scratch: its temporary files and its digests folder."""
    return {
        "TMPDIR": str(folder),
        "SKLEARN_PROBE_DIGEST_DIR": str(Path(folder) / "digests"),
    }


def store_files_in(folders):
    """Files of a vector store (``meta.json``) under any of ``folders``: none
    when the bucket is all the workers share."""
    return [p for folder in folders for p in Path(folder).rglob("meta.json")]


# -- Ray's workers -----------------------------------------------------------


def ray_worker_setup():
    """Run by every Ray worker process at its start (``runtime_env``'s
    ``worker_process_setup_hook``) when ``SKLEARN_PROBE_TEST_CONTROL`` names a
    folder: load the model at ``<control>/model`` (the one this process will
    use: models are loaded once per process) and count the rows that go
    through it, in ``<control>/rows-<pid>``; die (SIGKILL) on its ``n``-th
    call in this process (counted while ``<control>/kill-on-call`` holds ``n``) and no
    process has died yet (``<control>/killed``, made by the one that dies)."""
    control = os.environ.get(CONTROL_ENV)
    if not control:
        return
    from sklearn_probe.hidden._models import load_model

    control = Path(control)
    model = load_model((control / "model").read_text(), "cpu").model
    calls = [0]  # while an order to die stands

    def hook(module, args, kwargs):
        with open(control / f"rows-{os.getpid()}", "a") as f:
            f.write(f"{kwargs['input_ids'].shape[0]}\n")
        order = control / "kill-on-call"
        if not order.is_file():
            return
        calls[0] += 1
        if calls[0] == int(order.read_text()):
            try:
                os.close(os.open(control / "killed", os.O_CREAT | os.O_EXCL))
            except FileExistsError:
                return  # one death per test
            os.kill(os.getpid(), signal.SIGKILL)

    model.register_forward_pre_hook(hook, with_kwargs=True)


def ray_rows(control):
    """Rows through a model in Ray's workers since :func:`reset_control`, and
    in how many processes."""
    files = list(Path(control).glob("rows-*"))
    rows = sum(int(n) for f in files for n in f.read_text().split())
    return rows, len(files)


def reset_control(control, *, kill_on_call=None):
    """Forget the counts (and any death); with ``kill_on_call``, the next
    process to reach that many model calls dies."""
    for path in Path(control).glob("*"):
        if path.name != "model":
            path.unlink()
    if kill_on_call is not None:
        (Path(control) / "kill-on-call").write_text(str(kill_on_call))
