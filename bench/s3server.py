"""A local S3 server for rehearsals: ``moto_server`` (moto[server], requirements-dev.txt) on loopback.

    from s3server import S3Server
    with S3Server() as s3:
        os.environ.update(s3.environment(bucket="fasu-bench"))   # STORAGE_BACKEND=s3 and S3_*

Or from a shell (``.ci/run``, a several-host rehearsal), printing the variables to export:

    .venv/bin/python bench/s3server.py --port 9000 --bucket fasu
"""

from __future__ import annotations

import argparse
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ACCESS_KEY, SECRET_KEY, REGION = "fasu-bench", "fasu-bench-secret", "us-east-1"


def moto_server_program() -> str:
    beside = Path(sys.executable).parent / "moto_server"
    program = str(beside) if beside.exists() else shutil.which("moto_server")
    if program is None:
        raise SystemExit("moto_server is not installed: pip install -r requirements-dev.txt")
    return program


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class S3Server:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> S3Server:
        self.process = subprocess.Popen(
            [moto_server_program(), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto_server exited with {self.process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start within 30 s") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def __enter__(self) -> S3Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def create_bucket(self, bucket: str) -> None:
        import boto3

        client = boto3.client(
            "s3", endpoint_url=self.endpoint, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGION
        )
        client.create_bucket(Bucket=bucket)

    def environment(self, *, bucket: str) -> dict[str, str]:
        """The settings of a Fasu process storing in ``bucket`` (made here)."""
        self.create_bucket(bucket)
        return {
            "STORAGE_BACKEND": "s3",
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_BUCKET": bucket,
            "S3_ACCESS_KEY": ACCESS_KEY,
            "S3_SECRET_KEY": SECRET_KEY,
            "S3_REGION": REGION,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--bucket", default="fasu")
    args = parser.parse_args()
    server = S3Server(args.port).start()
    for name, value in server.environment(bucket=args.bucket).items():
        print(f"export {name}={value}", flush=True)
    # SIGTERM or Ctrl-C: end the server; the wait below then returns.
    signal.signal(signal.SIGTERM, lambda *_: server.process.terminate())
    try:
        server.process.wait()
    except KeyboardInterrupt:
        server.process.terminate()
        server.process.wait()


if __name__ == "__main__":
    main()
