"""Simulated Zigbee devices (lamps and plugs) that join, obey ZCL and report."""
