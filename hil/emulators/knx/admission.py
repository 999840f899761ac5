"""Whether a CONNECT is admitted, and with which individual address (KNX 03.08.02 Core).

Why a module of its own: the decision is the one rule of connection management with cases
of its own — the pool (E_NO_MORE_CONNECTIONS when full), an extended CRI asking for a given
address (E_NO_MORE_UNIQUE_CONNECTIONS when taken or not ours), a wrong connection type or
layer — and reads best as a pure function of the options and the open connections.
"""

from __future__ import annotations

from collections.abc import Iterable

from xknx.knxip import (
    ConnectRequest,
    ConnectRequestType,
    ConnectResponse,
    ErrorCode,
    TunnellingLayer,
)
from xknx.telegram import IndividualAddress

from .tunnel_state import ServerOptions, TunnelConnection


class ConnectErrorResponse(ConnectResponse):
    """A refused CONNECT: only channel 0 and the status, as the spec has it.

    xknx's ConnectResponse always appends a data endpoint and a CRD with an address; a
    refusal has neither (KNX 03.08.02 Core §7.8.2).
    """

    def calculated_length(self) -> int:
        return 2

    def to_knx(self) -> bytes:
        return bytes((0, self.status_code.value))


def admit(
    body: ConnectRequest, options: ServerOptions, open_connections: Iterable[TunnelConnection]
) -> tuple[ErrorCode, IndividualAddress | None]:
    """Decide a CONNECT: status and the address to assign."""
    if options.refuse_connections:
        return ErrorCode.E_NO_MORE_CONNECTIONS, None
    if body.cri.connection_type is not ConnectRequestType.TUNNEL_CONNECTION:
        return ErrorCode.E_CONNECTION_TYPE, None
    if body.cri.knx_layer is not TunnellingLayer.DATA_LINK_LAYER:
        return ErrorCode.E_TUNNELLING_LAYER, None
    pool = address_pool(options)
    taken = {c.individual_address for c in open_connections}
    wanted = body.cri.individual_address
    if wanted is not None:
        if wanted not in pool or wanted in taken:
            return ErrorCode.E_NO_MORE_UNIQUE_CONNECTIONS, None
        return ErrorCode.E_NO_ERROR, wanted
    free = [a for a in pool if a not in taken]
    if not free:
        return ErrorCode.E_NO_MORE_CONNECTIONS, None
    return ErrorCode.E_NO_ERROR, free[0]


def address_pool(options: ServerOptions) -> list[IndividualAddress]:
    """The individual addresses clients get, in the order they are handed out."""
    first = IndividualAddress(options.first_client_address).raw
    return [IndividualAddress(first + i) for i in range(options.max_connections)]
