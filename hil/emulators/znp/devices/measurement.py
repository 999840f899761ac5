"""Server clusters of the simulated sensors: battery, occupancy, illuminance,
temperature, humidity and the IAS zone of a door contact.

Values change only when the control socket says the world changed (``motion``,
``temperature`` ...); each setter converts the physical value to the ZCL encoding the
way the real sensor does, so a gateway's conversions are tested against the spec.
"""

from __future__ import annotations

import math
from typing import Any

import zigpy.types as zt
from zigpy.zcl import foundation as f
from zigpy.zcl.clusters.general import PowerConfiguration
from zigpy.zcl.clusters.measurement import (
    IlluminanceMeasurement,
    OccupancySensing,
    RelativeHumidity,
    TemperatureMeasurement,
)
from zigpy.zcl.clusters.security import IasZone
from zigpy.zcl.foundation import Status

from . import zcl
from .cluster import ClusterServer, handles
from .zcl import Reply

#: Coin cells (CR2032/CR2450) and 2xAAA both span about 2.2 V (empty) .. 3.0 V (full).
EMPTY_DECIVOLTS, FULL_DECIVOLTS = 22, 30


class PowerConfigurationServer(ClusterServer):
    definition = PowerConfiguration
    reportable = ("battery_voltage", "battery_percentage_remaining")

    def initial_values(self) -> dict[str, Any]:
        percent = self.endpoint.device.spec.battery
        return {
            "battery_voltage": decivolts(percent),
            "battery_percentage_remaining": percent * 2,  # ZCL unit: 0.5 %
            "battery_size": 0x0A if percent else 0xFF,  # 0x0A: other (coin cell)
            "battery_quantity": 1,
            "battery_rated_voltage": FULL_DECIVOLTS,
        }

    def set_percent(self, percent: int) -> None:
        self.set("battery_percentage_remaining", percent * 2)
        self.set("battery_voltage", decivolts(percent))


def decivolts(percent: int) -> int:
    return EMPTY_DECIVOLTS + round((FULL_DECIVOLTS - EMPTY_DECIVOLTS) * percent / 100)


class OccupancyServer(ClusterServer):
    definition = OccupancySensing
    reportable = ("occupancy",)
    writable = frozenset({"pir_o_to_u_delay"})

    def initial_values(self) -> dict[str, Any]:
        return {
            "occupancy": 0,
            "occupancy_sensor_type": 0,  # PIR
            "occupancy_sensor_type_bitmap": 1,
            "pir_o_to_u_delay": 0,
        }

    def set_occupied(self, occupied: bool) -> None:
        self.set("occupancy", int(occupied))


class IlluminanceServer(ClusterServer):
    definition = IlluminanceMeasurement
    reportable = ("measured_value",)

    def initial_values(self) -> dict[str, Any]:
        return {"measured_value": lux_to_zcl(100.0), "min_measured_value": 1}

    def set_lux(self, lux: float) -> None:
        self.set("measured_value", lux_to_zcl(lux))


def lux_to_zcl(lux: float) -> int:
    """ZCL 4.2.2.2.1: MeasuredValue = 10000 * log10(lux) + 1, 0 for too little light."""
    if lux <= 0:
        return 0
    return min(max(round(10000 * math.log10(lux) + 1), 1), 0xFFFE)


class TemperatureServer(ClusterServer):
    definition = TemperatureMeasurement
    reportable = ("measured_value",)

    def initial_values(self) -> dict[str, Any]:
        return {"measured_value": 2100, "min_measured_value": -4000, "max_measured_value": 12500}

    def set_celsius(self, celsius: float) -> None:
        """In 1/100 °C, clamped to the sensor's range."""
        value = round(celsius * 100)
        low, high = int(self.values["min_measured_value"]), int(self.values["max_measured_value"])
        self.set("measured_value", min(max(value, low), high))


class HumidityServer(ClusterServer):
    definition = RelativeHumidity
    reportable = ("measured_value",)

    def initial_values(self) -> dict[str, Any]:
        return {"measured_value": 4500, "min_measured_value": 0, "max_measured_value": 10000}

    def set_percent(self, percent: float) -> None:
        """In 1/100 % relative humidity."""
        self.set("measured_value", min(max(round(percent * 100), 0), 10000))


ALARM1 = 0x0001  # contact switch: open
BATTERY_LOW = 0x0008
NOT_ENROLLED, ENROLLED = 0, 1


class IasZoneServer(ClusterServer):
    """IAS zone (ZCL 8.2): the CIE writes its address, the zone asks to enrol, the CIE
    answers with a zone id; from then on the zone sends Zone Status Change
    Notifications to the CIE. Without enrolment it sends none."""

    definition = IasZone
    writable = frozenset({"cie_addr"})
    reportable = ("zone_status",)

    def initial_values(self) -> dict[str, Any]:
        return {
            "zone_state": NOT_ENROLLED,
            "zone_type": IasZone.ZoneType.Contact_Switch,
            "zone_status": 0,
            "cie_addr": zt.EUI64(bytes(8)),
            "zone_id": 0xFF,
        }

    def on_write(self, name: str, value: Any) -> None:
        self.set(name, value)
        if name == "cie_addr" and self.values["zone_state"] != ENROLLED:
            self._send(
                IasZone.ClientCommandDefs.enroll,
                zone_type=self.values["zone_type"],
                manufacturer_code=self.endpoint.device.spec.manufacturer_code,
            )

    @handles(IasZone.ServerCommandDefs.enroll_response)
    def enroll_response(self, args: Any) -> Reply:
        if int(args.enroll_response_code) == 0:  # success
            self.values["zone_state"] = ENROLLED
            self.values["zone_id"] = int(args.zone_id)
        return Status.SUCCESS

    @handles(IasZone.ServerCommandDefs.init_normal_op_mode)
    def init_normal_op_mode(self, args: Any) -> Reply:
        return Status.SUCCESS

    def set_alarm(self, alarm: bool, battery_low: bool = False) -> None:
        status = (ALARM1 if alarm else 0) | (BATTERY_LOW if battery_low else 0)
        if status == int(self.values["zone_status"]):
            return
        self.set("zone_status", status)
        if self.values["zone_state"] == ENROLLED:
            self._send(
                IasZone.ClientCommandDefs.status_change_notification,
                zone_status=status,
                extended_status=0,
                zone_id=self.values["zone_id"],
                delay=0,
            )

    def _send(self, definition: f.ZCLCommandDef, **fields: Any) -> None:
        device = self.endpoint.device
        payload = bytes(definition.schema(**fields).serialize())
        frame = zcl.cluster_frame(device.next_tsn(), int(definition.id), payload)
        device.send_zcl(self.endpoint.endpoint_id, self.cluster_id, frame)

    def restore(self, values: dict[str, Any]) -> None:
        super().restore(values)
        saved = self.values.get("cie_addr")
        if isinstance(saved, str):  # the state file keeps it as text or a byte list
            self.values["cie_addr"] = zt.EUI64.convert(saved)
        elif isinstance(saved, list):
            self.values["cie_addr"] = zt.EUI64(saved)
