"""What `serve` says before it starts: who else can reach the page, and what that lets them do."""

from __future__ import annotations

import click


def warn_exposure(host: str, has_auth: bool, has_allowed_hosts: bool, allow_private_urls: bool) -> None:
    """Warn (on stderr) about binding beyond loopback without a password, private URLs reachable
    from other machines, and the host names a wildcard bind still refuses."""
    from assistant.web.app import is_loopback

    if allow_private_urls and not is_loopback(host):
        click.echo(
            f"warning: --allow-private-urls on {host}: whoever reaches the page can make this "
            "machine fetch addresses on its own network.",
            err=True,
        )
    if not is_loopback(host) and not has_auth:
        click.echo(
            f"warning: serving on {host} without --auth: anyone who can reach this machine can read, "
            "add and remove articles. Pass --auth USER:PASS or bind 127.0.0.1.",
            err=True,
        )
    if host in ("0.0.0.0", "::") and not has_allowed_hosts:
        click.echo(
            "note: only requests for localhost, 127.0.0.1 and [::1] are answered; pass "
            "--allowed-host NAME for each name or address clients use to reach this machine.",
            err=True,
        )
