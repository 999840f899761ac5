"""Inter-PAN on a Z-Stack (ZNP) stick through raw MT commands.

Why raw MT: zigpy has no inter-PAN API, but Z-Stack's stub APS does all of it behind three
MT commands, which zigpy-znp defines and can send on the running connection:

- ``AF.InterPanCtl``: ``Set`` tunes the radio to a channel (off the network channel),
  ``Reg`` names the endpoint that receives inter-PAN frames, ``Clr`` returns to the
  network channel;
- ``AF.DataRequestExt`` with destination PAN 0xFFFF sends an inter-PAN frame: to NWK
  0xFFFF (broadcast) for a scan, to a 64-bit address for identify and reset;
- ``AF.IncomingMsgExt`` carries the answers: a target's frames come from its 64-bit MAC
  address, which Z-Stack only reports in the extended form. (``AF.IncomingMsg`` carries
  16-bit sources only, so it cannot tell which target spoke and is not listened to.)

Replies are queued in :attr:`ZnpInterPan.inbox`; the touchlink session decides which
ones matter. Every MT failure is raised as ``RadioUnavailable`` (HTTP 503 / 950).

Two Z-Stack details shape the code (stub APS, Z-Stack 3.x): a channel change is refused
while the MAC still transmits (``ZApsNotAllowed``, after which the stack retries on its
own and answers ``ZFailure`` until done), so ``Set`` and ``Clr`` are retried briefly;
and a unicast inter-PAN frame is sent with a MAC acknowledgement whose outcome comes
back as ``AF.DataConfirm`` — a target that does not acknowledge did not get the command.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import zigpy.types as zt
import zigpy_znp.commands as c
import zigpy_znp.types as t
from zigpy.profiles import zll

from gateway.domain.radio import RadioUnavailable
from gateway.domain.touchlink import TouchlinkTargetSilent
from gateway.zigbee.touchlink_frames import (
    BROADCAST_PAN,
    CLUSTER_ID,
    TARGET_ENDPOINT,
    InterPanMessage,
)

log = logging.getLogger(__name__)

# Our inter-PAN endpoint: a ZLL "control bridge" with the commissioning cluster on both
# sides. zigpy-znp registers 1, 2 and 242; 12 is free and is what zigbee-herdsman uses.
INTERPAN_ENDPOINT = 12
RADIUS = 30
# Stub APS refuses a channel change while the MAC is transmitting and retries it itself;
# the MAC is idle again within milliseconds, so half a second of retries is plenty.
CHANNEL_ATTEMPTS = 10
CHANNEL_RETRY_DELAY = 0.05
CONFIRM_TIMEOUT = 2.0  # AF.DataConfirm of a unicast (MAC retries take tens of ms)
# Z-Stack's MAC maps RSSI linearly onto LQI 0..255 between its receiver sensitivity and
# saturation levels; the inverse gives an estimate of the RSSI a touchlink scan shows.
RSSI_AT_LQI_0 = -97
RSSI_AT_LQI_255 = 10


def rssi_from_lqi(lqi: int) -> int:
    """An RSSI estimate in dBm from Z-Stack's LQI (ZNP reports no RSSI for AF frames)."""
    lqi = min(max(lqi, 0), 255)
    return round(RSSI_AT_LQI_0 + lqi * (RSSI_AT_LQI_255 - RSSI_AT_LQI_0) / 255)


class ZnpInterPan:
    """An :class:`~gateway.zigbee.touchlink.InterPanRadio` over zigpy-znp's ``ZNP``."""

    def __init__(
        self,
        znp: Any,
        *,
        tsn: Callable[[], int],
        endpoint: int = INTERPAN_ENDPOINT,
        channel_retry_delay: float = CHANNEL_RETRY_DELAY,
        confirm_timeout: float = CONFIRM_TIMEOUT,
    ) -> None:
        self._znp = znp
        self._tsn = tsn
        self._endpoint = endpoint
        self._retry_delay = channel_retry_delay
        self._confirm_timeout = confirm_timeout
        self._listener: Any = None
        self.inbox: asyncio.Queue[InterPanMessage] = asyncio.Queue()

    def next_tsn(self) -> int:
        return int(self._tsn()) & 0xFF

    async def open(self) -> None:
        """Register our endpoint (once per stick reset) and listen for inter-PAN frames."""
        response = await self._request(
            "endpoint registration",
            c.AF.Register.Req(
                Endpoint=self._endpoint,
                ProfileId=zll.PROFILE_ID,
                DeviceId=zll.DeviceType.CONTROL_BRIDGE,
                DeviceVersion=2,
                LatencyReq=c.af.LatencyReq.NoLatencyReqs,
                InputClusters=[CLUSTER_ID],
                OutputClusters=[CLUSTER_ID],
            ),
        )
        if response.Status not in (t.Status.SUCCESS, t.Status.APS_DUPLICATE_ENTRY):
            raise RadioUnavailable(f"inter-PAN endpoint registration failed: {response.Status!r}")
        await self._control(t.InterPanCommand.Reg, bytes([self._endpoint]))
        self._listener = self._znp.callback_for_response(
            c.AF.IncomingMsgExt.Callback(
                partial=True, ClusterId=CLUSTER_ID, DstEndpoint=self._endpoint
            ),
            self._received,
        )

    async def set_channel(self, channel: int) -> None:
        await self._change_channel(t.InterPanCommand.Set, bytes([channel]), f"channel {channel}")
        # Answers from the previous channel are no longer wanted.
        while not self.inbox.empty():
            self.inbox.get_nowait()

    async def restore_channel(self) -> None:
        await self._change_channel(t.InterPanCommand.Clr, b"", "the network channel")

    async def send(self, destination: str | None, frame: bytes) -> None:
        if destination is None:
            address = t.AddrModeAddress(mode=t.AddrMode.NWK, address=0xFFFF)
        else:
            address = t.AddrModeAddress(mode=t.AddrMode.IEEE, address=zt.EUI64.convert(destination))
        tsn = self.next_tsn()
        request = c.AF.DataRequestExt.Req(
            DstAddrModeAddress=address,
            DstEndpoint=TARGET_ENDPOINT,
            DstPanId=BROADCAST_PAN,
            SrcEndpoint=self._endpoint,
            ClusterId=CLUSTER_ID,
            TSN=tsn,
            Options=c.af.TransmitOptions.NONE,
            Radius=RADIUS,
            Data=t.LongBytes(frame),
        )
        if destination is None:
            await self._request("inter-PAN broadcast", request, RspStatus=t.Status.SUCCESS)
            return
        try:
            confirm = await self._znp.request_callback_rsp(
                request=request,
                RspStatus=t.Status.SUCCESS,
                callback=c.AF.DataConfirm.Callback(partial=True, TSN=tsn),
                timeout=self._confirm_timeout,
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise RadioUnavailable(f"inter-PAN send to {destination} failed: {exc!r}") from exc
        if confirm.Status != t.Status.SUCCESS:
            log.info("inter-PAN frame to %s not acknowledged: %r", destination, confirm.Status)
            raise TouchlinkTargetSilent(destination)

    def close(self) -> None:
        if self._listener is not None:
            self._znp.remove_listener(self._listener)
            self._listener = None

    # -- helpers -------------------------------------------------------------------------

    def _received(self, msg: Any) -> None:
        source = msg.SrcAddrModeAddress
        if source.mode != t.AddrMode.IEEE:
            return
        self.inbox.put_nowait(
            InterPanMessage(
                source=str(zt.EUI64(source.address)),
                pan_id=int(msg.SrcPanId),
                rssi=rssi_from_lqi(int(msg.LQI)),
                data=bytes(msg.Data),
            )
        )

    async def _change_channel(self, command: Any, data: bytes, what: str) -> None:
        for attempt in range(1, CHANNEL_ATTEMPTS + 1):
            status = await self._control_status(command, data)
            if status == t.Status.SUCCESS:
                return
            if attempt == CHANNEL_ATTEMPTS:
                raise RadioUnavailable(f"the stick refused to tune to {what}: {status!r}")
            await asyncio.sleep(self._retry_delay)

    async def _control(self, command: Any, data: bytes) -> None:
        status = await self._control_status(command, data)
        if status != t.Status.SUCCESS:
            raise RadioUnavailable(f"AF.InterPanCtl {command.name} failed: {status!r}")

    async def _control_status(self, command: Any, data: bytes) -> Any:
        response = await self._request(
            f"AF.InterPanCtl {command.name}", c.AF.InterPanCtl.Req(Command=command, Data=data)
        )
        return response.Status

    async def _request(self, what: str, request: Any, **expected: Any) -> Any:
        try:
            return await self._znp.request(request, **expected)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise RadioUnavailable(f"{what} failed: {exc!r}") from exc
