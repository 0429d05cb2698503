"""Who the client is behind TLS-terminating reverse proxies (TRUSTED_PROXY_IPS).

``legalcase.middleware.trusted_proxy_middleware`` sets ``request.client_address``;
the login lockout (``legalcase.authentication``) counts tries under it.
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings
from django.http import HttpRequest


@functools.lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(network, strict=False) for network in trusted)


def trusted_networks() -> tuple:
    """TRUSTED_PROXY_IPS as networks, parsed once per value."""
    return _networks(tuple(settings.TRUSTED_PROXY_IPS))


def is_trusted(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: HttpRequest) -> str | None:
    """The address of the client behind any trusted proxies (set by ``trusted_proxy_middleware``)."""
    return getattr(request, "client_address", None) or request.META.get("REMOTE_ADDR") or None
