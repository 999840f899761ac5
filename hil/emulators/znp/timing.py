"""How long things take on the virtual rig.

Defaults are close to a CC2652 with Hue-like lamps so ``make run`` feels real; tests use
:meth:`Timing.fast` to keep the suite quick. ZCL transition times are never scaled: a
fade of 0.5 s takes 0.5 s.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    hop_latency: float = 0.004  # one radio hop
    device_processing: float = 0.006  # a lamp parsing a frame before it answers
    no_ack: float = 0.25  # MAC retries to an absent device before MAC_NO_ACK
    reset: float = 0.3  # boot time after SYS_RESET_REQ until SYS_RESET_IND
    formation_step: float = 0.15  # each BDB formation step (scan, start)
    join_delay: float = 0.3  # a factory-new lamp noticing open joins
    rejoin_delay: float = 0.3  # a powered-up lamp announcing itself
    broadcast_delivery: float = 3.0  # nwkNetworkBroadcastDeliveryTime: channel switch delay
    energy_scan_scale: float = 1.0  # multiplies the real 802.15.4 scan duration
    indirect_timeout: float = 7.68  # macTransactionPersistenceTime: a parent holds frames

    @classmethod
    def fast(cls) -> Timing:
        """For tests: every stack delay short, behaviour unchanged."""
        return cls(
            hop_latency=0.001,
            device_processing=0.002,
            no_ack=0.05,
            reset=0.01,
            formation_step=0.01,
            join_delay=0.05,
            rejoin_delay=0.05,
            broadcast_delivery=0.3,
            energy_scan_scale=0.02,
            indirect_timeout=0.3,
        )
