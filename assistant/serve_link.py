"""How a running ``serve`` lets ``article-assistant ask`` reuse it: the advert file and its checks.

``serve`` writes ``serve-link.json`` in the store's data dir once it answers: its loopback
address and port, its pid and the process's start time, the package version and a random
token. ``ask`` reads it, and sends its question there instead of loading the models itself
(:mod:`assistant.cli_warm`); the server's endpoint is :mod:`assistant.web.local_ask`.

Why each part:

- the file is the user's own (mode 0600, owned by the reader, else ignored): another local user
  cannot point our CLI at a server of theirs;
- pid and start time: a server killed without removing its file leaves it behind; a dead pid,
  or a pid reused by another process (another start time), makes it stale, and it is removed;
- the token never travels: a request carries an HMAC of a fresh nonce and its body, and the
  answer an HMAC of that nonce and its own body, so each side proves it holds the token, and an
  impostor on a freed port gets nothing it can replay and cannot forge an answer.

Only the standard library here: the CLI's fast path imports this before anything heavy.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)

FILENAME = "serve-link.json"
#: The endpoint's path on the web server (answered only from loopback with a valid signature).
PATH = "/cli/ask"
#: Headers of the request and of the answer.
NONCE_HEADER = "X-Article-Assistant-Nonce"
SIGNATURE_HEADER = "X-Article-Assistant-Signature"
#: Requests signed longer ago than this are refused (a replayed request is useless after it).
MAX_SKEW_S = 60.0


@dataclass(frozen=True)
class Advert:
    """What a running ``serve`` says about itself in its data dir."""

    host: str
    port: int
    pid: int
    #: The process's start time as the OS reports it (None where it cannot be read).
    started: str | None
    version: str
    token: str


def advertise(data_dir: Path, host: str, port: int, version: str) -> Advert:
    """Write this process's advert into ``data_dir`` (atomically, readable by the user only)."""
    advert = Advert(host, port, os.getpid(), process_started(os.getpid()), version, secrets.token_hex(32))
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = data_dir / f".{FILENAME}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(asdict(advert), f)
    os.replace(tmp, data_dir / FILENAME)
    return advert


def withdraw(data_dir: Path, advert: Advert) -> None:
    """Remove the advert if it is still ours (a newer ``serve`` on the same store may have replaced it)."""
    path = data_dir / FILENAME
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("token") == advert.token:
            path.unlink()
    except (OSError, ValueError):
        pass


def find(data_dir: Path) -> Advert | None:
    """The advert of a live ``serve`` on this data dir, or None; a stale one is removed."""
    path = data_dir / FILENAME
    try:
        st = path.stat()
        if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o077):
            log.info("ignoring %s: not the user's own file, or readable by others", path)
            return None
        advert = Advert(**json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as e:
        log.info("ignoring %s: %s", path, e)
        return None
    if not alive(advert.pid, advert.started):
        log.info("removing the stale %s of process %d", path, advert.pid)
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    return advert


def alive(pid: int, started: str | None) -> bool:
    """Whether ``pid`` runs and is the same process that wrote ``started`` (pids are reused)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # another user's process: not the server that wrote our file
    except OSError:
        return False
    now = process_started(pid)
    return started is None or now is None or now == started


def process_started(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux ``/proc``); None elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


#: ``assistant.registry.API_KEY_ENVS`` (kept equal by ``tests/unit/test_cli_warm.py``): read here
#: without importing the registry.
API_KEY_ENVS = ("ARTICLE_ASSISTANT_LLM_API_KEY", "OPENAI_API_KEY")


def key_fingerprint(environ: Mapping[str, str], api_key_env: str | None) -> str | None:
    """A hash of the chat model's API key as ``llm.api_key_env`` finds it in ``environ`` (None: no key).

    A chat model answers the CLI's question in ``serve`` only with the key the CLI would use: the
    two compare hashes, and the key itself never leaves the CLI.
    """
    for name in (api_key_env,) if api_key_env else API_KEY_ENVS:
        if environ.get(name):
            return hashlib.sha256(environ[name].encode()).hexdigest()
    return None


def sign(token: str, nonce: str, body: bytes, side: str) -> str:
    """HMAC-SHA256 of ``side`` ('request' or 'answer'), the nonce and the body, with the token."""
    message = side.encode() + b"\n" + nonce.encode() + b"\n" + body
    return hmac.new(bytes.fromhex(token), message, hashlib.sha256).hexdigest()


def new_nonce() -> str:
    """A nonce that also says when it was made (``time:random``), so old requests are refused."""
    return f"{time.time():.3f}:{secrets.token_hex(16)}"


def fresh(nonce: str) -> bool:
    """Whether a nonce was made within :data:`MAX_SKEW_S`."""
    try:
        made = float(nonce.partition(":")[0])
    except ValueError:
        return False
    return abs(time.time() - made) <= MAX_SKEW_S


def verify(token: str, nonce: str, body: bytes, side: str, signature: str) -> bool:
    """Whether ``signature`` is :func:`sign`'s for these (compared in constant time)."""
    return hmac.compare_digest(sign(token, nonce, body, side), signature or "")
