"""Color Control server with real, time-based state changes (hue, saturation, xy, colour
temperature, colour loop); Level Control is :mod:`.level`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zigpy.zcl.clusters.lighting import Color
from zigpy.zcl.foundation import Status

from .cluster import ClusterServer, handles
from .color import ct_to_xy, hs_to_xy
from .level import may_execute, remaining
from .spec import ColorCapabilities as Cap
from .transition import Ramp, hue_ramp, tenths
from .zcl import Reply

HUE_MODULUS = 255  # CurrentHue runs 0..254
EHUE_MODULUS = 65536
MODE_HS, MODE_XY, MODE_CT = 0, 1, 2
ENHANCED_HS = 3


class ColorServer(ClusterServer):
    definition = Color
    writable = frozenset({"options", "start_up_color_temperature"})
    reportable = (
        "current_hue",
        "current_saturation",
        "current_x",
        "current_y",
        "color_temperature",
        "color_mode",
        "enhanced_current_hue",
        "color_loop_active",
    )

    @property
    def caps(self) -> Cap:
        return Cap(self.endpoint.device.spec.color_capabilities)

    def initial_values(self) -> dict[str, Any]:
        spec = self.endpoint.device.spec
        caps = Cap(spec.color_capabilities)
        x, y = ct_to_xy(366)
        values: dict[str, Any] = {
            "color_capabilities": int(caps),
            "current_x": x,
            "current_y": y,
            "options": 0,
            "color_mode": MODE_CT if Cap.COLOR_TEMPERATURE in caps else MODE_XY,
        }
        values["enhanced_color_mode"] = values["color_mode"]
        if Cap.COLOR_TEMPERATURE in caps:
            values.update(
                color_temperature=min(max(366, spec.ct_min), spec.ct_max),
                color_temp_physical_min=spec.ct_min,
                color_temp_physical_max=spec.ct_max,
                couple_color_temp_to_level_min=spec.ct_max,
                start_up_color_temperature=0xFFFF,
            )
        if Cap.HUE_SATURATION in caps:
            values.update(current_hue=0, current_saturation=0)
        if Cap.ENHANCED_HUE in caps:
            values.update(enhanced_current_hue=0)
        if Cap.COLOR_LOOP in caps:
            values.update(
                color_loop_active=0,
                color_loop_direction=1,
                color_loop_time=25,
                color_loop_start_enhanced_hue=0x2300,
                color_loop_stored_enhanced_hue=0,
            )
        return values

    # -- derived attributes --------------------------------------------------------------
    def computed(self, name: str) -> Any:
        if name == "remaining_time":
            return remaining(self)
        if name in ("enhanced_current_hue", "current_hue") and self.values.get("color_loop_active"):
            ehue = self._loop_hue()
            return ehue if name == "enhanced_current_hue" else round(ehue * 254 / 65535)
        return None

    def _loop_hue(self) -> int:
        elapsed = self.endpoint.now() - self._loop_started
        period = max(int(self.values["color_loop_time"]), 1)
        step = int(elapsed / period * EHUE_MODULUS)
        sign = 1 if self.values["color_loop_direction"] else -1
        return (self._loop_origin + sign * step) % EHUE_MODULUS

    _loop_started = 0.0
    _loop_origin = 0

    # -- helpers --------------------------------------------------------------------------
    def _mode(self, mode: int, enhanced: int | None = None) -> None:
        self.set("color_mode", mode)
        self.values["enhanced_color_mode"] = mode if enhanced is None else enhanced

    def _fade(
        self, ramps: dict[str, Ramp], transition_time: int, after: Callable[[], None]
    ) -> None:
        seconds = tenths(transition_time)
        self.endpoint.start_transition(self.cluster_id, ramps, seconds, after)

    def _xy_from_hs(self) -> None:
        if Cap.ENHANCED_HUE in self.caps and self.values["enhanced_color_mode"] == ENHANCED_HS:
            hue, enhanced = int(self.values["enhanced_current_hue"]), True
        else:
            hue, enhanced = int(self.values.get("current_hue", 0)), False
        x, y = hs_to_xy(hue, int(self.values.get("current_saturation", 0)), enhanced=enhanced)
        self.set("current_x", x)
        self.set("current_y", y)

    def _xy_from_ct(self) -> None:
        x, y = ct_to_xy(int(self.values["color_temperature"]))
        self.set("current_x", x)
        self.set("current_y", y)

    def _sync_hue_from_enhanced(self) -> None:
        self.set("current_hue", round(int(self.values["enhanced_current_hue"]) * 254 / 65535))
        self._xy_from_hs()

    def _ct_bounds(self, low: int, high: int) -> tuple[int, int]:
        lo = max(low or 0, int(self.values["color_temp_physical_min"]))
        hi = min(high or 0xFFFF, int(self.values["color_temp_physical_max"]))
        return lo, max(lo, hi)

    def _unsupported(self, needed: Cap) -> bool:
        return needed not in self.caps

    # -- hue / saturation ------------------------------------------------------------------
    @handles(Color.ServerCommandDefs.move_to_hue)
    def move_to_hue(self, args: Any) -> Reply:
        if self._unsupported(Cap.HUE_SATURATION):
            return Status.UNSUP_CLUSTER_COMMAND
        if may_execute(self, args):
            self._mode(MODE_HS)
            ramp = hue_ramp(
                self.get("current_hue"), int(args.hue), int(args.direction), HUE_MODULUS
            )
            self._fade({"current_hue": ramp}, args.transition_time, self._xy_from_hs)
        return Status.SUCCESS

    @handles(Color.ServerCommandDefs.move_to_saturation)
    def move_to_saturation(self, args: Any) -> Reply:
        if self._unsupported(Cap.HUE_SATURATION):
            return Status.UNSUP_CLUSTER_COMMAND
        if may_execute(self, args):
            self._mode(MODE_HS)
            ramp = Ramp(self.get("current_saturation"), min(int(args.saturation), 254))
            self._fade({"current_saturation": ramp}, args.transition_time, self._xy_from_hs)
        return Status.SUCCESS

    @handles(Color.ServerCommandDefs.move_to_hue_and_saturation)
    def move_to_hue_and_saturation(self, args: Any) -> Reply:
        if self._unsupported(Cap.HUE_SATURATION):
            return Status.UNSUP_CLUSTER_COMMAND
        if may_execute(self, args):
            self._mode(MODE_HS)
            ramps = {
                "current_hue": hue_ramp(self.get("current_hue"), int(args.hue), 0, HUE_MODULUS),
                "current_saturation": Ramp(
                    self.get("current_saturation"), min(int(args.saturation), 254)
                ),
            }
            self._fade(ramps, args.transition_time, self._xy_from_hs)
        return Status.SUCCESS

    @handles(Color.ServerCommandDefs.enhanced_move_to_hue)
    def enhanced_move_to_hue(self, args: Any) -> Reply:
        if self._unsupported(Cap.ENHANCED_HUE):
            return Status.UNSUP_CLUSTER_COMMAND
        if may_execute(self, args):
            self._mode(MODE_HS, ENHANCED_HS)
            ramp = hue_ramp(
                self.get("enhanced_current_hue"),
                int(args.enhanced_hue),
                int(args.direction),
                EHUE_MODULUS,
            )
            self._fade(
                {"enhanced_current_hue": ramp}, args.transition_time, self._sync_hue_from_enhanced
            )
        return Status.SUCCESS

    @handles(Color.ServerCommandDefs.enhanced_move_to_hue_and_saturation)
    def enhanced_move_to_hue_and_saturation(self, args: Any) -> Reply:
        if self._unsupported(Cap.ENHANCED_HUE):
            return Status.UNSUP_CLUSTER_COMMAND
        if may_execute(self, args):
            self._mode(MODE_HS, ENHANCED_HS)
            ramps = {
                "enhanced_current_hue": hue_ramp(
                    self.get("enhanced_current_hue"), int(args.enhanced_hue), 0, EHUE_MODULUS
                ),
                "current_saturation": Ramp(
                    self.get("current_saturation"), min(int(args.saturation), 254)
                ),
            }
            self._fade(ramps, args.transition_time, self._sync_hue_from_enhanced)
        return Status.SUCCESS

    # -- xy ---------------------------------------------------------------------------------
    @handles(Color.ServerCommandDefs.move_to_color)
    def move_to_color(self, args: Any) -> Reply:
        if self._unsupported(Cap.XY):
            return Status.UNSUP_CLUSTER_COMMAND
        if may_execute(self, args):
            self._mode(MODE_XY)
            ramps = {
                "current_x": Ramp(self.get("current_x"), min(int(args.color_x), 0xFEFF)),
                "current_y": Ramp(self.get("current_y"), min(int(args.color_y), 0xFEFF)),
            }
            self._fade(ramps, args.transition_time, lambda: None)
        return Status.SUCCESS

    # -- colour temperature -------------------------------------------------------------------
    @handles(Color.ServerCommandDefs.move_to_color_temp)
    def move_to_color_temp(self, args: Any) -> Reply:
        if self._unsupported(Cap.COLOR_TEMPERATURE):
            return Status.UNSUP_CLUSTER_COMMAND
        if may_execute(self, args):
            lo, hi = self._ct_bounds(0, 0)
            target = min(max(int(args.color_temp_mireds), lo), hi)
            self._mode(MODE_CT)
            ramp = Ramp(self.get("color_temperature"), target)
            self._fade({"color_temperature": ramp}, args.transition_time, self._xy_from_ct)
        return Status.SUCCESS

    @handles(Color.ServerCommandDefs.move_color_temp)
    def move_color_temp(self, args: Any) -> Reply:
        if self._unsupported(Cap.COLOR_TEMPERATURE):
            return Status.UNSUP_CLUSTER_COMMAND
        if not may_execute(self, args):
            return Status.SUCCESS
        if int(args.move_mode) == 0 or int(args.rate) == 0:
            self.endpoint.stop_transition(self.cluster_id)
            return Status.SUCCESS
        lo, hi = self._ct_bounds(int(args.color_temp_min_mireds), int(args.color_temp_max_mireds))
        target = hi if int(args.move_mode) == 1 else lo
        current = int(self.get("color_temperature"))
        self._mode(MODE_CT)
        seconds = abs(target - current) / int(args.rate)
        self.endpoint.start_transition(
            self.cluster_id,
            {"color_temperature": Ramp(current, target)},
            seconds,
            self._xy_from_ct,
        )
        return Status.SUCCESS

    @handles(Color.ServerCommandDefs.step_color_temp)
    def step_color_temp(self, args: Any) -> Reply:
        if self._unsupported(Cap.COLOR_TEMPERATURE):
            return Status.UNSUP_CLUSTER_COMMAND
        if may_execute(self, args):
            lo, hi = self._ct_bounds(
                int(args.color_temp_min_mireds), int(args.color_temp_max_mireds)
            )
            current = int(self.get("color_temperature"))
            delta = int(args.step_size) * (1 if int(args.step_mode) == 1 else -1)
            self._mode(MODE_CT)
            ramp = Ramp(current, min(max(current + delta, lo), hi))
            self._fade({"color_temperature": ramp}, args.transition_time, self._xy_from_ct)
        return Status.SUCCESS

    @handles(Color.ServerCommandDefs.stop_move_step)
    def stop_move_step(self, args: Any) -> Reply:
        self.endpoint.stop_transition(self.cluster_id)
        return Status.SUCCESS

    # -- colour loop ----------------------------------------------------------------------------
    @handles(Color.ServerCommandDefs.color_loop_set)
    def color_loop_set(self, args: Any) -> Reply:
        if self._unsupported(Cap.COLOR_LOOP):
            return Status.UNSUP_CLUSTER_COMMAND
        if not may_execute(self, args):
            return Status.SUCCESS
        flags = int(args.update_flags)
        active = bool(self.values["color_loop_active"])
        current = int(self.get("enhanced_current_hue"))
        if flags & 0x02:
            self.values["color_loop_direction"] = int(args.direction)
        if flags & 0x04:
            self.values["color_loop_time"] = int(args.time)
        if flags & 0x08:
            self.values["color_loop_start_enhanced_hue"] = int(args.start_hue)
        if active:  # re-anchor so a new period or direction continues smoothly
            self._loop_origin, self._loop_started = current, self.endpoint.now()
        if flags & 0x01:
            action = int(args.action)
            if action == 0 and active:
                self.values["color_loop_active"] = 0
                self.set("enhanced_current_hue", int(self.values["color_loop_stored_enhanced_hue"]))
                self._sync_hue_from_enhanced()
                self.endpoint.changed(self.cluster_id, "color_loop_active")
            elif action in (1, 2):
                self.endpoint.stop_transition(self.cluster_id)
                if not active:
                    self.values["color_loop_stored_enhanced_hue"] = current
                origin = (
                    int(self.values["color_loop_start_enhanced_hue"]) if action == 1 else current
                )
                self._loop_origin, self._loop_started = origin, self.endpoint.now()
                self._mode(MODE_HS, ENHANCED_HS)
                self.set("color_loop_active", 1)
        return Status.SUCCESS
