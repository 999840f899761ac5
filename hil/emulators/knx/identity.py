"""What the emulator says it is in SEARCH and DESCRIPTION answers (KNX 03.08.02 Core §7.5).

Why apart from the handlers: the device information and the service families are the
server's identity, built from :class:`ServerOptions` alone, and are the same in both answers.
"""

from __future__ import annotations

from xknx.knxip import DIB, DIBDeviceInformation, DIBServiceFamily, DIBSuppSVCFamilies
from xknx.telegram import IndividualAddress

from .tunnel_state import ServerOptions


def description_blocks(options: ServerOptions) -> list[DIB]:
    """Device information (address, name) and the families we speak; tunnelling v2 with TCP."""
    info = DIBDeviceInformation()
    info.individual_address = IndividualAddress(options.individual_address)
    info.name = options.name
    info.serial_number = "00:00:67:61:74:65"
    info.mac_address = "00:00:00:00:00:00"
    families = DIBSuppSVCFamilies()
    tunnelling_version = 2 if options.tcp else 1
    families.families = [
        DIBSuppSVCFamilies.Family(DIBServiceFamily.CORE, tunnelling_version),
        DIBSuppSVCFamilies.Family(DIBServiceFamily.DEVICE_MANAGEMENT, 1),
        DIBSuppSVCFamilies.Family(DIBServiceFamily.TUNNELING, tunnelling_version),
    ]
    return [info, families]
