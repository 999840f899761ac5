"""The handler table: one row per serial command the host may send."""

from __future__ import annotations

from zigpy_deconz.api import CommandId

from ..firmware import Handler
from . import commands, parameters

HANDLERS: dict[CommandId, Handler] = {
    CommandId.version: commands.version,
    CommandId.device_state: commands.device_state,
    CommandId.change_network_state: commands.change_network_state,
    CommandId.read_parameter: parameters.read_parameter,
    CommandId.write_parameter: parameters.write_parameter,
    CommandId.aps_data_request: commands.aps_data_request,
    CommandId.aps_data_confirm: commands.aps_data_confirm,
    CommandId.aps_data_indication: commands.aps_data_indication,
    CommandId.update_neighbor: commands.update_neighbor,
}
