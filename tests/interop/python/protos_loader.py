"""Generates the Python gRPC stubs for the repository's protos at run time and imports them.

Nothing generated is committed: every process runs grpc_tools.protoc into its own temporary
directory, so the stubs always match the .proto files in this checkout. The directory is
removed as soon as the modules are imported (Python does not need the files after that), so a
peer killed with SIGKILL by a test harness leaves nothing behind.

Quirk handled here: the health and reflection protos live in packages ``grpc.health.v1`` and
``grpc.reflection.v1(alpha)``, so their generated modules land in ``<tmp>/grpc/...``. The name ``grpc`` is already taken by the installed
grpcio package, whose ``__path__`` Python searches for sub-packages; we append the generated
``grpc`` folder to that ``__path__`` so ``import grpc.health.v1.health_pb2`` resolves to the
generated files while ``import grpc`` keeps meaning grpcio.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import types

PROTO_FILES = (
    "remotemodel/testing/v1/echo.proto",
    "remotemodel/v1/model.proto",
    "grpc/health/v1/health.proto",
    "grpc/reflection/v1/reflection.proto",
    "grpc/reflection/v1alpha/reflection.proto",
)


def repo_root():
    """The checkout root: this file sits in <root>/tests/interop/python."""
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.abspath(os.path.join(here, "..", "..", ".."))


def protos_dir():
    return os.path.join(repo_root(), "protos")


def _generate(out_dir):
    """Runs protoc with the system interpreter that is running us (it must have grpc_tools)."""
    command = [
        sys.executable, "-m", "grpc_tools.protoc",
        "-I", protos_dir(),
        "--python_out=" + out_dir,
        "--grpc_python_out=" + out_dir,
        *PROTO_FILES,
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError("protoc failed (%d): %s %s" % (result.returncode, result.stdout, result.stderr))


_loaded = None


def load():
    """Generates (once per process) and returns a namespace with the generated modules:
    echo_pb2, echo_pb2_grpc, model_pb2, model_pb2_grpc, health_pb2, health_pb2_grpc, reflection_pb2, reflection_pb2_grpc,
    reflection_alpha_pb2, reflection_alpha_pb2_grpc."""
    global _loaded
    if _loaded is not None:
        return _loaded

    out_dir = tempfile.mkdtemp(prefix="remotemodel-protos-")
    try:
        _generate(out_dir)

        import grpc  # the installed grpcio; imported first so its package object exists
        sys.path.insert(0, out_dir)
        grpc.__path__.append(os.path.join(out_dir, "grpc"))

        from remotemodel.testing.v1 import echo_pb2, echo_pb2_grpc
        from remotemodel.v1 import model_pb2, model_pb2_grpc
        from grpc.health.v1 import health_pb2, health_pb2_grpc
        from grpc.reflection.v1 import reflection_pb2, reflection_pb2_grpc
        from grpc.reflection.v1alpha import reflection_pb2 as reflection_alpha_pb2
        from grpc.reflection.v1alpha import reflection_pb2_grpc as reflection_alpha_pb2_grpc
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)

    _loaded = types.SimpleNamespace(
        echo_pb2=echo_pb2,
        echo_pb2_grpc=echo_pb2_grpc,
        model_pb2=model_pb2,
        model_pb2_grpc=model_pb2_grpc,
        health_pb2=health_pb2,
        health_pb2_grpc=health_pb2_grpc,
        reflection_pb2=reflection_pb2,
        reflection_pb2_grpc=reflection_pb2_grpc,
        reflection_alpha_pb2=reflection_alpha_pb2,
        reflection_alpha_pb2_grpc=reflection_alpha_pb2_grpc,
    )
    return _loaded
