"""Where cargo puts things, for the benchmark harnesses: the target folder (which
`CARGO_TARGET_DIR` or a cargo config may move out of the repository) and the release binary.

The binary's path is the one cargo itself reports for the build, so a harness never guesses
`target/release/archsite`, and never rebuilds what `cargo run --release` has just built: when
nothing changed, `cargo build --release` is a no-op that only reports the path.
"""
from __future__ import annotations

import json
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=None)
def target_dir() -> Path:
    """cargo's target folder for this repository (honours CARGO_TARGET_DIR and .cargo/config)."""
    out = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps", "--locked"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout
    return Path(json.loads(out)["target_directory"])


def scratch(*parts: str) -> Path:
    """A folder of the harness's own under the target folder (generated sites, outputs)."""
    return target_dir().joinpath(*parts)


def release_binary(quiet: bool = False) -> Path:
    """Builds the release binary if it is out of date and returns the path cargo reports."""
    print("+ cargo build --release --locked", file=sys.stderr, flush=True)
    cmd = ["cargo", "build", "--release", "--locked", "--bin", "archsite",
           "--message-format", "json-render-diagnostics"]
    if quiet:
        cmd.append("--quiet")
    r = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise SystemExit("cargo build --release failed (exit %d)" % r.returncode)
    for line in r.stdout.splitlines():
        msg = json.loads(line)
        if (msg.get("reason") == "compiler-artifact" and msg.get("executable")
                and msg["target"]["name"] == "archsite"):
            return Path(msg["executable"])
    raise SystemExit("cargo build --release reported no archsite executable")
