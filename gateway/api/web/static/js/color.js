// Colour helpers: the page's colour picker speaks sRGB hex, the API speaks CIE xy.

function linear(c) { return c > 0.04045 ? ((c + 0.055) / 1.055) ** 2.4 : c / 12.92; }
function gamma(c) { return c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055; }

export function hexToXy(hex) {
  const n = parseInt(hex.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => linear(v / 255));
  const X = r * 0.4124 + g * 0.3576 + b * 0.1805;
  const Y = r * 0.2126 + g * 0.7152 + b * 0.0722;
  const Z = r * 0.0193 + g * 0.1192 + b * 0.9505;
  const sum = X + Y + Z;
  if (sum === 0) return [0.3127, 0.329];
  return [Number((X / sum).toFixed(4)), Number((Y / sum).toFixed(4))];
}

export function xyToHex([x, y]) {
  if (!y) return "#ffffff";
  const Y = 1, X = (x / y) * Y, Z = ((1 - x - y) / y) * Y;
  let rgb = [
    X * 3.2406 - Y * 1.5372 - Z * 0.4986,
    -X * 0.9689 + Y * 1.8758 + Z * 0.0415,
    X * 0.0557 - Y * 0.204 + Z * 1.057,
  ].map((v) => Math.max(0, v));
  const max = Math.max(...rgb, 1e-6);
  rgb = rgb.map((v) => Math.round(gamma(v / max) * 255));
  return "#" + rgb.map((v) => Math.min(255, v).toString(16).padStart(2, "0")).join("");
}

export function miredToKelvin(mired) { return Math.round(1e6 / mired / 50) * 50; }

// An approximate colour for a colour temperature, for the swatch only.
export function ctToHex(mired) {
  const t = 1e6 / mired / 100;
  const r = t <= 66 ? 255 : 329.7 * (t - 60) ** -0.1332;
  const g = t <= 66 ? 99.47 * Math.log(t) - 161.1 : 288.1 * (t - 60) ** -0.0755;
  const b = t >= 66 ? 255 : t <= 19 ? 0 : 138.5 * Math.log(t - 10) - 305;
  return "#" + [r, g, b].map((v) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, "0")).join("");
}
